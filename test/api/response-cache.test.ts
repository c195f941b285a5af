/**
 * The whole-response cache (api/responseCache.ts) over real HTTP: a query asked again with the same variables by
 * the same role and scope is answered without executing GraphQL (counted as a hit at /metrics, with an `age`
 * header): a POST before Apollo runs, a GET by Apollo's plugin; another role, scope or variables is asked
 * afresh; a committed load empties it; errors are not kept; and
 * it holds no more bytes than it is given.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../api/auth/keys.ts';
import { type RunningServer, startServer } from '../../api/server.ts';
import { loadFiles } from '../../etl/load.ts';
import type { Warehouse } from '../../schema/warehouse.ts';
import { cleanupTemp, csv, freshWarehouse, tempDir, unitId, writeFile } from '../helpers.ts';
import { gql } from './client.ts';

const H = 'unit_code,period,indicator,value,submitted_on';
let w: Warehouse;
let server: RunningServer;
const tokens = { viewer: '', analyst: '', provinceViewer: '' };

const KPI = `query Kpi($unit: String!, $period: String!) {
  kpi(indicator: "victims_identified", unit: $unit, period: $period) { value suppressed }
  hotline: kpi(indicator: "hotline_calls", unit: $unit, period: $period) { value }
}`;

async function lookups(): Promise<{ hit: number; miss: number }> {
  const text = await (await fetch(`${server.origin}/metrics`)).text();
  const count = (result: string) =>
    Number(new RegExp(`^pcmbn_response_cache_lookups_total\\{result="${result}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  return { hit: count('hit'), miss: count('miss') };
}

/** Asks and tells whether the answer came from the response cache (by the hit counter, and the `age` header). */
async function ask(token: string, variables: Record<string, unknown>, s = server) {
  const before = await lookups();
  const r = await gql(s.url, KPI, { token, variables });
  const after = await lookups();
  const hit = after.hit - before.hit === 1;
  expect(hit ? after.miss - before.miss : after.hit - before.hit).toBe(0);
  expect(r.headers.has('age')).toBe(hit);
  return { hit, body: r.body };
}

function drop(name: string, ...rows: string[]): string {
  const dir = tempDir('pcmbn-response-cache-');
  writeFile(dir, name, csv(H, ...rows));
  return dir;
}

beforeAll(async () => {
  w = await freshWarehouse();
  const first = drop(
    'first.csv',
    '2025-07:01,2026,victims_identified,40,2027-01-05',
    '2025-07:01,2026,hotline_calls,7,2027-01-05',
    '2025-07:04,2026,hotline_calls,3,2027-01-05',
  );
  expect((await loadFiles(w, [first], { today: '2027-02-01' })).files.map((f) => f.status)).toEqual(['loaded']);
  tokens.viewer = (await createApiKey(w, { role: 'viewer', unitId: 0 })).token;
  tokens.analyst = (await createApiKey(w, { role: 'analyst', unitId: 0 })).token;
  tokens.provinceViewer = (await createApiKey(w, { role: 'viewer', unitId: await unitId(w, '2025-07:01') })).token;
  server = await startServer({ warehouse: w, port: 0 });
});
afterAll(async () => {
  await server?.close();
  await cleanupTemp();
});

describe('the whole-response cache', () => {
  it('answers the same query, variables, role and scope again without executing it', async () => {
    const vars = { unit: 'VN', period: '2026' };
    const first = await ask(tokens.viewer, vars);
    expect(first.hit).toBe(false);
    expect(first.body.data.hotline).toEqual({ value: 10 });
    const again = await ask(tokens.viewer, vars);
    expect(again).toEqual({ hit: true, body: first.body });
  });

  it('answers a repeated GET from the cache too, through Apollo', async () => {
    const url = new URL(server.url);
    url.searchParams.set('query', KPI);
    url.searchParams.set('variables', JSON.stringify({ unit: 'VN', period: '2025' }));
    const get = async () => {
      const before = await lookups();
      const res = await fetch(url, {
        headers: { authorization: `Bearer ${tokens.analyst}`, 'apollo-require-preflight': 'true' },
      });
      const after = await lookups();
      return { hit: after.hit - before.hit === 1, age: res.headers.has('age'), body: await res.json() };
    };
    const first = await get();
    expect(first).toMatchObject({ hit: false, age: false });
    expect(first.body.errors).toBeUndefined();
    expect(await get()).toEqual({ hit: true, age: true, body: first.body });
  });

  it('keys on role, scope and variables: each is asked afresh once', async () => {
    const vars = { unit: '2025-07:01', period: '2026' };
    const viewer = await ask(tokens.viewer, vars);
    const analyst = await ask(tokens.analyst, vars);
    const province = await ask(tokens.provinceViewer, vars);
    expect([viewer.hit, analyst.hit, province.hit]).toEqual([false, false, false]);
    // The analyst sees Hà Nội's 40; no viewer answer is given to the analyst nor the other way round.
    expect(analyst.body.data.kpi).toEqual({ value: 40, suppressed: false });
    expect(viewer.body.data.kpi.suppressed).toBe(true);
    expect((await ask(tokens.analyst, vars)).body).toEqual(analyst.body);
    expect((await ask(tokens.viewer, vars)).body).toEqual(viewer.body);
    expect((await ask(tokens.provinceViewer, vars)).hit).toBe(true);
    expect((await ask(tokens.analyst, { unit: '2025-07:04', period: '2026' })).hit).toBe(false);
  });

  it('keeps no error: an answer out of scope is refused afresh each time', async () => {
    const vars = { unit: '2025-07:04', period: '2026' };
    for (let i = 0; i < 2; i++) {
      const r = await ask(tokens.provinceViewer, vars);
      expect(r.hit).toBe(false);
      expect(r.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
  });

  it('is emptied by a committed load: the next answer is the new one', async () => {
    const vars = { unit: 'VN', period: '2026' };
    expect((await ask(tokens.analyst, vars)).hit).toBe(false);
    expect((await ask(tokens.analyst, vars)).body.data.hotline).toEqual({ value: 10 });
    const second = drop('second.csv', '2025-07:22,2026,hotline_calls,5,2027-01-06');
    const result = await loadFiles(w, [second], { today: '2027-02-01', holdReaders: server.holdReaders });
    expect(result.files.map((f) => f.status)).toEqual(['loaded']);
    const after = await ask(tokens.analyst, vars);
    expect(after.hit).toBe(false);
    expect(after.body.data.hotline).toEqual({ value: 15 });
    expect((await ask(tokens.analyst, vars)).hit).toBe(true);
  });

  it('holds no more bytes than it is given: an answer larger than the cache is not kept', async () => {
    const small = await startServer({ warehouse: w, port: 0, responseCacheBytes: 64 });
    try {
      const vars = { unit: 'VN', period: '2026' };
      expect((await ask(tokens.analyst, vars, small)).hit).toBe(false);
      expect((await ask(tokens.analyst, vars, small)).hit).toBe(false);
    } finally {
      await small.close();
    }
  });
});
