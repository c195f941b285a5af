/**
 * What a benchmark request asks: its GraphQL parsed back into which figures, of which unit and period (`Ask`), so
 * that the hand-written SQL (bench/sql.ts) is written from the same asks as the API's answers are read
 * (bench/figures.ts), and the two sides cannot drift apart.
 */
import { Kind, type ObjectValueNode, parse, type ValueNode } from 'graphql';
import { isInstant, monthOfInstant, type PeriodType } from '../schema/periods.ts';

export type AskKind = 'kpi' | 'trend' | 'breakdown' | 'compliance';

export interface Ask {
  kind: AskKind;
  /** A unit reference as the API writes it: `VN`, `2025-07:75`. */
  unit: string;
  /** kpi, breakdown, compliance. */
  period?: string;
  codes: string[];
  /** trend: period ids and granularity. */
  from?: string;
  to?: string;
  granularity?: PeriodType;
  /** breakdown: every unit of this level beneath `unit` instead of its children. */
  level?: string;
}

export interface GqlRequest {
  /** Where the request comes from: `pcmbn-overview/stat-victims_returned/A`. */
  source: string;
  query: string;
  /** Its GraphQL variables, as the dashboards send them (Infinity's `body_graphql_variables`). */
  variables?: Record<string, unknown>;
  ask: Ask;
}

export interface Operation {
  id: string;
  title: string;
  /** Where its GraphQL comes from. */
  origin: string;
  /** Sent all at once: the operation's time is until the last answer. */
  requests: GqlRequest[];
  /** The same operation with other arguments: warms the server's code paths without filling this one's cache. */
  warmup: GqlRequest[];
  /**
   * Not one of the dashboards' requests (the throughput run cycles through those only): asked for its first
   * answer, as a viewer key gets it after a load.
   */
  firstAnswer?: true;
}

/** A trend's end as the API reads it: a period id, or an instant (Grafana's time range) taken as its month in
 * Vietnam. */
const periodOfBound = (bound: string) => (isInstant(bound) ? monthOfInstant(bound).id : bound);

const GRANULARITY: Record<string, PeriodType> = { MONTH: 'month', QUARTER: 'quarter', HALF_YEAR: 'half', YEAR: 'year' };
const FIELD_KIND: Record<string, AskKind> = {
  kpi: 'kpi',
  kpis: 'kpi',
  trend: 'trend',
  breakdown: 'breakdown',
  reportingCompliance: 'compliance',
};

function literal(v: ValueNode, variables: Record<string, unknown>): unknown {
  switch (v.kind) {
    case Kind.VARIABLE:
      if (!(v.name.value in variables)) throw new Error(`bench: no value for the variable $${v.name.value}`);
      return variables[v.name.value];
    case Kind.STRING:
    case Kind.ENUM:
      return v.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(v.value);
    case Kind.BOOLEAN:
      return v.value;
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return v.values.map((x) => literal(x, variables));
    case Kind.OBJECT:
      return Object.fromEntries((v as ObjectValueNode).fields.map((f) => [f.name.value, literal(f.value, variables)]));
  }
}

/** What a GraphQL document asks: its one top-level field and that field's arguments. */
export function askOf(query: string, variables: Record<string, unknown> = {}): Ask {
  const doc = parse(query);
  const op = doc.definitions[0];
  if (
    doc.definitions.length !== 1 ||
    op.kind !== Kind.OPERATION_DEFINITION ||
    op.selectionSet.selections.length !== 1
  ) {
    throw new Error(`bench: expected one operation with one field: ${query}`);
  }
  const field = op.selectionSet.selections[0];
  if (field.kind !== Kind.FIELD) throw new Error(`bench: expected a field: ${query}`);
  const kind = FIELD_KIND[field.name.value];
  if (!kind) throw new Error(`bench: no hand-written SQL for ${field.name.value} (${query})`);
  const args = Object.fromEntries(
    (field.arguments ?? []).map((a) => [a.name.value, literal(a.value, variables)]),
  ) as Record<string, unknown>;
  for (const unsupported of ['asOf', 'sex', 'ageGroup']) {
    if (args[unsupported] !== undefined)
      throw new Error(`bench: the hand-written SQL does not take ${unsupported} (${query})`);
  }
  const unit = (args.unit as string | undefined) ?? 'VN';
  const codes =
    kind === 'compliance'
      ? []
      : field.name.value === 'kpis'
        ? (args.indicators as string[])
        : [args.indicator as string];
  if (kind === 'trend') {
    return {
      kind,
      unit,
      codes,
      from: periodOfBound(args.from as string),
      to: periodOfBound(args.to as string),
      granularity: GRANULARITY[args.granularity as string],
    };
  }
  return { kind, unit, codes, period: args.period as string, level: (args.level as string | undefined) ?? undefined };
}
