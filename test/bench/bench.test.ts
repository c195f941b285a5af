/**
 * The benchmark harness itself, on the demo sample (`npm run bench -- --quick`): it runs to the end, writes
 * results.json with every figure, and the API's answers equal the hand-written SQL's. No timer is asserted: the
 * figures are the benchmark's business, not the tests'.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTemp, tempDir } from '../helpers.ts';
import { projectRoot } from '../api/client.ts';

afterAll(cleanupTemp);

const positive = (n: unknown) => typeof n === 'number' && Number.isFinite(n) && n > 0;
const timing = (t: any) =>
  positive(t.n) && [t.median, t.p95, t.min, t.max].every((x) => typeof x === 'number' && x >= 0);

describe('npm run bench -- --quick', () => {
  it('measures load, queries, throughput and memory, and the API agrees with the SQL', () => {
    const work = tempDir('pcmbn-bench-test-');
    const out = join(work, 'out');
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'bench/run.ts', '--quick', '--work', work, '--out', out, '--no-readme', '--duration', '2'],
      {
        cwd: projectRoot,
        encoding: 'utf8',
        timeout: 280_000,
        env: { ...process.env, PCMBN_ANONYMOUS: undefined },
      },
    );
    expect(run.stderr + run.stdout).not.toMatch(/FAILED/);
    expect(run.status, run.stderr).toBe(0);
    expect(existsSync(join(out, 'results.md'))).toBe(true);

    const r = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(r.benchmark).toBe('pcmbn-warehouse');
    expect(r.quick).toBe(true);
    expect(r.sample.scale).toBe('demo');
    expect(Number.isNaN(Date.parse(r.date))).toBe(false);
    expect(r.machine.cores).toBeGreaterThan(0);
    expect(r.machine.cpuModel).toEqual(expect.any(String));
    expect(r.machine.loadAverageAtStart).toHaveLength(3);
    expect(r.versions.node).toBe(process.version);
    expect(r.versions.duckdb).toMatch(/^v\d/);

    // The monthly drop: a new month for every commune of the sample's provinces, by the CLI and by a server's inbox.
    expect(r.drop.files).toBeGreaterThan(0);
    expect(r.drop.rows).toBeGreaterThan(0);
    expect(r.drop.cli.exitCode).toBe(0);
    expect(r.drop.cli.summary).toMatch(
      new RegExp(`: ${r.drop.files} loaded, 0 unchanged, 0 rejected; ${r.drop.rows} rows`),
    );
    for (const x of [
      r.drop.cli.wallMs,
      r.drop.cli.loadMs,
      r.drop.cli.peakRssBytes,
      r.drop.inbox.wallMs,
      r.drop.inbox.heldMs,
    ])
      expect(positive(x)).toBe(true);
    expect(r.drop.inbox.summary).toMatch(new RegExp(`: ${r.drop.files} loaded, 0 unchanged, 0 rejected`));
    expect(r.drop.inbox.requestsHeld).toBeGreaterThanOrEqual(0);
    expect(r.drop.inbox.probe.requests).toBeGreaterThan(0);
    expect(r.targets.map((t: { id: string }) => t.id)).toContain('drop-wall');

    // Load and floor read the same rows.
    expect(r.load.rows).toBe(r.floor.rows);
    expect(r.load.rows).toBe(r.sample.rows);
    expect(r.load.filesRejected).toBe(0);
    for (const x of [
      r.load.ms,
      r.load.rowsPerSecond,
      r.floor.rowsPerSecond,
      r.loadRatio,
      r.load.peakRssBytes,
      r.database.bytes,
    ])
      expect(positive(x)).toBe(true);
    expect(timing(r.floor.ms)).toBe(true);
    expect(r.load.profile.length).toBeGreaterThan(0);

    // The five dashboard operations and a viewer's two first answers, each timed three ways with a viewer key and
    // with an analyst key, each answer checked against the SQL's (a viewer's with the suppression pattern applied).
    expect(r.queries.map((q: any) => q.id)).toEqual([
      'national-kpis',
      'province-trend',
      'province-communes',
      'province-compliance',
      'national-overview',
      'province-victims-kpis',
      'national-victims-trend',
    ]);
    for (const q of r.queries) {
      expect(q.graphql.length).toBe(q.requests);
      expect(q.sql).toMatch(/SELECT/);
      expect(timing(q.sqlMs)).toBe(true);
      for (const role of ['viewer', 'analyst']) {
        const x = q[role];
        expect(timing(x.apiColdMs) && timing(x.apiWarmMs)).toBe(true);
        expect(positive(x.ratioWarm) && positive(x.ratioCold)).toBe(true);
        expect(x.figures).toBeGreaterThan(0);
        expect(x.mismatches).toEqual([]);
        expect(x.agree).toBe(true);
      }
    }
    expect(r.queries.find((q: any) => q.id === 'national-overview').requests).toBeGreaterThan(5);
    expect(r.checks).toEqual({ apiEqualsSql: true, mismatches: 0 });

    for (const role of ['viewer', 'analyst']) {
      const t = r.throughput[role];
      expect(t.connections).toBe(32);
      expect(positive(t.requests) && positive(t.requestsPerSecond)).toBe(true);
      expect(t.non2xx + t.errors).toBe(0);
    }
    expect(positive(r.memory.serverPeakRssBytes)).toBe(true);
    expect(timing(r.cliStartMs)).toBe(true);

    // Every target judged: met, missed (with by how much), or not applicable at this scale.
    const ids = r.targets.map((t: any) => t.id);
    for (const id of [
      'load-ratio',
      'load-time',
      'throughput-viewer',
      'throughput-p99-viewer',
      'throughput-analyst',
      'throughput-p99-analyst',
      'first-kpis',
      'first-trend',
      'cold-overview-viewer',
      'cold-overview-analyst',
      'cli-start',
      'rss-server',
      'rss-load',
    ])
      expect(ids).toContain(id);
    for (const q of r.queries)
      for (const role of ['viewer', 'analyst'])
        expect(ids).toEqual(expect.arrayContaining([`warm-${role}-${q.id}`, `cold-${role}-${q.id}`]));
    for (const t of r.targets) {
      expect([true, false, null]).toContain(t.met);
      if (t.met === false) expect(t.gap).toMatch(/×/);
    }
    expect(readFileSync(join(out, 'results.md'), 'utf8')).toMatch(/\| figure \| measured \| target \| met \|/);
  }, 300_000);
});

describe('comparing answers', () => {
  it('reports a figure that differs, one that is missing, and a row only one side lists', async () => {
    const { compareFigures } = await import('../../bench/figures.ts');
    const api = new Map<string, unknown>([
      ['kpi|VN|2025|||a|#', true],
      ['kpi|VN|2025|||a|value', 12],
      ['kpi|VN|2025|||a|status', 'MET'],
      ['kpi|VN|2025|||b|#', true],
    ]);
    const sql = new Map<string, unknown>([
      ['kpi|VN|2025|||a|#', true],
      ['kpi|VN|2025|||a|value', 12 + 1e-12],
      ['kpi|VN|2025|||a|status', 'NOT_MET'],
      ['kpi|VN|2025|||c|#', true],
    ]);
    const out = compareFigures(api as never, sql as never);
    expect(out).toHaveLength(3);
    expect(out.join('\n')).toMatch(/status: the API says "MET", the SQL "NOT_MET"/);
    expect(out.join('\n')).toMatch(/row kpi\|VN\|2025\|\|\|b: in the API's answer, not in the SQL's/);
    expect(out.join('\n')).toMatch(/row kpi\|VN\|2025\|\|\|c: in the SQL's answer, not in the API's/);
  });
});
