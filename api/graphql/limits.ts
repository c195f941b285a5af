/**
 * What one request may ask for. Each limit is rejected with a message that says which limit and how to stay in it:
 * - body: at most MAX_BODY_BYTES of JSON (HTTP 413), one operation per request (batched array bodies: HTTP 400);
 * - tokens: the query text holds at most MAX_TOKENS tokens (names, values, punctuation), counted by the parser,
 *   which stops there: a query too wide or too deeply nested to validate cheaply never reaches validation;
 * - strings: a string argument, written in the query or passed as a variable, holds at most MAX_STRING_CHARS
 *   characters (codes, periods, dates and searches are all far shorter);
 * - depth: fields nested in fields, at most MAX_DEPTH levels;
 * - cost: every field costs 1, a field that reads the warehouse WAREHOUSE_FIELD_COST (FIELD_COSTS), and what is
 *   selected below a list field counts LIST_FACTOR times (nested lists multiply); aliases count each time they
 *   appear; at most MAX_COST;
 * - introspection: at most MAX_INTROSPECTION_FIELDS `__schema`/`__type` fields per operation (aliases count), and
 *   at most 3 nested lists of fields inside them (graphql-js's MaxIntrospectionDepthRule);
 * - rows: a list field returns at most MAX_ROWS rows (resolvers call `capRows`);
 * - answer: an answer of more than MAX_ANSWER_BYTES is replaced by an error (the server checks it as it writes);
 * - time: a request answers within the timeout (PCMBN_QUERY_TIMEOUT_MS, default 10 s) or gets error code TIMEOUT,
 *   and the SQL it still runs is interrupted.
 *
 * Introspection is otherwise exempt from depth and cost, as graphql-depth-limit does by default: the standard
 * introspection query is 13 levels deep and resolves from memory; the two introspection limits bound its answer.
 */
import {
  type ASTNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
  getNamedType,
  getNullableType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
} from 'graphql';
import { ERROR_CODES } from './errors.ts';
import type { DuckDBConnection } from '@duckdb/node-api';
import { runningStatements } from '../../schema/dialect.ts';

export const MAX_DEPTH = 8;
export const MAX_COST = 5_000;
export const LIST_FACTOR = 10;
/** Rows one list field may return. */
export const MAX_ROWS = 5_000;
export const DEFAULT_QUERY_TIMEOUT_MS = 10_000;
export const MAX_BODY_BYTES = 100 * 1024;
/**
 * The longest answer sent: a dashboard's largest is under 1 MB, while aliases can ask for one list of MAX_ROWS
 * units many times over; such an answer held in memory for a client that reads slowly is what the limit bounds.
 */
export const MAX_ANSWER_BYTES = 8 * 1024 * 1024;
/** The standard introspection query has about 170 tokens, the dashboards' largest query about 30. */
export const MAX_TOKENS = 2_000;
export const MAX_STRING_CHARS = 256;
export const MAX_INTROSPECTION_FIELDS = 5;
/**
 * What a field that reads the warehouse costs: one such field runs SQL (a cold one tens of milliseconds), while
 * every other field resolves from memory. So a request holds at most MAX_COST / WAREHOUSE_FIELD_COST = 50 of them,
 * aliases included, and a crowd of such requests cannot queue thousands of queries behind other clients'.
 */
export const WAREHOUSE_FIELD_COST = 100;
export const FIELD_COSTS: Readonly<Record<string, number>> = {
  ...Object.fromEntries(
    ['kpi', 'kpis', 'trend', 'breakdown', 'reportingCompliance', 'complianceByUnit', 'discrepancies', 'periods'].map(
      (f) => [`Query.${f}`, WAREHOUSE_FIELD_COST],
    ),
  ),
  // The periodic report asks about forty of those questions (api/report/gather.ts): one report per request.
  'Query.report': 40 * WAREHOUSE_FIELD_COST,
};

function limitError(message: string, node: ASTNode, limit: string, value: number, max: number): GraphQLError {
  return new GraphQLError(message, { nodes: [node], extensions: { limit, value, max } });
}

const isIntrospection = (name: string) => name === '__schema' || name === '__type';

