/**
 * What a client may see of an error. Errors we raise on purpose carry a code from `ERROR_CODES` and a message
 * written for the caller; they go out as they are. Anything else (a DuckDB error quoting SQL, a bug's stack) goes
 * out as "internal error" with a request id, and is logged on the server with that id and the real error.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';

export const ERROR_CODES = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  FORBIDDEN: 'FORBIDDEN',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  TIMEOUT: 'TIMEOUT',
  /** A list field would return more than MAX_ROWS rows (api/graphql/limits.ts). */
  TOO_MANY_ROWS: 'TOO_MANY_ROWS',
  /** An answer longer than MAX_ANSWER_BYTES (api/graphql/limits.ts). */
  ANSWER_TOO_LARGE: 'ANSWER_TOO_LARGE',
  /** Malformed HTTP requests: batched bodies, bodies that are not JSON or too large. */
  BAD_REQUEST: 'BAD_REQUEST',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;

/** Codes whose messages are ours or Apollo's and safe to show: ours above, and Apollo's request-level ones. */
const SAFE_CODES = new Set<string>([
  ...Object.values(ERROR_CODES).filter((c) => c !== 'INTERNAL_SERVER_ERROR'),
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/** A wrong argument: the message names it and says what was expected. */
export function badUserInput(argName: string, message: string): GraphQLError {
  return new GraphQLError(`${argName}: ${message}`, {
    extensions: { code: ERROR_CODES.BAD_USER_INPUT, argumentName: argName },
  });
}

export function forbidden(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ERROR_CODES.FORBIDDEN } });
}

/** The id of the HTTP request being served, for log lines (set by the server for each request). */
export const requestIds = new AsyncLocalStorage<string>();

export function newRequestId(): string {
  return randomUUID().slice(0, 8);
}

export type ErrorLog = (line: string) => void;

/** Apollo's `formatError`: known codes pass with their message; everything else becomes "internal error". */
export function makeFormatError(log: ErrorLog) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && SAFE_CODES.has(code)) {
      const { stacktrace: _, http: __, ...extensions } = formatted.extensions ?? {};
      return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions };
    }
    const requestId = requestIds.getStore() ?? newRequestId();
    log(
      `[request ${requestId}] internal error${formatted.path ? ` at ${formatted.path.join('.')}` : ''}: ${describeError(error)}`,
    );
    return {
      message: 'internal error',
      path: formatted.path,
      extensions: { code: ERROR_CODES.INTERNAL_SERVER_ERROR, requestId },
    };
  };
}

/** The real error behind a GraphQL wrapper, with its stack. */
export function describeError(error: unknown): string {
  let e = error;
  while (e instanceof GraphQLError && e.originalError) e = e.originalError;
  return e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e);
}
