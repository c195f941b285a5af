/**
 * What one request may ask for. Each limit is rejected with a message that says which limit and how to stay in it:
 * - depth: fields nested in fields, at most MAX_DEPTH levels;
 * - cost: every field costs 1, and what is selected below a list field counts LIST_FACTOR times (nested lists
 *   multiply); aliases count each time they appear; at most MAX_COST;
 * - rows: a list field returns at most MAX_ROWS rows (resolvers call `capRows`);
 * - time: a request answers within the timeout (PCMBN_QUERY_TIMEOUT_MS, default 10 s) or gets error code TIMEOUT;
 * - one operation per request: batched (array) bodies are refused by the server with HTTP 400.
 *
 * Introspection (`__schema`, `__type`) is exempt from depth and cost, as graphql-depth-limit does by default: the
 * standard introspection query is 13 levels deep, resolves from memory, and the body limit bounds its size.
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

export const MAX_DEPTH = 8;
export const MAX_COST = 5_000;
export const LIST_FACTOR = 10;
/** Rows one list field may return. */
export const MAX_ROWS = 5_000;
export const DEFAULT_QUERY_TIMEOUT_MS = 10_000;
export const MAX_BODY_BYTES = 100 * 1024;

function limitError(message: string, node: ASTNode, limit: string, value: number, max: number): GraphQLError {
  return new GraphQLError(message, { nodes: [node], extensions: { limit, value, max } });
}

const isIntrospection = (name: string) => name === '__schema' || name === '__type';

/** Memoised per fragment: a fragment's depth and cost do not depend on where it is spread. */
function walker<T>(context: ValidationContext, measure: (set: SelectionSetNode, type: GraphQLCompositeType | null, visit: (f: FragmentDefinitionNode) => T) => T, zero: T) {
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

/** Depth of a selection set: 1 for a leaf field, 1 + its children's depth for an object field. */
function depthOf(context: ValidationContext) {
  const measure = (set: SelectionSetNode, type: GraphQLCompositeType | null, visit: (f: FragmentDefinitionNode) => number): number => {
    let max = 0;
    for (const s of set.selections) {
      if (s.kind === 'Field') {
        if (isIntrospection(s.name.value)) continue;
        const t = fieldType(type, s.name.value);
        const named = t ? getNamedType(t) : null;
        const below = s.selectionSet ? measure(s.selectionSet, named && isCompositeType(named) ? named : null, visit) : 0;
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
  const measure = (set: SelectionSetNode, type: GraphQLCompositeType | null, visit: (f: FragmentDefinitionNode) => number): number => {
    let cost = 0;
    for (const s of set.selections) {
      if (s.kind === 'Field') {
        if (isIntrospection(s.name.value)) continue;
        const t = fieldType(type, s.name.value);
        const named = t ? getNamedType(t) : null;
        const factor = t && isListType(getNullableType(t)) ? LIST_FACTOR : 1;
        cost += 1 + (s.selectionSet ? factor * measure(s.selectionSet, named && isCompositeType(named) ? named : null, visit) : 0);
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
          context.reportError(limitError(`${operationLabel(node.name?.value)} is ${d} levels deep; the limit is ${max}: ask for fewer nested fields`, node, 'depth', d, max));
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
          context.reportError(limitError(
            `${operationLabel(node.name?.value)} costs ${c}; the limit is ${max} (each field costs 1, fields below a list count ${LIST_FACTOR} times, aliases count each time): ask for fewer fields or split the query`,
            node, 'cost', c, max));
        }
      },
    };
  };
}

/** Returns `rows` if there are at most MAX_ROWS of them; else throws TOO_MANY_ROWS naming the field and how to narrow it. */
export function capRows<T>(rows: T[], field: string, narrowWith: string): T[] {
  if (rows.length > MAX_ROWS) {
    throw new GraphQLError(`${field} would return ${rows.length.toLocaleString('en-US')} rows; a list holds at most ${MAX_ROWS.toLocaleString('en-US')}: narrow it with ${narrowWith}`, {
      extensions: { code: ERROR_CODES.TOO_MANY_ROWS, rows: rows.length, max: MAX_ROWS },
    });
  }
  return rows;
}

export function queryTimeoutMs(env = process.env): number {
  const raw = env.PCMBN_QUERY_TIMEOUT_MS;
  if (raw === undefined || raw === '') return DEFAULT_QUERY_TIMEOUT_MS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`PCMBN_QUERY_TIMEOUT_MS="${raw}": expected a whole number of milliseconds > 0`);
  return n;
}

/** The time limit of one request: resolvers racing against it lose with code TIMEOUT once it has passed. */
export class Deadline {
  readonly expired: Promise<never>;
  private timer: NodeJS.Timeout | undefined;
  private passed = false;

  constructor(readonly ms: number) {
    this.expired = new Promise<never>((_, reject) => {
      this.timer = setTimeout(() => {
        this.passed = true;
        reject(this.error());
      }, ms);
    });
    this.expired.catch(() => {}); // only the races observe it
  }

  get hasPassed(): boolean {
    return this.passed;
  }

  error(): GraphQLError {
    return new GraphQLError(`the request ran longer than ${this.ms} ms and was stopped (PCMBN_QUERY_TIMEOUT_MS): ask for less, or a narrower selection`, {
      extensions: { code: ERROR_CODES.TIMEOUT },
    });
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}

/**
 * Makes every resolver of the schema race the request's deadline (`context.deadline`): a resolver still running
 * when it passes answers TIMEOUT at once (its SQL finishes in the background, its result is dropped).
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
        const result = resolve(source, args, context, info);
        return result instanceof Promise ? Promise.race([result, deadline.expired]) : result;
      };
    }
  }
  return schema;
}
