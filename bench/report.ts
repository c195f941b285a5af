/**
 * Step 6: the figures against the benchmark's targets (README, Benchmark), as `bench/results.json`, a markdown table
 * (`bench/results.md`),
 * and the same table in the README between `<!-- bench:start -->` and `<!-- bench:end -->` (reruns replace it).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { DropFigures } from './drop.ts';
import type { FloorFigures, LoadFigures, SampleFigures } from './load.ts';
import type { Machine, Versions } from './machine.ts';
import type { ColdProfile, ThroughputFigures } from './queries.ts';
import type { Timing } from './stats.ts';

/** The API's side of a query for one role's key. */
export interface RoleResult {
  apiColdMs: Timing;
  apiWarmMs: Timing;
  /** API median / SQL median. */
  ratioWarm: number;
  ratioCold: number;
  /** Figures compared (API side), and whether they all equal the SQL's (a viewer's: with the pattern applied). */
  figures: number;
  agree: boolean;
  mismatches: string[];
}

export interface QueryResult {
  id: string;
  title: string;
  origin: string;
  requests: number;
  /** Not a dashboard request: measured for its first answer (its cold time) and left out of the throughput. */
  firstAnswer: boolean;
  graphql: string[];
  sql: string;
  sqlRows: number;
  sqlMs: Timing & { first: number };
  viewer: RoleResult;
  analyst: RoleResult;
}

type Role = 'viewer' | 'analyst';
const ROLES: readonly Role[] = ['viewer', 'analyst'];

export interface Target {
  id: string;
  what: string;
  target: string;
  actual: string;
  met: boolean | null;
  /** For a missed target: by how much. */
  gap?: string;
}

export interface Results {
  benchmark: 'pcmbn-warehouse';
  version: 1;
  date: string;
  quick: boolean;
  machine: Machine;
  versions: Versions;
  options: Record<string, unknown>;
  sample: SampleFigures;
  load: LoadFigures;
  floor: FloorFigures;
  /** Load rows per second / floor rows per second. */
  loadRatio: number;
  database: { path: string; bytes: number; walBytes: number };
  queries: QueryResult[];
  throughput: Record<Role, ThroughputFigures>;
  drop: DropFigures;
  memory: { loadPeakRssBytes: number; serverPeakRssBytes: number; serverStartMs: Timing };
  /** `pcmbn --version`, spawn to exit. */
  cliStartMs: Timing;
  targets: Target[];
  /** For each key that missed a query target: a traced cold pass, its slowest SQL statements. */
  coldProfiles: ColdProfile[];
  checks: { apiEqualsSql: boolean; mismatches: number };
  durationMs: number;
}

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

export const int = (n: number) => Math.round(n).toLocaleString('en-US');
export const ms = (n: number) =>
  n >= 10_000
    ? `${(n / 1000).toFixed(1)} s`
    : n >= 100
      ? `${n.toFixed(0)} ms`
      : n >= 10
        ? `${n.toFixed(1)} ms`
        : `${n.toFixed(2)} ms`;
export const bytes = (n: number) => (n >= GiB ? `${(n / GiB).toFixed(2)} GiB` : `${(n / MiB).toFixed(0)} MiB`);
const times = (x: number) => `${x >= 10 ? x.toFixed(0) : x.toFixed(1)}×`;

