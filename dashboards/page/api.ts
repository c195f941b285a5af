/**
 * The page talks to the API like any client: POST /graphql, with `Authorization: Bearer <key>` unless the server
 * lets anonymous viewers in. How to authenticate comes from GET /dashboard-config.json (see api/pages/dashboard.ts):
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

/**
 * Fetches a file the server offers under /downloads/ (a template, a report) with the key, and hands it to the
 * browser as a download; a refusal becomes an ApiError with the server's message.
 */
export async function download(path: string, params: Record<string, string>): Promise<void> {
  const res = await fetch(`${path}?${new URLSearchParams(params)}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as {
      errors?: { message: string; extensions?: { code?: string } }[];
    };
    const e = body.errors?.[0];
    throw new ApiError(e?.message ?? `the server answered ${res.status}`, res.status, e?.extensions?.code);
  }
  const name = /filename\*=UTF-8''([^;]+)/.exec(res.headers.get('content-disposition') ?? '')?.[1];
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name ? decodeURIComponent(name) : path.split('/').pop()!;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
