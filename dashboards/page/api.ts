/**
 * The page talks to the API like any client: POST /graphql, with `Authorization: Bearer <key>` unless the server
 * lets anonymous viewers in. How to authenticate comes from GET /dashboard-config.json (see serve.ts):
 * `anonymous` (PCMBN_ANONYMOUS=viewer), `demo` (the demo's leader key, to a browser on this machine only), or
 * `key` (ask the user; kept in sessionStorage, or passed once as #key=… in the address).
 */

export type AuthMode = { auth: 'anonymous' } | { auth: 'demo'; token: string } | { auth: 'key' };

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
  ) {
    super(message);
  }
}

const KEY = 'pcmbn.apiKey';
let token: string | null = null;

export async function loadAuth(): Promise<AuthMode> {
  const res = await fetch('/dashboard-config.json', { headers: { accept: 'application/json' } });
  if (!res.ok) throw new ApiError(`dashboard-config.json: ${res.status}`, res.status);
  const mode = (await res.json()) as AuthMode;
  if (mode.auth === 'demo') token = mode.token;
  if (mode.auth === 'key') {
    const fromHash = /(?:^|&)key=([^&]+)/.exec(location.hash.slice(1))?.[1];
    if (fromHash) {
      sessionStorage.setItem(KEY, decodeURIComponent(fromHash));
      history.replaceState(null, '', location.pathname + location.search); // the key leaves the address bar
    }
    token = sessionStorage.getItem(KEY);
  }
  return mode;
}

export function hasKey(): boolean {
  return token !== null;
}

export function setKey(key: string): void {
  token = key.trim();
  sessionStorage.setItem(KEY, token);
}

export function forgetKey(): void {
  token = null;
  sessionStorage.removeItem(KEY);
}

/** Runs a query; GraphQL errors become an ApiError with the first error's message and code. */
export async function graphql(
  query: string,
  signal?: AbortSignal,
  variables?: Record<string, unknown>,
): Promise<unknown> {
  const res = await fetch('/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
    signal,
  });
  let body: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] } = {};
  try {
    body = await res.json();
  } catch {
    throw new ApiError(`the API answered ${res.status} without JSON`, res.status);
  }
  if (body.errors?.length) {
    const e = body.errors[0];
    throw new ApiError(e.message, res.status, e.extensions?.code);
  }
  if (!res.ok) throw new ApiError(`the API answered ${res.status}`, res.status);
  return body;
}