/** The benchmark's targets, judged. Load time is a target of the national sample only. */
export function judge(r: Omit<Results, 'targets' | 'coldProfiles' | 'checks' | 'durationMs'>): Target[] {
  const out: Target[] = [];
  const atLeast = (id: string, what: string, actual: number, target: number, show: (n: number) => string) =>
    out.push({
      id,
      what,
      target: `≥ ${show(target)}`,
      actual: show(actual),
      met: actual >= target,
      gap: actual >= target ? undefined : `${times(target / actual)} short`,
    });
  const atMost = (
    id: string,
    what: string,
    actual: number,
    target: number,
    show: (n: number) => string,
    strict = false,
  ) => {
    const met = strict ? actual < target : actual <= target;
    out.push({
      id,
      what,
      target: `${strict ? '<' : '≤'} ${show(target)}`,
      actual: show(actual),
      met,
      gap: met ? undefined : `${times(actual / target)} over`,
    });
  };
  atLeast('load-ratio', 'Load rows/s ÷ DuckDB read_csv rows/s', r.loadRatio, 0.5, (n) => n.toFixed(n < 0.1 ? 3 : 2));
  if (r.sample.scale === 'national' || r.sample.scale === 'reused')
    atMost(
      'load-time',
      `Load of the ${r.sample.scale === 'reused' ? 'reused' : 'national'} sample, end to end`,
      r.load.ms,
      120_000,
      ms,
      true,
    );
  else
    out.push({
      id: 'load-time',
      what: 'Load of the national sample, end to end',
      target: '< 2 min',
      actual: `${ms(r.load.ms)} (${r.sample.scale} sample)`,
      met: null,
    });
  for (const role of ROLES)
    for (const q of r.queries) {
      const x = q[role];
      // A request within 5 ms; an operation of several requests at once (the overview) within its SQL's time.
      const cap = q.requests === 1 ? 5 : Infinity;
      atMost(
        `warm-${role}-${q.id}`,
        `${q.id}, ${role}: warm median ≤ 2 × SQL + 2 ms${q.requests === 1 ? ' and ≤ 5 ms' : ''}`,
        x.apiWarmMs.median,
        Math.min(cap, 2 * q.sqlMs.median + 2),
        ms,
      );
      atMost(
        `cold-${role}-${q.id}`,
        `${q.id}, ${role}: cold median ≤ 5 × SQL`,
        x.apiColdMs.median,
        5 * q.sqlMs.median,
        ms,
      );
    }
  const first = (id: string) => r.queries.find((q) => q.id === id);
  const kpis = first('province-victims-kpis');
  if (kpis)
    atMost(
      'first-kpis',
      "A viewer key's first kpis of two victims indicators, a province, a year",
      kpis.viewer.apiColdMs.median,
      100,
      ms,
    );
  const trend = first('national-victims-trend');
  if (trend)
    atMost(
      'first-trend',
      "A viewer key's first monthly victims trend of VN since 2019",
      trend.viewer.apiColdMs.median,
      200,
      ms,
    );
  const overview = first('national-overview');
  if (overview)
    for (const role of ROLES)
      atMost(
        `cold-overview-${role}`,
        `Cold national overview ÷ hand-written SQL, ${role} key`,
        overview[role].ratioCold,
        1.5,
        times,
      );
  for (const role of ROLES) {
    const t = r.throughput[role];
    atLeast(
      `throughput-${role}`,
      `Warm dashboard requests/s, ${t.connections} clients, ${role} key`,
      t.requestsPerSecond,
      2000,
      int,
    );
    atMost(`throughput-p99-${role}`, `p99 latency under that load, ${role} key`, t.latencyMs.p99, 50, ms);
  }
  atMost('cli-start', '`pcmbn --version`, start to exit (median)', r.cliStartMs.median, 500, ms);
  atMost('rss-server', 'Peak RSS of the server (steps 3–4)', r.memory.serverPeakRssBytes, 1.5 * GiB, bytes);
  atMost(
    'rss-load',
    'Peak RSS of the load (step 2; a server loads its inbox in-process)',
    r.memory.loadPeakRssBytes,
    1.5 * GiB,
    bytes,
  );
  atMost('drop-wall', 'Monthly drop, `pcmbn etl load` wall (CLI start included)', r.drop.cli.wallMs, 3000, ms);
  return out;
}

const mark = (t: Target) => (t.met === null ? 'n/a' : t.met ? 'yes' : `**no** (${t.gap})`);