/** Memoised per fragment: a fragment's depth and cost do not depend on where it is spread. */
function walker<T>(
  context: ValidationContext,
  measure: (set: SelectionSetNode, type: GraphQLCompositeType | null, visit: (f: FragmentDefinitionNode) => T) => T,
  zero: T,
) {
  const memo = new Map<string, T>();
  const active = new Set<string>();
  const visit = (f: FragmentDefinitionNode): T => {
    const name = f.name.value;
    const known = memo.get(name);
    if (known !== undefined) return known;
    if (active.has(name)) return zero; // a cycle: NoFragmentCyclesRule reports it
    active.add(name);
    const type = context.getSchema().getType(f.typeCondition.name.value);
    const value = measure(f.selectionSet, type && isCompositeType(type) ? type : null, visit);
    active.delete(name);
    memo.set(name, value);
    return value;
  };
  return (set: SelectionSetNode, type: GraphQLCompositeType | null) => measure(set, type, visit);
}

function fieldType(parent: GraphQLCompositeType | null, name: string) {
  return parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[name]?.type : undefined;
}

function fieldCost(parent: GraphQLCompositeType | null, name: string): number {
  return (parent && FIELD_COSTS[`${parent.name}.${name}`]) || 1;
}

/** Depth of a selection set: 1 for a leaf field, 1 + its children's depth for an object field. */
function depthOf(context: ValidationContext) {
  const measure = (
    set: SelectionSetNode,
    type: GraphQLCompositeType | null,
    visit: (f: FragmentDefinitionNode) => number,
  ): number => {
    let max = 0;
    for (const s of set.selections) {
      if (s.kind === 'Field') {
        if (isIntrospection(s.name.value)) continue;
        const t = fieldType(type, s.name.value);
        const named = t ? getNamedType(t) : null;
        const below = s.selectionSet
          ? measure(s.selectionSet, named && isCompositeType(named) ? named : null, visit)
          : 0;
        max = Math.max(max, 1 + below);
      } else if (s.kind === 'InlineFragment') {
        const cond = s.typeCondition ? context.getSchema().getType(s.typeCondition.name.value) : type;
        max = Math.max(max, measure(s.selectionSet, cond && isCompositeType(cond) ? cond : type, visit));
      } else {
        const f = context.getFragment(s.name.value);
        if (f) max = Math.max(max, visit(f));
      }
    }
    return max;
  };
  return walker(context, measure, 0);
}

/** Cost of a selection set: each field 1, plus its children's cost, times LIST_FACTOR below a list. */
function costOf(context: ValidationContext) {
  const measure = (
    set: SelectionSetNode,
    type: GraphQLCompositeType | null,
    visit: (f: FragmentDefinitionNode) => number,
  ): number => {
    let cost = 0;
    for (const s of set.selections) {
      if (s.kind === 'Field') {
        if (isIntrospection(s.name.value)) continue;
        const t = fieldType(type, s.name.value);
        const named = t ? getNamedType(t) : null;
        const factor = t && isListType(getNullableType(t)) ? LIST_FACTOR : 1;
        cost +=
          fieldCost(type, s.name.value) +
          (s.selectionSet
            ? factor * measure(s.selectionSet, named && isCompositeType(named) ? named : null, visit)
            : 0);
      } else if (s.kind === 'InlineFragment') {
        const cond = s.typeCondition ? context.getSchema().getType(s.typeCondition.name.value) : type;
        cost += measure(s.selectionSet, cond && isCompositeType(cond) ? cond : type, visit);
      } else {
        const f = context.getFragment(s.name.value);
        if (f) cost += visit(f);
      }
    }
    return cost;
  };
  return walker(context, measure, 0);
}

/** Nested lists multiply a cost past what reads well (1e+51): beyond a billion, say so. */
function describeCount(n: number): string {
  return n > 1e9 ? 'more than 1,000,000,000' : String(n);
}

function operationLabel(name: string | undefined): string {
  return name ? `operation ${name}` : 'the query';
}

export function depthLimit(max = MAX_DEPTH): ValidationRule {
  return (context) => {
    const depth = depthOf(context);
    return {
      OperationDefinition(node) {
        const d = depth(node.selectionSet, context.getSchema().getRootType(node.operation) ?? null);
        if (d > max) {
          context.reportError(
            limitError(
              `${operationLabel(node.name?.value)} is ${d} levels deep; the limit is ${max}: ask for fewer nested ` +
                `fields`,
              node,
              'depth',
              d,
              max,
            ),
          );
        }
      },
    };
  };
}

