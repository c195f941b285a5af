/**
 * Steps 3 to 5: the dashboard operations over HTTP against `pcmbn serve`, cold and warm, beside the hand-written SQL
 * on the same database; then throughput from 32 concurrent clients with autocannon; the server's peak RSS.
 *
 * - SQL: this process opens the warehouse read-only (the server is not running then: DuckDB's file lock), runs each
 *   operation's statement once (`first`), then `sqlRuns` times (median, p95).
 * - Cold: the first request for an operation's arguments in a server whose result cache is empty. A load clears
 *   the cache of a running server; here a restart empties it. Each restart is warmed up by the same operations with
 *   other arguments (other cache keys: JIT, the unit directory and DuckDB's buffers are warm, as in a server that has
 *   been running), then each operation is asked once, in an order rotated from restart to restart.
 * - Warm: the same requests again and again on the last server (answered from its result cache).
 * - An operation of several requests (the overview) sends them all at once; its time is until the last answer.
 */
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import autocannon from 'autocannon';
import { GraphQLClient, problem } from './http.ts';
import type { Operation } from './asks.ts';
import {
  apiFigures,
  compareFigures,
  type Figures,
  PUBLISHED_UNITS_SQL,
  sqlFigures,
  VIEWER_PATTERN_SQL,
  type ViewerPattern,
} from './figures.ts';
import { sqlFor, type SqlPlan } from './sql.ts';
import { traceProfile } from './load.ts';
import { type Server, startServer } from './proc.ts';
import { round, time, timing, type Timing } from './stats.ts';

export interface SqlSide {
  plan: SqlPlan;
  firstMs: number;
  ms: Timing;
  figures: Figures;
  /** The same figures as a viewer key gets them: the SQL's with the load's suppression pattern applied. */
  viewerFigures: Figures;
  rows: number;
}

