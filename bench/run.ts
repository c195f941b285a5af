/**
 * `npm run bench`: how fast the warehouse is, measured side by side with DuckDB itself in one run.
 *
 * npm run bench                         the national sample (~22.7 M rows), ~10 minutes here; writes
 * bench/results.json,
 *                                         bench/results.md and the README's Benchmark table
 *   npm run bench -- --reuse DIR          an existing sample folder instead of generating one
 *   npm run bench -- --quick              a smoke run on the demo sample (~1 minute); results go to the work folder
 *
 * Other options: --scale demo|national, --out DIR (results.json and results.md), --readme FILE | --no-readme,
 * --work DIR (kept), --keep, --no-trace (the load runs with PCMBN_TRACE=1, a line per SQL statement, and its slowest
 * statements go into results.json; this turns it off),
 * --cold-runs N, --warm-runs N, --sql-runs N, --floor-runs N, --duration S, --connections N, --year, --province,
 * --month.
 *
 * Exit 1 when the API's numbers differ from the hand-written SQL's (results are still written, the README is not).
 * Targets are reported, never asserted: a slow machine is not a failure.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { vietnamToday } from '../schema/periods.ts';
import { monthlyDrop } from './drop.ts';
import { floor, load, sample, traceProfile } from './load.ts';
import { machine, versions } from './machine.ts';
import { operations } from './ops.ts';
import { projectRoot, runPcmbn } from './proc.ts';
import { type ApiRun, type ColdProfile, profileCold, type Role, timeApi, timeSql } from './queries.ts';
import { bytes, judge, markdown, ms, type QueryResult, type Results, updateReadme } from './report.ts';
import { round, timing } from './stats.ts';

const ROLES: readonly Role[] = ['viewer', 'analyst'];

const { values: a } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    scale: { type: 'string' },
    reuse: { type: 'string' },
    out: { type: 'string' },
    readme: { type: 'string' },
    'no-readme': { type: 'boolean', default: false },
    work: { type: 'string' },
    keep: { type: 'boolean', default: false },
    'no-trace': { type: 'boolean', default: false },
    'cold-runs': { type: 'string' },
    'warm-runs': { type: 'string' },
    'sql-runs': { type: 'string' },
    'floor-runs': { type: 'string' },
    duration: { type: 'string' },
    connections: { type: 'string' },
    year: { type: 'string', default: '2025' },
    province: { type: 'string', default: '2025-07:75' },
    month: { type: 'string', default: '202609' },
  },
  strict: true,
});

function count(name: string, fallback: number): number {
  const v = a[name as keyof typeof a];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`bench: --${name} ${v}: expected a whole number ≥ 1`);
    process.exit(2);
  }
  return n;
}

const quick = a.quick!;
const scale = (a.scale ?? (quick ? 'demo' : 'national')) as 'demo' | 'national';
if (scale !== 'demo' && scale !== 'national') {
  console.error(`bench: --scale ${a.scale}: expected demo or national`);
  process.exit(2);
}
const o = {
  quick,
  scale,
  reuse: a.reuse ? resolve(a.reuse) : null,
  floorRuns: count('floor-runs', quick ? 1 : 3),
  coldRuns: count('cold-runs', quick ? 2 : 10),
  warmRuns: count('warm-runs', quick ? 20 : 200),
  sqlRuns: count('sql-runs', quick ? 5 : 30),
  durationS: count('duration', quick ? 3 : 30),
  connections: count('connections', 32),
  trace: !a['no-trace'],
  year: a.year!,
  province: a.province!,
  month: a.month!,
};

const started = performance.now();
const log = (line: string) => console.log(line);
const work = a.work ? resolve(a.work) : mkdtempSync(join(os.tmpdir(), 'pcmbn-bench-'));
mkdirSync(work, { recursive: true });
const outDir = resolve(a.out ?? (quick ? work : join(projectRoot, 'bench')));
mkdirSync(outDir, { recursive: true });
const readme = a['no-readme'] || (quick && !a.readme) ? null : resolve(a.readme ?? join(projectRoot, 'README.md'));
const dbPath = join(work, 'warehouse.duckdb');
const logs = { load: join(work, 'load.log'), serve: join(work, 'serve.log'), keys: join(work, 'keys.log') };

async function main(): Promise<number> {
  const m = machine();
  log(`pcmbn bench${quick ? ' --quick' : ''}: ${scale} scale, work folder ${work}`);
  log(`  ${m.cpuModel}, ${m.cores} cores, ${bytes(m.memoryBytes)}; load average ${m.loadAverageAtStart.join(' ')}`);

  // 1. The sample.
  rmSync(dbPath, { force: true });
  rmSync(`${dbPath}.wal`, { force: true });
  const s = await sample(scale, join(work, 'sample'), o.reuse);
  log(
    s.reused
      ? `1. sample: reusing ${s.dir} (${s.files} files, ${bytes(s.bytes)})`
      : `1. sample: ${s.files} files, ${s.rows?.toLocaleString('en-US')} rows, ${bytes(s.bytes)} in ` +
          `${ms(s.generateMs!)}`,
  );

  // 2. The floor, then the load.
  const f = await floor(s.dir, work, o.floorRuns);
  log(
    `2. floor: DuckDB read_csv of ${f.rows.toLocaleString('en-US')} rows into a bare table: ${ms(f.ms.median)}, ` +
      `${f.rowsPerSecond.toLocaleString('en-US')} rows/s`,
  );
  const l = await load(s.dir, dbPath, logs.load, o.trace, 60 * 60_000);
  if (o.trace) l.profile = traceProfile(readFileSync(logs.load, 'utf8'), l.ms);
  log(`   load: ${l.summary}`);
  log(
    `   end to end ${ms(l.ms)}: ${l.rowsPerSecond.toLocaleString('en-US')} rows/s ` +
      `(${(l.rowsPerSecond / f.rowsPerSecond).toFixed(3)} of the floor), peak RSS ${bytes(l.peakRssBytes)}`,
  );
  if (l.exitCode !== 0 || l.filesRejected > 0)
    throw new Error(
      `bench: the load did not take the whole sample (exit ${l.exitCode}, ${l.filesRejected} files rejected); see ` +
        `${logs.load}`,
    );
  if (l.rows !== f.rows) throw new Error(`bench: the load took ${l.rows} rows, DuckDB's reader ${f.rows}`);
  const database = { path: dbPath, bytes: statSync(dbPath).size, walBytes: sizeOf(`${dbPath}.wal`) };

  // Keys for the whole country: a viewer's (what every dashboard beyond the analysts uses: victims figures checked
  // against the SQL with the load's suppression pattern applied) and an analyst's (every figure as the SQL gives it).
  const keyOf = async (role: Role) => {
    const key = await runPcmbn(['keys', 'create', '--role', role, '--unit', 'VN', '--label', `bench ${role}`], {
      env: { PCMBN_DB: dbPath },
      log: logs.keys,
      timeoutMs: 120_000,
    });
    const token = key.stdout.trim().split('\n').pop() ?? '';
    if (key.code !== 0 || !token.startsWith('pcmbn_'))
      throw new Error(`bench: pcmbn keys create --role ${role} failed (exit ${key.code}); see ${logs.keys}`);
    return token;
  };
  const tokens = { viewer: await keyOf('viewer'), analyst: await keyOf('analyst') };

  // How long the installed command (compiled into dist/, built here if missing) takes to start: every scheduled
  // run and every operator's command pays it.
  const compiled = join(projectRoot, 'dist', 'pcmbn.js');
  if (!existsSync(compiled))
    execFileSync(process.execPath, [join(projectRoot, 'scripts', 'build.mjs')], { cwd: projectRoot });
  const cliStarts: number[] = [];
  for (let i = 0; i < (quick ? 3 : 10); i++) {
    const started = performance.now();
    execFileSync(process.execPath, [compiled, '--version'], { cwd: projectRoot, stdio: 'ignore' });
    cliStarts.push(performance.now() - started);
  }
  const cliStartMs = timing(cliStarts);
  log(`   pcmbn --version: median ${ms(cliStartMs.median)} over ${cliStartMs.n}`);

  // 3. SQL beside the API, then 4. throughput and 5. memory.
  const today = vietnamToday();
  const ops = operations({ year: o.year, province: o.province, month: o.month, today });
  log(`3. queries: ${ops.map((op) => `${op.id} (${op.requests.length})`).join(', ')}`);
  const sql = await timeSql(dbPath, ops, o.sqlRuns, today);
  for (const op of ops)
    log(
      `  sql ${op.id}: median ${ms(sql.get(op.id)!.ms.median)} (first ${ms(sql.get(op.id)!.firstMs)}), ` +
        `${sql.get(op.id)!.rows} rows`,
    );
  const runs = {} as Record<Role, ApiRun>;
  for (const role of ROLES) {
    runs[role] = await timeApi(ops, {
      env: { PCMBN_DB: dbPath },
      role,
      token: tokens[role],
      log: logs.serve,
      coldRuns: o.coldRuns,
      warmRuns: o.warmRuns,
      connections: o.connections,
      durationS: o.durationS,
      sql,
      progress: log,
    });
    const t = runs[role].throughput;
    log(
      `4. throughput, ${role} key: ${t.requestsPerSecond.toLocaleString('en-US')} requests/s, p99 ` +
        `${ms(t.latencyMs.p99)} (${t.non2xx} non-2xx, ${t.errors} errors)`,
    );
  }
  const serverPeakRssBytes = Math.max(...ROLES.map((role) => runs[role].serverPeakRssBytes));
  log(
    `5. peak RSS: load ${bytes(l.peakRssBytes)}, server ${bytes(serverPeakRssBytes)}; warehouse file ` +
      `${bytes(database.bytes)}`,
  );

  // The monthly drop last: it adds two months to the warehouse the queries above measured.
  const drop = await monthlyDrop({ sampleDir: s.dir, dbPath, work, today, token: tokens.viewer, log });

  const queries: QueryResult[] = ops.map((op) => {
    const q = sql.get(op.id)!;
    const byRole = (role: Role) => {
      const r = runs[role].api.get(op.id)!;
      return {
        apiColdMs: r.cold,
        apiWarmMs: r.warm,
        ratioWarm: round(r.warm.median / q.ms.median, 2),
        ratioCold: round(r.cold.median / q.ms.median, 2),
        figures: r.figures,
        agree: r.mismatches.length === 0,
        mismatches: r.mismatches.slice(0, 50),
      };
    };
    return {
      id: op.id,
      title: op.title,
      origin: op.origin,
      requests: op.requests.length,
      firstAnswer: op.firstAnswer === true,
      graphql: op.requests.map((x) => x.query),
      sql: q.plan.sql,
      sqlRows: q.rows,
      sqlMs: { ...q.ms, first: q.firstMs },
      viewer: byRole('viewer'),
      analyst: byRole('analyst'),
    };
  });
  const mismatches = ROLES.reduce(
    (n, role) => n + [...runs[role].api.values()].reduce((k, x) => k + x.mismatches.length, 0),
    0,
  );
  m.loadAverageAtEnd = os.loadavg().map((x) => Math.round(x * 100) / 100);
  const partial = {
    benchmark: 'pcmbn-warehouse' as const,
    version: 1 as const,
    date: new Date().toISOString(),
    quick,
    machine: m,
    versions: versions(f.duckdbVersion, projectRoot),
    options: { ...o, work, today },
    sample: s,
    load: l,
    floor: f,
    loadRatio: round(l.rowsPerSecond / f.rowsPerSecond, 4),
    database,
    queries,
    throughput: { viewer: runs.viewer.throughput, analyst: runs.analyst.throughput },
    drop,
    memory: {
      loadPeakRssBytes: l.peakRssBytes,
      serverPeakRssBytes,
      serverStartMs: runs.analyst.serverStartMs,
    },
    cliStartMs,
  };
  // The profile of each miss: where the time of a cold pass goes, for each key whose query targets were missed.
  const targets = judge(partial);
  const coldProfiles: ColdProfile[] = [];
  for (const role of ROLES) {
    const missed = targets.some(
      (t) => t.met === false && /^(cold|warm)-|^first-|^cold-overview-|^throughput/.test(t.id) && t.id.includes(role),
    );
    const first = role === 'viewer' && targets.some((t) => t.met === false && t.id.startsWith('first-'));
    if (!missed && !first) continue;
    coldProfiles.push(
      await profileCold(ops, {
        env: { PCMBN_DB: dbPath },
        role,
        token: tokens[role],
        log: join(work, `trace-${role}.log`),
      }),
    );
    log(`   profile of the ${role} key's cold pass: ${join(work, `trace-${role}.log`)}`);
  }
  const results: Results = {
    ...partial,
    coldProfiles,
    targets,
    checks: { apiEqualsSql: mismatches === 0, mismatches },
    durationMs: round(performance.now() - started, 0),
  };

  // 6. Results.
  const md = markdown(results);
  writeFileSync(join(outDir, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  writeFileSync(join(outDir, 'results.md'), md);
  log(`6. results: ${join(outDir, 'results.json')}, ${join(outDir, 'results.md')}`);
  log('');
  log(md);
  if (mismatches) {
    for (const q of queries)
      for (const role of ROLES.filter((r) => !q[r].agree)) {
        console.error(`bench: ${q.id}, ${role} key: the API and the SQL disagree:`);
        for (const line of q[role].mismatches.slice(0, 10)) console.error(`  ${line}`);
      }
    console.error("bench: FAILED: the API's numbers are not the SQL's; the README was left as it was");
    return 1;
  }
  if (readme) {
    updateReadme(readme, md);
    log(`README: ${readme} updated between <!-- bench:start --> and <!-- bench:end -->`);
  }
  log(`done in ${ms(results.durationMs)}`);
  return 0;
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

let code = 1;
try {
  code = await main();
} catch (e) {
  console.error((e as Error).stack ?? e);
  console.error(`bench: logs are in ${work}`);
  code = 1;
} finally {
  if (!a.work && !a.keep && code === 0 && !(quick && outDir === work)) rmSync(work, { recursive: true, force: true });
  else if (!a.work && !a.keep && code === 0) {
    // A quick run's results live in its work folder: keep them, drop the bulk.
    for (const p of ['sample', 'warehouse.duckdb', 'warehouse.duckdb.wal'])
      rmSync(join(work, p), { recursive: true, force: true });
  }
}
process.exit(code);
