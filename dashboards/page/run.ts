/**
 * Running the spec's queries: interpolated as Grafana does, sent once per text and variables while the page lives,
 * their rows picked as Infinity does.
 */
import { CAMPAIGNS, frame, interpolate, type QuerySpec, type Row, type VariableName } from '../spec.ts';
import { graphql } from './api.ts';
import type { Campaign } from './charts.ts';
import { range, session } from './state.ts';

const cache = new Map<string, Promise<unknown>>();

export function run(q: QuerySpec, vals: Partial<Record<VariableName, string>>): Promise<Row[]> {
  const text = interpolate(q.graphql, vals, range());
  const variables = interpolate(q.variables, vals, range());
  const key = `${text}\u0000${variables}`;
  let p = cache.get(key);
  if (!p) {
    p = graphql(text, session.aborter.signal, JSON.parse(variables));
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p.then((r) => frame(r, q));
}

let campaigns: Promise<Campaign[]> | null = null;
export function loadCampaigns(): Promise<Campaign[]> {
  campaigns ??= run(CAMPAIGNS, {}).then((rows) =>
    rows.map((r) => ({ kind: String(r.tags), title: String(r.title), start: r.time as Date, end: r.timeEnd as Date })),
  );
  campaigns.catch(() => (campaigns = null));
  return campaigns;
}