export async function timeSql(
  dbPath: string,
  ops: Operation[],
  runs: number,
  today: string,
): Promise<Map<string, SqlSide>> {
  const instance = await DuckDBInstance.create(dbPath, {
    access_mode: 'READ_ONLY',
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const conn = await instance.connect();
  const out = new Map<string, SqlSide>();
  try {
    const rows = async (text: string) => (await conn.runAndReadAll(text)).getRowObjectsJS();
    const pattern: ViewerPattern = {
      shown: new Set((await rows(VIEWER_PATTERN_SQL)).map((r) => `${r.year}|${r.ref}|${r.code}`)),
      units: new Map(
        (await rows(PUBLISHED_UNITS_SQL)).map((r) => [
          String(r.ref),
          { level: String(r.level), hierarchy: String(r.hierarchy) },
        ]),
      ),
    };
    for (const op of ops) {
      const plan = sqlFor(op.requests, today);
      const run = async () => (await conn.runAndReadAll(plan.sql)).getRowObjectsJS();
      const first = await time(run);
      const samples: number[] = [];
      for (let i = 0; i < runs; i++) samples.push((await time(run)).ms);
      const figures: Figures = new Map();
      const conflicts: string[] = [];
      const viewerFigures: Figures = new Map();
      sqlFigures(plan, first.value as Record<string, unknown>[], figures, conflicts);
      sqlFigures(plan, first.value as Record<string, unknown>[], viewerFigures, conflicts, pattern);
      if (conflicts.length)
        throw new Error(`bench: the SQL of ${op.id} contradicts itself: ${conflicts.slice(0, 5).join('; ')}`);
      out.set(op.id, {
        plan,
        firstMs: round(first.ms),
        ms: timing(samples),
        figures,
        viewerFigures,
        rows: first.value.length,
      });
    }
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
  return out;
}

export interface ApiSide {
  cold: Timing;
  warm: Timing;
  /** Differences from the SQL's figures, over every checked answer (empty: the same numbers). */
  mismatches: string[];
  figures: number;
}

export interface ThroughputFigures {
  connections: number;
  durationS: number;
  requestsPerRound: number;
  requests: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

export interface ApiRun {
  api: Map<string, ApiSide>;
  throughput: ThroughputFigures;
  serverStartMs: Timing;
  serverPeakRssBytes: number;
}

export type Role = 'viewer' | 'analyst';

export interface ApiOptions {
  env: Record<string, string | undefined>;
  /** Whose key `token` is: a viewer's answers are checked against the SQL with the suppression pattern applied. */
  role: Role;
  token: string;
  log: string;
  coldRuns: number;
  warmRuns: number;
  connections: number;
  durationS: number;
  sql: Map<string, SqlSide>;
  progress: (line: string) => void;
}

async function ask(client: GraphQLClient, op: Operation, requests = op.requests) {
  return time(async () => {
    const answers = await Promise.all(requests.map((r) => client.post(r.query, r.variables)));
    answers.forEach((a, i) => {
      const p = problem(a);
      if (p) throw new Error(`bench: ${op.id} (${requests[i].source}) failed: ${p}`);
    });
    return answers;
  });
}

function check(
  op: Operation,
  answers: Awaited<ReturnType<typeof ask>>['value'],
  sql: SqlSide,
  role: Role,
): { mismatches: string[]; figures: number } {
  const figures: Figures = new Map();
  const conflicts: string[] = [];
  op.requests.forEach((r, i) => apiFigures(r, answers[i].body, figures, conflicts));
  return {
    mismatches: [
      ...conflicts.map((c) => `API contradicts itself: ${c}`),
      ...compareFigures(figures, role === 'viewer' ? sql.viewerFigures : sql.figures),
    ],
    figures: figures.size,
  };
}

export async function timeApi(ops: Operation[], o: ApiOptions): Promise<ApiRun> {
  const cold = new Map(ops.map((op) => [op.id, [] as number[]]));
  const warm = new Map(ops.map((op) => [op.id, [] as number[]]));
  const mismatches = new Map(ops.map((op) => [op.id, new Set<string>()]));
  const figures = new Map<string, number>();
  const starts: number[] = [];
  let peak = 0;
  let server: Server | null = null;
  const note = (op: Operation, answers: Awaited<ReturnType<typeof ask>>['value']) => {
    const c = check(op, answers, o.sql.get(op.id)!, o.role);
    c.mismatches.forEach((m) => mismatches.get(op.id)!.add(m));
    figures.set(op.id, c.figures);
  };
  try {
    for (let r = 0; r < o.coldRuns; r++) {
      server = await startServer({ env: o.env, log: o.log });
      starts.push(server.startMs);
      const client = new GraphQLClient(server.url, o.token);
      for (const op of ops) {
        await ask(client, op, op.warmup);
        await ask(client, op, op.warmup);
      }
      for (let k = 0; k < ops.length; k++) {
        const op = ops[(k + r) % ops.length];
        const { ms, value } = await ask(client, op);
        cold.get(op.id)!.push(ms);
        note(op, value);
      }
      o.progress(
        `  ${o.role} cold run ${r + 1}/${o.coldRuns}: ${ops.map((op) => `${op.id} ${cold.get(op.id)!.at(-1)!.toFixed(1)} ms`).join(', ')}`,
      );
      client.close();
      if (r < o.coldRuns - 1) {
        peak = Math.max(peak, await server.stop());
        server = null;
      }
    }
    const s = server!;
    const client = new GraphQLClient(s.url, o.token);
    for (const op of ops) {
      let last: Awaited<ReturnType<typeof ask>>['value'] = [];
      for (let i = 0; i < o.warmRuns; i++) {
        const { ms, value } = await ask(client, op);
        warm.get(op.id)!.push(ms);
        last = value;
      }
      note(op, last);
      o.progress(
        `  ${o.role} warm ${op.id}: median ${timing(warm.get(op.id)!).median.toFixed(2)} ms over ${o.warmRuns}`,
      );
    }
    client.close();

    const throughput = await hammer(
      s.url,
      ops.filter((op) => !op.firstAnswer),
      o,
    );
    peak = Math.max(peak, await s.stop());
    server = null;
    const api = new Map(
      ops.map((op) => [
        op.id,
        {
          cold: timing(cold.get(op.id)!),
          warm: timing(warm.get(op.id)!),
          mismatches: [...mismatches.get(op.id)!],
          figures: figures.get(op.id) ?? 0,
        },
      ]),
    );
    return { api, throughput, serverStartMs: timing(starts), serverPeakRssBytes: peak };
  } finally {
    if (server) await server.stop();
  }
}

/** Every operation's requests, round and round, from `connections` clients for `durationS` seconds. */
export async function hammer(
  graphqlUrl: string,
  ops: Operation[],
  o: { token: string; connections: number; durationS: number; progress: (line: string) => void },
): Promise<ThroughputFigures> {
  const url = new URL(graphqlUrl);
  if (url.hostname !== '127.0.0.1')
    throw new Error(`bench: throughput runs against 127.0.0.1 only, not ${url.hostname}`);
  const requests = ops
    .flatMap((op) => op.requests)
    .map((r) => ({
      method: 'POST' as const,
      path: url.pathname,
      headers: { 'content-type': 'application/json', ...(o.token ? { authorization: `Bearer ${o.token}` } : {}) },
      body: JSON.stringify({ query: r.query, variables: r.variables }),
    }));
  o.progress(`  throughput: ${o.connections} connections for ${o.durationS} s, ${requests.length} requests a round…`);
  const instance = autocannon({
    url: url.origin,
    connections: o.connections,
    duration: o.durationS,
    // Bounded both ways: the duration, and a count no server here could reach in it.
    maxOverallRequests: Math.max(o.connections, o.durationS * 50_000),
    timeout: 10,
    requests,
  });
  const guard = setTimeout(() => instance.stop(), (o.durationS + 30) * 1000);
  const result = await instance;
  clearTimeout(guard);
  const total = result.requests.total;
  return {
    connections: o.connections,
    durationS: round(result.duration, 2),
    requestsPerRound: requests.length,
    requests: total,
    requestsPerSecond: Math.round(total / result.duration),
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

/** The SQL statements of one cold pass, slowest first, and the time each operation took in it. */
export interface ColdProfile {
  role: Role;
  ms: Record<string, number>;
  statements: ReturnType<typeof traceProfile>;
}

/**
 * The profile of the cold misses: one more server, with `PCMBN_TRACE=1` (a line per SQL statement in its log),
 * warmed up as the cold runs are, then each operation asked once; its statements summed by text.
 */
export async function profileCold(
  ops: Operation[],
  o: { env: Record<string, string | undefined>; role: Role; token: string; log: string },
): Promise<ColdProfile> {
  const server = await startServer({ env: { ...o.env, PCMBN_TRACE: '1' }, log: o.log });
  try {
    const client = new GraphQLClient(server.url, o.token);
    for (const op of ops) await ask(client, op, op.warmup);
    const from = readFileSync(o.log, 'utf8').length;
    const ms: Record<string, number> = {};
    let total = 0;
    for (const op of ops) {
      const t = await ask(client, op);
      ms[op.id] = round(t.ms);
      total += t.ms;
    }
    client.close();
    return { role: o.role, ms, statements: traceProfile(readFileSync(o.log, 'utf8').slice(from), total) };
  } finally {
    await server.stop();
  }
}
