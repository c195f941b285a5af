/**
 * A GraphQL client for the API tests: real HTTP to a real server on 127.0.0.1, and the real `pcmbn` command.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface GqlError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; [k: string]: unknown };
}

export interface GqlResponse<D = any> {
  status: number;
  headers: Headers;
  body: { data?: D; errors?: GqlError[] };
  text: string;
}

export interface GqlOptions {
  token?: string;
  /** A raw Authorization header value (overrides token). */
  authorization?: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<GqlResponse> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: GqlResponse['body'];
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = {};
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

export function gql<D = any>(url: string, query: string, o: GqlOptions = {}): Promise<GqlResponse<D>> {
  const headers: Record<string, string> = {};
  if (o.authorization !== undefined) headers.authorization = o.authorization;
  else if (o.token) headers.authorization = `Bearer ${o.token}`;
  return post(url, { query, variables: o.variables, operationName: o.operationName }, headers);
}

/** The codes of a response's errors. */
export const codes = (r: GqlResponse) => (r.body.errors ?? []).map((e) => e.extensions?.code);

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function pcmbnEnv(dbPath: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, PCMBN_DB: dbPath, NO_COLOR: '1', ...extra };
}

/** Runs `pcmbn …` to completion. */
export function pcmbn(env: NodeJS.ProcessEnv, ...args: string[]): Promise<Run> {
  return runCommand(process.execPath, ['api/cli/pcmbn.js', ...args], { env });
}

/**
 * Runs a command to completion, collecting its output: in the project folder unless `cwd` says otherwise, as
 * another user with `uid`, `gid`.
 */
export function runCommand(
  command: string,
  args: string[],
  o: { env: NodeJS.ProcessEnv; cwd?: string; uid?: number; gid?: number },
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'], ...o });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface Background {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in standard output; rejects if the process ends first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `pcmbn …` in the background (a server). */
export function pcmbnBackground(env: NodeJS.ProcessEnv, ...args: string[]): Background {
  const child = spawn(process.execPath, ['api/cli/pcmbn.js', ...args], {
    cwd: projectRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let exited: number | null | undefined;
  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((l) => l());
  child.stdout!.on('data', (d: Buffer) => ((out += d), notify()));
  child.stderr!.on('data', (d: Buffer) => ((err += d), notify()));
  const closed = new Promise<number | null>((resolve) =>
    child.on('close', (code) => ((exited = code), notify(), resolve(code))),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => done(() => reject(new Error(`timed out waiting for ${pattern}; stdout:\n${out}\nstderr:\n${err}`))),
          timeoutMs,
        );
        const check = () => {
          const m = out.match(pattern);
          if (m) done(() => resolve(m));
          else if (exited !== undefined)
            done(() => reject(new Error(`exited ${exited} before ${pattern}; stdout:\n${out}\nstderr:\n${err}`)));
        };
        const done = (fn: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          fn();
        };
        listeners.add(check);
        check();
      });
    },
    stop() {
      if (exited === undefined) child.kill('SIGTERM');
      return closed;
    },
  };
}
