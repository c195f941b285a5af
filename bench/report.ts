/**
 * Step 6: the figures against the benchmark's targets (README, Benchmark), as `bench/results.json`, a markdown table
 * (`bench/results.md`),
 * and the same table in the README between `<!-- bench:start -->` and `<!-- bench:end -->` (reruns replace it).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { DropFigures } from './drop.ts';
import type { FloorFigures, LoadFigures, SampleFigures } from './load.ts';
import type { Machine, Versions } from './machine.ts';
import type { ThroughputFigures } from './queries.ts';
import type { Timing } from './stats.ts';

export interface QueryResult {
  id: string;
  title: string;
  origin: string;
  requests: number;
  graphql: string[];
  sql: string;
  sqlRows: number;
  sqlMs: Timing & { first: number };
  apiColdMs: Timing;
  apiWarmMs: Timing;
  /** API median / SQL median. */
  ratioWarm: number;
  ratioCold: number;
  /** Figures compared (API side), and whether they all equal the SQL's. */
  figures: number;
  agree: boolean;
  mismatches: string[];
}

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
  throughput: ThroughputFigures;
  drop: DropFigures;
  memory: { loadPeakRssBytes: number; serverPeakRssBytes: number; serverStartMs: Timing };
  targets: Target[];
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
export function judge(r: Omit<Results, 'targets' | 'checks' | 'durationMs'>): Target[] {
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
  for (const q of r.queries) {
    atMost(`warm-${q.id}`, `${q.id}: warm median ≤ 2 × SQL + 2 ms`, q.apiWarmMs.median, 2 * q.sqlMs.median + 2, ms);
    atMost(`cold-${q.id}`, `${q.id}: cold median ≤ 5 × SQL`, q.apiColdMs.median, 5 * q.sqlMs.median, ms);
  }
  atLeast(
    'throughput',
    `Warm dashboard requests/s, ${r.throughput.connections} clients`,
    r.throughput.requestsPerSecond,
    1000,
    int,
  );
  atMost('throughput-p99', 'p99 latency under that load', r.throughput.latencyMs.p99, 100, ms);
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
  const warm = r.targets.filter((t) => t.id.startsWith('warm-'));
  const cold = r.targets.filter((t) => t.id.startsWith('cold-'));
  lines.push(
    `| Warm queries within 2 × SQL + 2 ms (median) | ${warm.filter((t) => t.met).length} of ${warm.length} | all | ${
      warm.every((t) => t.met)
        ? 'yes'
        : `**no**: ${warm
            .filter((t) => !t.met)
            .map((t) => t.id.slice(5))
            .join(', ')}`
    } |`,
  );
  lines.push(
    `| Cold queries within 5 × SQL (median) | ${cold.filter((t) => t.met).length} of ${cold.length} | all | ${
      cold.every((t) => t.met)
        ? 'yes'
        : `**no**: ${cold
            .filter((t) => !t.met)
            .map((t) => t.id.slice(5))
            .join(', ')}`
    } |`,
  );
  row(find('throughput'));
  row(find('throughput-p99'));
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
    '| query (requests) | SQL median (first) | API warm median / p95 | API cold median / p95 | API ÷ SQL warm, cold ' +
      '| warm target | cold target | same numbers |',
  );
  lines.push('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const q of r.queries) {
    const w = find(`warm-${q.id}`)!;
    const c = find(`cold-${q.id}`)!;
    lines.push(
      `| ${q.id} (${q.requests}) | ${ms(q.sqlMs.median)} (${ms(q.sqlMs.first)}) | ${ms(q.apiWarmMs.median)} / ` +
        `${ms(q.apiWarmMs.p95)} | ` +
        (`${ms(q.apiColdMs.median)} / ${ms(q.apiColdMs.p95)} | ${q.ratioWarm.toFixed(2)}, ${q.ratioCold.toFixed(1)} ` +
          `| ${w.target}: ${mark(w)} | ${c.target}: ${mark(c)} | `) +
        `${q.agree ? `yes (${int(q.figures)} figures)` : `**no** (${q.mismatches.length})`} |`,
    );
  }
  const t = r.throughput;
  lines.push('');
  const coldRuns = r.queries[0]?.apiColdMs.n ?? 0;
  lines.push(
    `Warm runs: ${r.queries[0]?.apiWarmMs.n ?? 0} per query; cold: ${coldRuns} server restarts (server ready in ` +
      `${ms(r.memory.serverStartMs.median)}${coldRuns < 20 ? `; the p95 of ${coldRuns} runs is the slowest` : ''}); ` +
      (`SQL: ${r.queries[0]?.sqlMs.n ?? 0} runs. Throughput: ${t.connections} connections for ${t.durationS} s ` +
        `cycling through the ${t.requestsPerRound} requests above, `) +
      (`${int(t.requests)} answered, p50 ${ms(t.latencyMs.p50)}, p99 ${ms(t.latencyMs.p99)}, max ` +
        `${ms(t.latencyMs.max)}, ${t.non2xx} non-2xx, ${t.errors} errors; `) +
      'autocannon runs in the benchmark process, on the same cores as the server.',
  );
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