export function costLimit(max = MAX_COST): ValidationRule {
  return (context) => {
    const cost = costOf(context);
    return {
      OperationDefinition(node) {
        const c = cost(node.selectionSet, context.getSchema().getRootType(node.operation) ?? null);
        if (c > max) {
          context.reportError(
            limitError(
              `${operationLabel(node.name?.value)} costs ${describeCount(c)}; the limit is ${max} (each field costs ` +
                `1, one that reads the warehouse ${WAREHOUSE_FIELD_COST}, fields below a list count ${LIST_FACTOR} ` +
                `times, aliases count each time): ask for fewer fields or split the query`,
              node,
              'cost',
              c,
              max,
            ),
          );
        }
      },
    };
  };
}

/**
 * At most `max` `__schema`/`__type` fields per operation, counted where fragments are spread and for each alias: each
 * one answers the whole schema again, so a few hundred aliases of it would cost megabytes of answer for a small
 * query.
 */
export function introspectionLimit(max = MAX_INTROSPECTION_FIELDS): ValidationRule {
  return (context) => {
    const measure = (
      set: SelectionSetNode,
      _type: GraphQLCompositeType | null,
      visit: (f: FragmentDefinitionNode) => number,
    ): number => {
      let n = 0;
      for (const s of set.selections) {
        if (s.kind === 'Field') n += isIntrospection(s.name.value) ? 1 : 0;
        else if (s.kind === 'InlineFragment') n += measure(s.selectionSet, null, visit);
        else {
          const f = context.getFragment(s.name.value);
          if (f) n += visit(f);
        }
      }
      return n;
    };
    const count = walker(context, measure, 0);
    return {
      OperationDefinition(node) {
        const n = count(node.selectionSet, null);
        if (n > max) {
          context.reportError(
            limitError(
              `${operationLabel(node.name?.value)} asks for the schema (__schema or __type) ${n} times; the limit ` +
                `is ${max}: ask for it once, with every field you need`,
              node,
              'introspection',
              n,
              max,
            ),
          );
        }
      },
    };
  };
}

/** String values written in the query: at most `max` characters each. */
export function stringLimit(max = MAX_STRING_CHARS): ValidationRule {
  return (context) => ({
    StringValue(node) {
      if (node.value.length > max) {
        context.reportError(
          limitError(
            `a string of ${node.value.length.toLocaleString('en-US')} characters; an argument holds at most ${max}: ` +
              `unit codes, periods, dates and searches are all far shorter`,
            node,
            'string',
            node.value.length,
            max,
          ),
        );
      }
    },
  });
}

/**
 * The first string longer than `max` characters in a request's variables, as its path (`variables.code`,
 * `variables.list[3]`) and length; null when there is none. Variables reach resolvers without validation, so the
 * server checks them before GraphQL runs. Walked with a stack, not recursion: JSON nested thousands deep is legal.
 */
export function longStringIn(variables: unknown, max = MAX_STRING_CHARS): { path: string; length: number } | null {
  const stack: [unknown, string][] = [[variables, 'variables']];
  while (stack.length) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      if (value.length > max) return { path, length: value.length };
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], `${path}[${i}]`]);
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value).reverse()) {
        if (k.length > max) return { path: `${path} (a name)`, length: k.length };
        stack.push([v, `${path}.${k}`]);
      }
    }
  }
  return null;
}

/**
 * The variables of a GET request: a JSON text in the query string (the GraphQL over HTTP convention), parsed here
 * only so that the same limits apply as to a POST's; what does not parse is left to Apollo, which refuses it.
 */
export function getVariables(query: unknown): unknown {
  const text = (query as { variables?: unknown } | undefined)?.variables;
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Clearer words for two limits graphql-js enforces with terse messages: the parser's token limit (MAX_TOKENS, through
 * Apollo's `parseOptions`) and the budget of its OverlappingFieldsCanBeMerged rule ("Validation aborted.", after
 * comparing too many same-named fields). Used by the server's `formatError`; other errors pass unchanged.
 */
