/**
 * Where the API's time goes, for the README's account of missed targets. On `pcmbn serve` with PCMBN_TRACE=1:
 * - the SQL statements of a cold national overview (every panel's query at once, after a warm-up with other
 *   arguments, as the benchmark does);
 * - a CPU profile (node --cpu-prof) while 32 clients send the benchmark's warm dashboard requests, self time summed
 *   by package and by function, and the SQL statements those warm requests still run.
 *
 *   npx tsx bench/profile.ts --db WAREHOUSE [--duration 15] [--out DIR]
 *
 * WAREHOUSE is a loaded warehouse file (the benchmark's, kept with `npm run bench -- --work DIR`); it is copied, so
 * the original is not touched (the profile adds an API key).
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { vietnamToday } from '../schema/periods.ts';
import { GraphQLClient } from './http.ts';
import { operations } from './ops.ts';
import { runPcmbn, startServer } from './proc.ts';
import { hammer } from './queries.ts';

const { values: a } = parseArgs({
  options: {
    db: { type: 'string' },
    duration: { type: 'string', default: '15' },
    out: { type: 'string' },
    year: { type: 'string', default: '2025' },
    province: { type: 'string', default: '2025-07:75' },
    month: { type: 'string', default: '202609' },
  },
});
if (!a.db) {
  console.error('usage: npx tsx bench/profile.ts --db WAREHOUSE [--duration S] [--out DIR]');
  process.exit(2);
}

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

/** node_modules/<package> (scoped too), our own folder (api/, schema/…), or node's internals. */
function owner(url: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  const own = /\/(api|schema|etl|dashboards|bench)\/([^/]+)/.exec(url);
  if (own) return `ours: ${own[1]}/${own[2]}`;
  if (url.startsWith('node:')) return 'node: ' + url.slice(5).split('/')[0];
  return url ? url : '(native, GC, idle)';
}

/** Self time by node, counting only the samples taken `skipUs` or more after the profile began. */
function summarize(p: Profile, skipUs: number) {
  const self = new Map<number, number>();
  let at = 0;
  p.samples.forEach((id, i) => {
    at += p.timeDeltas[i] ?? 0;
    if (at >= skipUs) self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
  });
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const total = [...self.values()].reduce((s, x) => s + x, 0);
  const idle = [...self.entries()].filter(([id]) =>
    ['(idle)', '(program)', '(garbage collector)'].includes(byId.get(id)!.callFrame.functionName),
  );
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const [id, us] of self) {
    const f = byId.get(id)!.callFrame;
    const special = f.functionName.startsWith('(') ? f.functionName : null;
    const pkg = special ?? owner(f.url);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
    const fn = `${f.functionName || '(anonymous)'} ${special ? '' : `${owner(f.url)}:${f.lineNumber + 1}`}`.trim();
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  }
  const top = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((x, y) => y[1] - x[1])
      .slice(0, n)
      .map(([k, us]) => ({ what: k, ms: Math.round(us / 1000), share: Math.round((us / total) * 1000) / 10 }));
  return {
    totalMs: Math.round(total / 1000),
    idleMs: Math.round(idle.reduce((s, [, us]) => s + us, 0) / 1000),
    byPackage: top(byPackage, 25),
    byFunction: top(byFunction, 30),
  };
}

/** PCMBN_TRACE lines (`[sql 12.3 ms] STATEMENT…`) by statement: how many, total and mean time. */
function summarizeTrace(text: string): { statement: string; count: number; totalMs: number; meanMs: number }[] {
  const by = new Map<string, { count: number; ms: number }>();
  for (const m of text.matchAll(/^\[sql ([\d.]+) ms\] (.*)$/gm)) {
    const k = m[2].trim().slice(0, 80);
    const e = by.get(k) ?? { count: 0, ms: 0 };
    e.count++;
    e.ms += Number(m[1]);
    by.set(k, e);
  }
  return [...by.entries()]
    .map(([statement, e]) => ({
      statement,
      count: e.count,
      totalMs: Math.round(e.ms),
      meanMs: Math.round((e.ms / e.count) * 10) / 10,
    }))
    .sort((x, y) => y.totalMs - x.totalMs);
}

const work = mkdtempSync(join(os.tmpdir(), 'pcmbn-profile-'));
const out = resolve(a.out ?? work);
mkdirSync(out, { recursive: true });
const db = join(work, 'warehouse.duckdb');
copyFileSync(resolve(a.db), db);
const key = await runPcmbn(['keys', 'create', '--role', 'analyst', '--unit', 'VN', '--label', 'profile'], {
  env: { PCMBN_DB: db },
  log: join(work, 'keys.log'),
  timeoutMs: 120_000,
});
const token = key.stdout.trim().split('\n').pop()!;
const ops = operations({ year: a.year!, province: a.province!, month: a.month!, today: vietnamToday() });
const profDir = join(work, 'cpu');
const spawnedAt = performance.now();
const server = await startServer({
  env: { PCMBN_DB: db, PCMBN_TRACE: '1' },
  log: join(work, 'serve.log'),
  nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profDir}`],
});
const log = join(work, 'serve.log');
const traced = (from: number) => summarizeTrace(readFileSync(log, 'utf8').slice(from));

// The cold overview: warmed up with other arguments as in the benchmark, then every panel's query at once.
const client = new GraphQLClient(server.url, token);
for (const op of ops)
  for (let i = 0; i < 2; i++) await Promise.all(op.warmup.map((r) => client.post(r.query, r.variables)));
const overview = ops.find((op) => op.id === 'national-overview')!;
let mark = readFileSync(log, 'utf8').length;
const started = performance.now();
await Promise.all(overview.requests.map((r) => client.post(r.query, r.variables)));
const coldOverview = {
  ms: Math.round(performance.now() - started),
  requests: overview.requests.length,
  sql: traced(mark),
};
client.close();

// Fill the cache (the profile is of warm requests), then mark where the warm part of the trace begins.
const dashboard = ops.filter((op) => !op.firstAnswer);
await hammer(server.url, dashboard, { token, connections: 1, durationS: 2, progress: () => {} });
mark = readFileSync(log, 'utf8').length;
// The profile covers the whole process: leave out its start and the warm-up.
const skipUs = (performance.now() - spawnedAt) * 1000;
const t = await hammer(server.url, dashboard, {
  token,
  connections: 32,
  durationS: Number(a.duration),
  progress: console.log,
});
const warmSql = traced(mark);
await server.stop();

const profile = JSON.parse(
  readFileSync(
    join(
      profDir,
      readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'))!,
    ),
    'utf8',
  ),
) as Profile;
const summary = {
  throughput: t,
  coldOverview,
  sqlPerWarmRequest: warmSql.map((x) => ({ ...x, perRequest: Math.round((x.count / t.requests) * 100) / 100 })),
  cpu: summarize(profile, skipUs),
};
writeFileSync(join(out, 'profile.json'), JSON.stringify(summary, null, 2) + '\n');
rmSync(db, { force: true });
console.log(JSON.stringify(summary, null, 2));
console.log(`profile: ${join(out, 'profile.json')}; raw CPU profile in ${profDir}`);
