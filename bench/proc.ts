/**
 * The `pcmbn` command as child processes, as an operator runs it: `etl load`, `keys create`, `serve`. Each child's
 * output goes to a log file in the work folder; its peak resident memory is read from /proc/<pid>/status (VmHWM,
 * the kernel's high-water mark of the process's RSS), polled while it runs so the last reading before it exits is
 * kept.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const projectRoot = fileURLToPath(new URL('../', import.meta.url));
const PCMBN = fileURLToPath(new URL('../api/cli/pcmbn.js', import.meta.url));

/** VmHWM of a process in bytes, or null when it is gone (or there is no /proc). */
export function peakRss(pid: number): number | null {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Keeps the latest VmHWM of a running process (it only grows), read every `everyMs`. */
export class RssWatch {
  peak = 0;
  private timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    everyMs = 200,
  ) {
    this.timer = setInterval(() => this.read(), everyMs);
    this.timer.unref();
  }

  read(): number {
    const v = peakRss(this.pid);
    if (v !== null && v > this.peak) this.peak = v;
    return this.peak;
  }

  stop(): number {
    this.read();
    clearInterval(this.timer);
    return this.peak;
  }
}

export interface PcmbnRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  ms: number;
  peakRssBytes: number;
}

function childEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  // The parent's own test or benchmark settings must not leak into the product's behaviour.
  delete env.PCMBN_ANONYMOUS;
  if (extra.PCMBN_ANONYMOUS) env.PCMBN_ANONYMOUS = extra.PCMBN_ANONYMOUS;
  return env;
}

/**
 * Runs `pcmbn <args>` to the end: wall time from spawn to exit, stdout kept (also written to `log` with stderr),
 * peak RSS. `timeoutMs` kills it (SIGKILL) if it hangs.
 */
export function runPcmbn(
  args: string[],
  o: { env: Record<string, string | undefined>; log: string; timeoutMs: number },
): Promise<PcmbnRun> {
  return new Promise((resolve, reject) => {
    const log = createWriteStream(o.log, { flags: 'a' });
    log.write(`$ pcmbn ${args.join(' ')}\n`);
    const started = performance.now();
    const child = spawn(process.execPath, [PCMBN, ...args], {
      cwd: projectRoot,
      env: childEnv(o.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const watch = new RssWatch(child.pid!);
    let stdout = '';
    child.stdout!.on('data', (b: Buffer) => {
      stdout += b.toString();
      log.write(b);
    });
    child.stderr!.on('data', (b: Buffer) => log.write(b));
    const killer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs);
    child.on('error', (e) => {
      clearTimeout(killer);
      watch.stop();
      log.end();
      reject(e);
    });
    child.on('exit', (code, signal) => {
      const ms = performance.now() - started;
      clearTimeout(killer);
      const peakRssBytes = watch.stop();
      log.end(() => resolve({ code, signal, stdout, ms, peakRssBytes }));
    });
  });
}

/** A running `pcmbn serve`. */
export interface Server {
  url: string;
  pid: number;
  /** Time from spawn to the "GraphQL <url>" line. */
  startMs: number;
  peakRss(): number;
  /** SIGTERM, then waits for the exit (SIGKILL after 20 s); returns the process's peak RSS. */
  stop(): Promise<number>;
}

/**
 * Starts `pcmbn serve` on a free port of 127.0.0.1; `args` go to `serve` (`--inbox`), `nodeArgs` to node itself
 * (`--cpu-prof`).
 */
export function startServer(o: {
  env: Record<string, string | undefined>;
  log: string;
  timeoutMs?: number;
  nodeArgs?: string[];
  args?: string[];
}): Promise<Server> {
  return new Promise((resolve, reject) => {
    const log = createWriteStream(o.log, { flags: 'a' });
    log.write('$ pcmbn serve\n');
    const started = performance.now();
    const child: ChildProcess = spawn(process.execPath, [...(o.nodeArgs ?? []), PCMBN, 'serve', ...(o.args ?? [])], {
      cwd: projectRoot,
      env: childEnv({ HOST: '127.0.0.1', PORT: '0', ...o.env }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const watch = new RssWatch(child.pid!, 500);
    let out = '';
    let ready = false;
    let failed = false;
    const exited = new Promise<void>((done) => child.on('exit', () => done()));
    const fail = (message: string) => {
      if (failed) return;
      failed = true;
      watch.stop();
      child.kill('SIGKILL');
      log.end();
      reject(new Error(`pcmbn serve ${message}; see ${o.log}`));
    };
    const timer = setTimeout(
      () => fail(`did not listen within ${(o.timeoutMs ?? 120_000) / 1000} s`),
      o.timeoutMs ?? 120_000,
    );
    child.stderr!.on('data', (b: Buffer) => log.write(b));
    child.stdout!.on('data', (b: Buffer) => {
      log.write(b);
      if (ready) return;
      out += b.toString();
      const m = /^GraphQL\s+(http:\/\/\S+)/m.exec(out);
      if (!m) return;
      ready = true;
      clearTimeout(timer);
      const startMs = performance.now() - started;
      resolve({
        url: m[1],
        pid: child.pid!,
        startMs,
        peakRss: () => watch.read(),
        stop: async () => {
          watch.read();
          if (child.exitCode === null && child.signalCode === null) {
            child.kill('SIGTERM');
            const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
            await exited;
            clearTimeout(killer);
          }
          const peak = watch.stop();
          await new Promise<void>((done) => log.end(() => done()));
          return peak;
        },
      });
    });
    child.on('error', (e) => fail(`could not start: ${e.message}`));
    child.on('exit', (code, signal) => {
      if (!ready) {
        clearTimeout(timer);
        fail(`exited (${signal ?? code}) before listening`);
      }
    });
  });
}