export function explainLimitError<E extends { message: string; extensions?: Record<string, unknown> }>(e: E): E {
  if (e.extensions?.code === 'GRAPHQL_PARSE_FAILED' && /Document contains more th\w+ \d+ tokens/.test(e.message)) {
    return {
      ...e,
      message:
        `the query holds more than ${MAX_TOKENS} tokens (names, values and punctuation); the limit is ` +
        `${MAX_TOKENS}: ask for fewer fields or split the query`,
      extensions: { ...e.extensions, limit: 'tokens', max: MAX_TOKENS },
    };
  }
  if (e.extensions?.code === 'GRAPHQL_VALIDATION_FAILED' && e.message === 'Validation aborted.') {
    return {
      ...e,
      message: 'the query repeats too many fields of the same name to be checked: ask for each field once',
      extensions: { ...e.extensions, limit: 'overlapping fields' },
    };
  }
  return e;
}

/** Returns `rows` if there are at most MAX_ROWS of them; else throws TOO_MANY_ROWS naming the field and how to narrow
 * it. */
export function capRows<T>(rows: T[], field: string, narrowWith: string): T[] {
  if (rows.length > MAX_ROWS) {
    throw new GraphQLError(
      `${field} would return ${rows.length.toLocaleString('en-US')} rows; a list holds at most ` +
        `${MAX_ROWS.toLocaleString('en-US')}: narrow it with ${narrowWith}`,
      {
        extensions: { code: ERROR_CODES.TOO_MANY_ROWS, rows: rows.length, max: MAX_ROWS },
      },
    );
  }
  return rows;
}

export function queryTimeoutMs(env = process.env): number {
  const raw = env.PCMBN_QUERY_TIMEOUT_MS;
  if (raw === undefined || raw === '') return DEFAULT_QUERY_TIMEOUT_MS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`PCMBN_QUERY_TIMEOUT_MS="${raw}": expected a whole number of milliseconds > 0`);
  return n;
}

/**
 * The time limit of one request: resolvers racing against it lose with code TIMEOUT once it has passed, and the
 * DuckDB statements they still run are interrupted, so that a request answered TIMEOUT stops costing CPU too.
 */
export class Deadline {
  readonly expired: Promise<never>;
  /** The connections running the request's statements (filled by the dialect: schema/dialect.ts). */
  readonly statements = new Map<DuckDBConnection, number>();
  private timer: NodeJS.Timeout | undefined;
  private passed = false;

  constructor(readonly ms: number) {
    this.expired = new Promise<never>((_, reject) => {
      this.timer = setTimeout(() => {
        this.passed = true;
        reject(this.error());
        // The statement fails with DuckDB's INTERRUPT error, which the lost race drops.
        for (const conn of this.statements.keys()) conn.interrupt();
      }, ms);
    });
    this.expired.catch(() => {}); // only the races observe it
  }

  get hasPassed(): boolean {
    return this.passed;
  }

  error(): GraphQLError {
    return new GraphQLError(
      `the request ran longer than ${this.ms} ms and was stopped (PCMBN_QUERY_TIMEOUT_MS): ask for less, or a ` +
        `narrower selection`,
      {
        extensions: { code: ERROR_CODES.TIMEOUT },
      },
    );
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}

/**
 * Makes every resolver of the schema race the request's deadline (`context.deadline`): a resolver still running
 * when it passes answers TIMEOUT at once, and its SQL is interrupted (`DuckDBConnection.interrupt()`).
 */
const guarded = new WeakSet<GraphQLSchema>();

export function enforceDeadlines(schema: GraphQLSchema): GraphQLSchema {
  if (guarded.has(schema)) return schema;
  guarded.add(schema);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const resolve = field.resolve;
      if (!resolve) continue;
      field.resolve = (source, args, context: { deadline?: Deadline } | undefined, info) => {
        const deadline = context?.deadline;
        if (!deadline) return resolve(source, args, context, info);
        if (deadline.hasPassed) throw deadline.error();
        const result = runningStatements.run(deadline.statements, () => resolve(source, args, context, info));
        return result instanceof Promise ? Promise.race([result, deadline.expired]) : result;
      };
    }
  }
  return schema;
}