export function markdown(r: Results): string {
  const m = r.machine;
  const lines: string[] = [];
  const sample = r.sample.reused ? `reused sample in ${r.sample.dir}` : `\`${r.sample.scale}\` sample`;
  lines.push(
    `Measured ${r.date.slice(0, 16).replace('T', ' ')} ` +
      `UTC${r.quick ? ' (**--quick**: a smoke run, not the benchmark)' : ''} on ${m.cpuModel}, ${m.cores} cores, ` +
      (`${(m.memoryBytes / GiB).toFixed(0)} GiB; Node ${r.versions.node}, DuckDB ${r.versions.duckdb}; load average ` +
        `at start `) +
      (`${m.loadAverageAtStart.join(' / ')} (1/5/15 ` +
        `min${m.loadAverageAtStart[0] > 0.5 * m.cores ? ': the cores were shared with other work' : ''}). `) +
      (`${sample}: ${int(r.sample.files)} files, ${int(r.load.rows)} rows, ${bytes(r.sample.bytes)}; warehouse file ` +
        `${bytes(r.database.bytes)}. `) +
      (`API and SQL answers ` +
        `${r.checks.apiEqualsSql ? 'agree on every figure' : `**disagree** (${r.checks.mismatches} differences, see results.json)`}.`),
  );
  lines.push('');
  lines.push('| figure | measured | target | met |');
  lines.push('| --- | --- | --- | --- |');
  lines.push(
    `| Load, \`pcmbn etl load\` end to end | ${ms(r.load.ms)}: ${int(r.load.rowsPerSecond)} rows/s, peak RSS ` +
      `${bytes(r.load.peakRssBytes)} | | |`,
  );
  lines.push(
    `| Floor, DuckDB \`read_csv\` of the same files into a bare table | ${ms(r.floor.ms.median)}: ` +
      `${int(r.floor.rowsPerSecond)} rows/s (median of ${r.floor.ms.n}) | | |`,
  );
  const row = (t: Target | undefined) => (t ? lines.push(`| ${t.what} | ${t.actual} | ${t.target} | ${mark(t)} |`) : 0);
  const find = (id: string) => r.targets.find((t) => t.id === id);
  row(find('load-ratio'));
  row(find('load-time'));
  const summary = (what: string, prefix: string) => {
    const ts = r.targets.filter((t) => t.id.startsWith(prefix));
    const missed = ts.filter((t) => !t.met).map((t) => t.id.slice(prefix.length));
    lines.push(
      `| ${what} | ${ts.length - missed.length} of ${ts.length} | all | ${missed.length ? `**no**: ${missed.join(', ')}` : 'yes'} |`,
    );
  };
  for (const role of ROLES) {
    summary(`Warm queries within 2 × SQL + 2 ms, one request within 5 ms (median), ${role} key`, `warm-${role}-`);
    summary(`Cold queries within 5 × SQL (median), ${role} key`, `cold-${role}-`);
  }
  row(find('first-kpis'));
  row(find('first-trend'));
  for (const role of ROLES) row(find(`cold-overview-${role}`));
  for (const role of ROLES) {
    row(find(`throughput-${role}`));
    row(find(`throughput-p99-${role}`));
  }
  row(find('cli-start'));
  row(find('rss-server'));
  row(find('rss-load'));
  const d = r.drop;
  lines.push(
    `| Monthly drop ${d.month}: ${d.files} province files, ${int(d.rows)} commune rows, \`pcmbn etl load\` | ` +
      `${ms(d.cli.wallMs)} wall, ${ms(d.cli.loadMs)} of load, peak RSS ${bytes(d.cli.peakRssBytes)} | ` +
      `${find('drop-wall')!.target} wall | ${mark(find('drop-wall')!)} |`,
  );
  lines.push(
    `| … the next month through a running server's inbox | ${ms(d.inbox.wallMs)} from arrival, ` +
      `${ms(d.inbox.loadMs)} of load; requests held ${ms(d.inbox.heldMs)} (${d.inbox.requestsHeld} waited, ` +
      `slowest ${ms(d.inbox.probe.maxMs)}) | | |`,
  );
  lines.push('');
  lines.push(
    '| query (requests) | key | SQL median (first) | API warm median / p95 | API cold median / p95 | API ÷ SQL warm, ' +
      'cold | warm target | cold target | same numbers |',
  );
  lines.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const q of r.queries)
    for (const role of ROLES) {
      const x = q[role];
      const w = find(`warm-${role}-${q.id}`)!;
      const c = find(`cold-${role}-${q.id}`)!;
      lines.push(
        `| ${q.id} (${q.requests}) | ${role} | ${ms(q.sqlMs.median)} (${ms(q.sqlMs.first)}) | ` +
          `${ms(x.apiWarmMs.median)} / ${ms(x.apiWarmMs.p95)} | ` +
          (`${ms(x.apiColdMs.median)} / ${ms(x.apiColdMs.p95)} | ${x.ratioWarm.toFixed(2)}, ` +
            `${x.ratioCold.toFixed(1)} | ${w.target}: ${mark(w)} | ${c.target}: ${mark(c)} | `) +
          `${x.agree ? `yes (${int(x.figures)} figures)` : `**no** (${x.mismatches.length})`} |`,
      );
    }
  lines.push('');
  const coldRuns = r.queries[0]?.viewer.apiColdMs.n ?? 0;
  const throughput = (role: Role) => {
    const t = r.throughput[role];
    return (
      `${role} key: ${int(t.requests)} answered, p50 ${ms(t.latencyMs.p50)}, p99 ${ms(t.latencyMs.p99)}, max ` +
      `${ms(t.latencyMs.max)}, ${t.non2xx} non-2xx, ${t.errors} errors`
    );
  };
  const t = r.throughput.viewer;
  lines.push(
    `Warm runs: ${r.queries[0]?.viewer.apiWarmMs.n ?? 0} per query and key; cold: ${coldRuns} server restarts per ` +
      `key (server ready in ${ms(r.memory.serverStartMs.median)}` +
      `${coldRuns < 20 ? `; the p95 of ${coldRuns} runs is the slowest` : ''}), a restart emptying the caches as ` +
      `a load does; the first answers are the cold ones. ` +
      (`SQL: ${r.queries[0]?.sqlMs.n ?? 0} runs; a viewer's figures are the SQL's with the load's suppression ` +
        `pattern (suppression_shown) applied. Throughput: ${t.connections} connections for ${t.durationS} s ` +
        `cycling through the ${t.requestsPerRound} dashboard requests, `) +
      `${throughput('viewer')}; ${throughput('analyst')}; ` +
      'autocannon runs in the benchmark process, on the same cores as the server.',
  );
  for (const p of r.coldProfiles ?? []) {
    const total = Object.values(p.ms).reduce((a, b) => a + b, 0);
    lines.push('');
    lines.push(
      `Profile of the misses, ${p.role} key: one traced cold pass (${ms(total)}: ` +
        `${Object.entries(p.ms)
          .map(([id, t]) => `${id} ${ms(t)}`)
          .join(', ')}); its slowest SQL statements:`,
    );
    lines.push('');
    lines.push("| statement | total | count | ÷ the pass's wall time (statements in parallel overlap) |");
    lines.push('| --- | --- | --- | --- |');
    for (const x of p.statements.slice(0, 8))
      lines.push(
        `| \`${x.statement.replaceAll('|', '\\|')}\` | ${ms(x.ms)} | ${x.count} | ${(x.share * 100).toFixed(0)} % |`,
      );
  }
  return lines.join('\n') + '\n';
}

export const START = '<!-- bench:start -->';
export const END = '<!-- bench:end -->';

/** Replaces what lies between the markers in the README; without markers, puts them at the top of its Benchmark
 * section. */
export function updateReadme(path: string, md: string): void {
  const text = readFileSync(path, 'utf8');
  const block = `${START}\n${md}${END}`;
  let next: string;
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a >= 0 && b > a) {
    next = text.slice(0, a) + block + text.slice(b + END.length);
  } else {
    const heading = /^## Benchmark[^\n]*\n/m.exec(text);
    if (!heading) throw new Error(`bench: ${path} has neither ${START}…${END} markers nor a "## Benchmark" section`);
    const at = heading.index + heading[0].length;
    next = `${text.slice(0, at)}\n${block}\n${text.slice(at)}`;
  }
  writeFileSync(path, next);
}
