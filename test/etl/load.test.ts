/**
 * The load's rules (docs/architecture.md, "Correctness rules"): atomic per file, idempotent, revisions keep history,
 * overlapping
 * files never count twice, unit codes resolved in the right list, the reform re-aggregates through lineage.
 * Real DuckDB files, real report files in temp folders.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadFiles } from '../../etl/load.ts';
import type { Warehouse } from '../../schema/warehouse.ts';
import {
  cleanupTemp,
  closeWarehouse,
  count,
  csv,
  currentFacts,
  facts,
  freshWarehouse,
  HEADER,
  HEADER_FULL,
  snapshot,
  tempDir,
  unitId,
  writeFile,
} from '../helpers.ts';

const TODAY = '2026-01-15';

let w: Warehouse;
let dir: string;

beforeEach(async () => {
  w = await freshWarehouse();
  dir = tempDir();
});
afterEach(async () => {
  await closeWarehouse(w);
});
afterAll(cleanupTemp);

const load = (paths: string[], today = TODAY) => loadFiles(w, paths, { today, baseDir: dir });

/** One-row report: unit, period, indicator, value, submitted_on. */
function report(name: string, rows: string[], header = 'unit_code,period,indicator,value,submitted_on'): string {
  return writeFile(dir, name, csv(header, ...rows));
}

describe('a good file', () => {
  it('loads its facts with the right units, periods and values, one report per unit and period, and an etl_runs row', async () => {
    const file = report('good.csv', [
      '2025-03:26734,2024,cases_initiated,3,2024-04-05',
      '2025-03:26734,2024,cases_solved,2,2024-04-05',
      '2025-03:26734,2024Q1,cases_initiated,1,2024-04-05',
      'VN,2024,cases_initiated,10,2024-04-06',
      '2025-07:00004,202509,hotline_calls,4,',
    ]);
    const r = await load([file]);

    expect(r).toMatchObject({ loaded: 1, unchanged: 0, rejected: 0, rows: 5, revised: 0, warnings: 0 });
    expect(r.files).toEqual([
      expect.objectContaining({ name: 'good.csv', status: 'loaded', rows: 5, errors: 0, issues: [] }),
    ]);

    const tanDinh = await unitId(w, '2025-03:26734');
    const nation = await unitId(w, 'VN');
    const baDinh = await unitId(w, '2025-07:00004');
    const rows =
      await w.sql(`SELECT unit_id, period_id, indicator, sex, age_group, value, submitted_on::VARCHAR AS submitted_on, is_current
      FROM facts ORDER BY unit_id, period_id, indicator`);
    expect(rows).toEqual(
      [
        {
          unit_id: nation,
          period_id: '2024',
          indicator: 'cases_initiated',
          sex: 'total',
          age_group: 'total',
          value: 10,
          submitted_on: '2024-04-06',
          is_current: true,
        },
        {
          unit_id: tanDinh,
          period_id: '2024',
          indicator: 'cases_initiated',
          sex: 'total',
          age_group: 'total',
          value: 3,
          submitted_on: '2024-04-05',
          is_current: true,
        },
        {
          unit_id: tanDinh,
          period_id: '2024',
          indicator: 'cases_solved',
          sex: 'total',
          age_group: 'total',
          value: 2,
          submitted_on: '2024-04-05',
          is_current: true,
        },
        {
          unit_id: tanDinh,
          period_id: '2024Q1',
          indicator: 'cases_initiated',
          sex: 'total',
          age_group: 'total',
          value: 1,
          submitted_on: '2024-04-05',
          is_current: true,
        },
        // No submitted_on: the load date.
        {
          unit_id: baDinh,
          period_id: '202509',
          indicator: 'hotline_calls',
          sex: 'total',
          age_group: 'total',
          value: 4,
          submitted_on: TODAY,
          is_current: true,
        },
      ].sort(
        (a, b) =>
          a.unit_id - b.unit_id || a.period_id.localeCompare(b.period_id) || a.indicator.localeCompare(b.indicator),
      ),
    );

    const reports = await w.sql<{
      unit_id: number;
      period_id: string;
      submitted_on: string;
      run_id: number;
      file_id: number;
    }>(
      'SELECT unit_id, period_id, submitted_on::VARCHAR AS submitted_on, run_id, file_id FROM reports ORDER BY ' +
        'unit_id, period_id',
    );
    expect(reports.map((x) => [x.unit_id, x.period_id])).toEqual(
      [
        [nation, '2024'],
        [tanDinh, '2024'],
        [tanDinh, '2024Q1'],
        [baDinh, '202509'],
      ].sort((a, b) => (a[0] as number) - (b[0] as number)),
    );
    expect(new Set(reports.map((x) => x.run_id))).toEqual(new Set([r.runId]));
    expect(new Set(reports.map((x) => x.file_id)).size).toBe(1);
    // Every fact points at the report of its file, unit and period.
    expect(
      await count(w, 'facts f JOIN reports p USING (report_id)', 'p.unit_id = f.unit_id AND p.period_id = f.period_id'),
    ).toBe(5);

    const [run] = await w.sql('SELECT * FROM etl_runs WHERE run_id = $1', [r.runId]);
    expect(run).toMatchObject({
      status: 'succeeded',
      files_loaded: 1,
      files_unchanged: 0,
      files_rejected: 0,
      rows_loaded: 5,
      facts_revised: 0,
      warnings: 0,
    });
    expect(run.finished_at).not.toBeNull();
    expect(await w.sql('SELECT file_name, status, rows, run_id FROM source_files')).toEqual([
      { file_name: 'good.csv', status: 'loaded', rows: 5, run_id: r.runId },
    ]);
  });

  it(
    'loading it again changes nothing: unchanged, same facts and reports; a copy under another name is recognised ' +
      'too',
    async () => {
      const file = report('good.csv', [
        '2025-03:26734,2024,cases_initiated,3,2024-04-05',
        'VN,2024,cases_solved,1,2024-04-05',
      ]);
      await load([file]);
      const before = await snapshot(w);

      const again = await load([file]);
      expect(again).toMatchObject({ loaded: 0, unchanged: 1, rejected: 0, rows: 0, revised: 0 });
      expect(again.files[0].status).toBe('unchanged');

      const copy = writeFile(
        dir,
        'sub/copy-of-good.csv',
        csv(
          'unit_code,period,indicator,value,submitted_on',
          '2025-03:26734,2024,cases_initiated,3,2024-04-05',
          'VN,2024,cases_solved,1,2024-04-05',
        ),
      );
      const third = await load([copy]);
      expect(third.files[0].status).toBe('unchanged');

      expect(await snapshot(w)).toEqual(before);
      expect(await count(w, 'facts')).toBe(2);
      expect(await count(w, 'reports')).toBe(2);
      const [run] = await w.sql('SELECT files_loaded, files_unchanged, rows_loaded FROM etl_runs WHERE run_id = $1', [
        again.runId,
      ]);
      expect(run).toEqual({ files_loaded: 0, files_unchanged: 1, rows_loaded: 0 });
    },
  );
});

describe('atomic per file', () => {
  it('a rejected file leaves the warehouse unchanged and is recorded with its located errors', async () => {
    await load([report('good.csv', ['2025-03:26734,2024,cases_initiated,3,2024-04-05'])]);
    const before = await snapshot(w);

    const bad = report('bad.csv', [
      '2025-03:26734,2024,cases_solved,2,2024-04-05',
      '2025-03:26734,2024,cases_slved,1,2024-04-05',
      '2025-03:26734,2024Q2,victims_returned,-1,2024-07-05',
    ]);
    const r = await load([bad]);
    expect(r).toMatchObject({ loaded: 0, rejected: 1, rows: 0 });
    expect(r.files[0]).toMatchObject({ name: 'bad.csv', status: 'rejected', errors: 2 });
    expect(r.files[0].issues.map((i) => [i.severity, i.file, i.line, i.col, i.column])).toEqual([
      ['error', 'bad.csv', 3, 3, 'indicator'],
      ['error', 'bad.csv', 4, 4, 'value'],
    ]);

    expect(await snapshot(w)).toEqual(before);
    expect(await w.sql(`SELECT file_name, status FROM source_files WHERE run_id = $1`, [r.runId])).toEqual([
      { file_name: 'bad.csv', status: 'rejected' },
    ]);
    const rejects = await w.sql<{
      line: number;
      col: number;
      column_name: string;
      severity: string;
      message: string;
      file_name: string;
    }>('SELECT file_name, severity, line, col, column_name, message FROM rejects WHERE run_id = $1 ORDER BY line', [
      r.runId,
    ]);
    expect(rejects.map((x) => [x.file_name, x.severity, x.line, x.col, x.column_name])).toEqual([
      ['bad.csv', 'error', 3, 3, 'indicator'],
      ['bad.csv', 'error', 4, 4, 'value'],
    ]);
    expect(rejects[0].message).toMatch(/cases_slved.*cases_solved/);
    expect(rejects[1].message).toMatch(/negative/);
    const [run] = await w.sql('SELECT files_loaded, files_rejected, rows_loaded FROM etl_runs WHERE run_id = $1', [
      r.runId,
    ]);
    expect(run).toEqual({ files_loaded: 0, files_rejected: 1, rows_loaded: 0 });
  });

  it('a file mixing good and bad rows loads nothing, while a good file in the same call loads', async () => {
    const mixed = report('a-mixed.csv', [
      '2025-03:26734,2024,cases_initiated,3,2024-04-05',
      'VN,2024,cases_initiated,12,2024-04-05',
      '2025-03:26734,2024,cases_solved,abc,2024-04-05',
    ]);
    const good = report('b-good.csv', ['2025-03:26734,2024,hotline_calls,8,2024-04-05']);
    const r = await load([mixed, good]);
    expect(r).toMatchObject({ loaded: 1, rejected: 1, rows: 1 });
    expect(r.files.map((f) => [f.name, f.status])).toEqual([
      ['a-mixed.csv', 'rejected'],
      ['b-good.csv', 'loaded'],
    ]);
    expect(await facts(w)).toEqual([
      {
        ref: '2025-03:26734',
        period_id: '2024',
        indicator: 'hotline_calls',
        sex: 'total',
        age_group: 'total',
        value: 8,
        submitted_on: '2024-04-05',
        is_current: true,
      },
    ]);
    expect(await count(w, 'reports')).toBe(1);
    expect(await w.sql('SELECT file_name, status FROM source_files ORDER BY file_id')).toEqual([
      { file_name: 'a-mixed.csv', status: 'rejected' },
      { file_name: 'b-good.csv', status: 'loaded' },
    ]);
    // A rejected file, corrected and sent again, loads.
    writeFile(
      dir,
      'a-mixed.csv',
      csv(
        'unit_code,period,indicator,value,submitted_on',
        '2025-03:26734,2024,cases_initiated,3,2024-04-05',
        'VN,2024,cases_initiated,12,2024-04-05',
        '2025-03:26734,2024,cases_solved,1,2024-04-05',
      ),
    );
    const again = await load([mixed, good]);
    expect(again.files.map((f) => [f.name, f.status])).toEqual([
      ['a-mixed.csv', 'loaded'],
      ['b-good.csv', 'unchanged'],
    ]);
    expect(await count(w, 'facts')).toBe(4);
  });
});

describe('several files in one call', () => {
  it(
    'a file the CSV reader cannot read whole, a file with a bad value and a good file: each judged alone, lines ' +
      'exact',
    async () => {
      const truncated = writeFile(
        dir,
        'a-truncated.csv',
        `${HEADER}\nVN,2024,cases_solved,1\nVN,2024,cases_initiated,2\nVN,2024Q1\n`,
      );
      const bad = writeFile(dir, 'b-bad.csv', csv(HEADER, 'VN,2024,cases_solved,1', 'VN,2024,cases_initiated,x'));
      const good = writeFile(dir, 'c-good.csv', csv(HEADER, 'VN,2025,cases_solved,1'));
      const r = await load([truncated, bad, good]);
      expect(r.files.map((f) => [f.name, f.status, f.issues.map((i) => [i.line, i.col])])).toEqual([
        ['a-truncated.csv', 'rejected', [[4, 3]]],
        ['b-bad.csv', 'rejected', [[3, 4]]],
        ['c-good.csv', 'loaded', []],
      ]);
      expect((await currentFacts(w)).map((f) => [f.period_id, f.indicator, f.value])).toEqual([
        ['2025', 'cases_solved', 1],
      ]);
      expect(await count(w, 'reports')).toBe(1);
    },
  );

  it('a folder loads its report files in name order, recursively', async () => {
    writeFile(
      dir,
      'inbox/2-later.csv',
      csv('unit_code,period,indicator,value,submitted_on', 'VN,2024,cases_solved,5,2024-04-05'),
    );
    writeFile(
      dir,
      'inbox/1-earlier.csv',
      csv('unit_code,period,indicator,value,submitted_on', 'VN,2024,cases_solved,4,2024-04-05'),
    );
    writeFile(
      dir,
      'inbox/sub/3.json',
      JSON.stringify([{ unit_code: 'VN', period: '2024', indicator: 'hotline_calls', value: 9 }]),
    );
    writeFile(dir, 'inbox/notes.md', '# not a report');
    const r = await load([`${dir}/inbox`]);
    expect(r.files.map((f) => [f.name, f.status])).toEqual([
      ['inbox/1-earlier.csv', 'loaded'],
      ['inbox/2-later.csv', 'loaded'],
      ['inbox/sub/3.json', 'loaded'],
    ]);
    // Same submission date: the later-loaded (later in name order) wins.
    expect((await currentFacts(w)).map((f) => [f.indicator, f.value])).toEqual([
      ['cases_solved', 5],
      ['hotline_calls', 9],
    ]);
  });

  it('small batches (batchBytes) give the same warehouse as one batch', async () => {
    const files = [
      report('1.csv', ['VN,2024,cases_solved,4,2024-04-05', 'VN,2024,cases_initiated,6,2024-04-05']),
      report('2.csv', ['VN,2024,cases_solved,5,2024-04-20']),
      report('3.csv', ['VN,2024,cases_solved,3,2024-04-01', 'VN,2024,cases_initiated,x,2024-04-01']),
      report('4.csv', ['VN,2024,cases_solved,2,2024-04-02']),
    ];
    const one = await load(files);
    const inOne = await facts(w);
    const w2 = await freshWarehouse();
    try {
      const small = await loadFiles(w2, files, { today: TODAY, baseDir: dir, batchBytes: 1 });
      expect(await facts(w2)).toEqual(inOne);
      // (`revised` is not compared: it counts facts that were current in the warehouse before the batch, so a
      // value superseded within one batch counts 0 there and 1 across two batches.)
      expect([small.loaded, small.rejected, small.rows]).toEqual([one.loaded, one.rejected, one.rows]);
      expect([one.loaded, one.rejected, one.rows]).toEqual([3, 1, 4]);
      expect((await currentFacts(w2)).map((f) => [f.indicator, f.value])).toEqual([
        ['cases_initiated', 6],
        ['cases_solved', 5],
      ]);
    } finally {
      await closeWarehouse(w2);
    }
  });

  it('loads started together run one after the other', async () => {
    const [r1, r2] = await Promise.all([
      load([report('p.csv', ['VN,2024,cases_solved,4,2024-04-05'])]),
      load([report('q.csv', ['VN,2024,cases_solved,5,2024-04-06'])]),
    ]);
    expect(r2.runId).toBe(r1.runId + 1);
    expect([r1.revised, r2.revised]).toEqual([0, 1]);
    expect((await currentFacts(w)).map((f) => f.value)).toEqual([5]);
  });

  it('a load that fails does not leave its run "running"', async () => {
    await expect(load([`${dir}/no-such-file.csv`])).rejects.toThrow();
    expect(await w.sql(`SELECT run_id, status FROM etl_runs WHERE status = 'running'`)).toEqual([]);
    // And the next load works.
    expect((await load([report('after.csv', ['VN,2024,cases_solved,4,2024-04-05'])])).loaded).toBe(1);
  });
});

describe('revisions', () => {
  const row = (submitted: string, value: number) => `2025-03:26734,202403,cases_initiated,${value},${submitted}`;
  const history = async () => (await facts(w)).map((f) => [f.submitted_on, f.value, f.is_current]);

  it('a later submission revises the value and keeps the earlier one as history; a late older one stays history', async () => {
    const a = report('a.csv', [row('2024-04-05', 3)]);
    const b = report('b.csv', [row('2024-04-20', 5)]);
    const c = report('c.csv', [row('2024-04-10', 4)]);

    expect((await load([a])).revised).toBe(0);
    const rb = await load([b]);
    expect(rb).toMatchObject({ loaded: 1, revised: 1 });
    expect(await history()).toEqual([
      ['2024-04-05', 3, false],
      ['2024-04-20', 5, true],
    ]);
    expect((await w.sql('SELECT facts_revised FROM etl_runs WHERE run_id = $1', [rb.runId]))[0]).toEqual({
      facts_revised: 1,
    });

    const rc = await load([c]);
    expect(rc).toMatchObject({ loaded: 1, revised: 0 });
    expect(await history()).toEqual([
      ['2024-04-05', 3, false],
      ['2024-04-10', 4, false],
      ['2024-04-20', 5, true],
    ]);
    expect(await count(w, 'facts', 'is_current')).toBe(1);
    // Every submission is a report (compliance counts resubmissions).
    expect(await count(w, 'reports')).toBe(3);
  });

  it('with the same submitted_on, the later-loaded file wins (separate calls)', async () => {
    await load([report('x.csv', [row('2024-04-20', 5)])]);
    const r = await load([report('y.csv', [row('2024-04-20', 6)])]);
    expect(r.revised).toBe(1);
    expect(await history()).toEqual([
      ['2024-04-20', 5, false],
      ['2024-04-20', 6, true],
    ]);
  });

  it('with the same submitted_on, the later-loaded file wins (one call)', async () => {
    const r = await load([report('x.csv', [row('2024-04-20', 5)]), report('y.csv', [row('2024-04-20', 6)])]);
    expect(r.loaded).toBe(2);
    expect(await history()).toEqual([
      ['2024-04-20', 5, false],
      ['2024-04-20', 6, true],
    ]);
  });

  it('in one call, the latest submitted_on wins whatever the file order', async () => {
    await load([report('1-late.csv', [row('2024-04-20', 5)]), report('2-early.csv', [row('2024-04-05', 3)])]);
    expect(await history()).toEqual([
      ['2024-04-05', 3, false],
      ['2024-04-20', 5, true],
    ]);
  });

  it('a revision of one figure leaves the other figures of the unit and period current', async () => {
    await load([report('a.csv', [row('2024-04-05', 3), '2025-03:26734,202403,cases_solved,2,2024-04-05'])]);
    await load([report('b.csv', [row('2024-04-20', 5)])]);
    expect((await currentFacts(w)).map((f) => [f.indicator, f.value])).toEqual([
      ['cases_initiated', 5],
      ['cases_solved', 2],
    ]);
  });
});

describe('overlapping files', () => {
  const shared = 'VN,2024,cases_initiated,10,2024-04-05';
  const fileA = () => report('a.csv', [shared, 'VN,2024,cases_solved,7,2024-04-05']);
  const fileB = () => report('b.csv', [shared, 'VN,2024,hotline_calls,30,2024-04-05']);

  it('an identical row in two files loaded one after the other is stored once', async () => {
    await load([fileA()]);
    await load([fileB()]);
    expect(await count(w, 'facts', `indicator = 'cases_initiated'`)).toBe(1);
    expect((await currentFacts(w)).map((f) => [f.indicator, f.value])).toEqual([
      ['cases_initiated', 10],
      ['cases_solved', 7],
      ['hotline_calls', 30],
    ]);
  });

  it('loading [A, B] in one call gives the same current facts as loading A then B, the shared row stored once', async () => {
    const a = fileA();
    const b = fileB();
    await load([a]);
    await load([b]);
    const sequential = await currentFacts(w);

    const w2 = await freshWarehouse();
    try {
      const r = await loadFiles(w2, [a, b], { today: TODAY, baseDir: dir });
      expect(r.loaded).toBe(2);
      expect(await count(w2, 'facts', `indicator = 'cases_initiated'`)).toBe(1);
      expect(await currentFacts(w2)).toEqual(sequential);
    } finally {
      await closeWarehouse(w2);
    }
  });
});

describe('disaggregation', () => {
  it('victims_returned total, female/male and child/adult load as separate facts', async () => {
    const r = await load([
      writeFile(
        dir,
        'victims.csv',
        csv(
          HEADER_FULL,
          '2025-07:00004,202509,victims_returned,5,,,2025-10-02',
          '2025-07:00004,202509,victims_returned,3,female,,2025-10-02',
          '2025-07:00004,202509,victims_returned,2,male,,2025-10-02',
          '2025-07:00004,202509,victims_returned,1,,child,2025-10-02',
          '2025-07:00004,202509,victims_returned,4,,adult,2025-10-02',
          '2025-07:00004,202509,victims_returned,1,female,child,2025-10-02',
        ),
      ),
    ]);
    expect(r).toMatchObject({ loaded: 1, rows: 6 });
    expect((await currentFacts(w)).map((f) => [f.sex, f.age_group, f.value])).toEqual([
      ['female', 'child', 1],
      ['female', 'total', 3],
      ['male', 'total', 2],
      ['total', 'adult', 4],
      ['total', 'child', 1],
      ['total', 'total', 5],
    ]);
    expect(await w.sql('SELECT count(DISTINCT fact_key)::INTEGER AS n FROM facts')).toEqual([{ n: 6 }]);
    expect(await count(w, 'reports')).toBe(1);
  });

  it('sex on an indicator that is not broken down is an error', async () => {
    const r = await load([
      writeFile(
        dir,
        'sex.csv',
        csv(
          HEADER_FULL,
          '2025-07:00004,202509,victims_returned,3,female,,2025-10-02',
          '2025-07:00004,202509,cases_solved,1,male,,2025-10-02',
        ),
      ),
    ]);
    expect(r.files[0].status).toBe('rejected');
    expect(r.files[0].issues).toEqual([
      expect.objectContaining({
        line: 3,
        col: 5,
        column: 'sex',
        message: expect.stringMatching(/cases_solved is not broken down by sex/),
      }),
    ]);
    expect(await count(w, 'facts')).toBe(0);
  });
});

describe('the 2025 reform', () => {
  it(
    'old Đồng Nai and old Bình Phước re-aggregate onto new Đồng Nai through unit_lineage; old units stay as they ' +
      'were',
    async () => {
      const r = await load([
        writeFile(
          dir,
          'provinces.csv',
          csv(
            'unit_code,period,indicator,value,submitted_on',
            '2025-03:75,2024,victims_returned,7,2025-01-10',
            '2025-03:70,2024,victims_returned,4,2025-01-10',
            '2025-03:70,2024,cases_initiated,2,2025-01-10',
            '2025-07:75,2025S2,victims_returned,5,2025-12-30',
          ),
        ),
      ]);
      expect(r.loaded).toBe(1);

      const lineage = await w.sql(`SELECT o.ref AS old_ref, l.transfer, l.weight FROM unit_lineage l
      JOIN units o ON o.unit_id = l.old_id JOIN units n ON n.unit_id = l.new_id
      WHERE n.ref = '2025-07:75' AND o.level = 'province' ORDER BY o.ref`);
      expect(lineage).toEqual([
        { old_ref: '2025-03:70', transfer: 'full', weight: 1 },
        { old_ref: '2025-03:75', transfer: 'full', weight: 1 },
      ]);

      // History on today's units: an old unit's figures go to its successor, a new unit's stay its own.
      const onNewUnits = await w.sql(`SELECT f.period_id, sum(f.value * coalesce(l.weight, 1))::DOUBLE AS v
      FROM facts f JOIN units u USING (unit_id)
      LEFT JOIN unit_lineage l ON l.old_id = f.unit_id
      WHERE f.is_current AND f.indicator = 'victims_returned'
        AND (CASE WHEN u.hierarchy = '2025-03' THEN l.new_id ELSE f.unit_id END) = (SELECT unit_id FROM units WHERE ref = '2025-07:75')
      GROUP BY f.period_id ORDER BY f.period_id`);
      expect(onNewUnits).toEqual([
        { period_id: '2024', v: 11 },
        { period_id: '2025S2', v: 5 },
      ]);

      expect(
        (await currentFacts(w)).filter((f) => f.ref === '2025-03:75').map((f) => [f.period_id, f.indicator, f.value]),
      ).toEqual([['2024', 'victims_returned', 7]]);
      expect((await currentFacts(w)).filter((f) => f.ref === '2025-03:70').map((f) => [f.indicator, f.value])).toEqual([
        ['cases_initiated', 2],
        ['victims_returned', 4],
      ]);
    },
  );

  it('an old ward of Biên Hòa rolls up to old Đồng Nai through unit_closure, and through lineage to new Đồng Nai', async () => {
    const [ward] = await w.sql<{ ref: string; name: string }>(`SELECT ref, name FROM units u
      WHERE hierarchy = '2025-03' AND parent_id = (SELECT unit_id FROM units WHERE ref = '2025-03:731')
        AND EXISTS (SELECT 1 FROM unit_lineage l WHERE l.old_id = u.unit_id AND l.transfer = 'full')
      ORDER BY code LIMIT 1`);
    expect(ward).toBeDefined();
    await load([
      writeFile(
        dir,
        'ward.csv',
        csv(HEADER, `${ward.ref},202403,victims_returned,2`, `${ward.ref},202404,victims_returned,3`),
      ),
    ]);

    const up = await w.sql(`SELECT a.ref, c.depth, sum(f.value)::DOUBLE AS v FROM facts f
      JOIN unit_closure c ON c.descendant_id = f.unit_id JOIN units a ON a.unit_id = c.ancestor_id
      WHERE f.is_current AND a.ref IN ('2025-03:731', '2025-03:75', 'VN') GROUP BY a.ref, c.depth ORDER BY c.depth`);
    expect(up).toEqual([
      { ref: '2025-03:731', depth: 1, v: 5 },
      { ref: '2025-03:75', depth: 2, v: 5 },
      { ref: 'VN', depth: 3, v: 5 },
    ]);

    const [onNew] = await w.sql(`SELECT sum(f.value * l.weight)::DOUBLE AS v FROM facts f
      JOIN unit_lineage l ON l.old_id = f.unit_id JOIN unit_closure c ON c.descendant_id = l.new_id
      WHERE f.is_current AND c.ancestor_id = (SELECT unit_id FROM units WHERE ref = '2025-07:75')`);
    expect(onNew).toEqual({ v: 5 });
  });
});

describe('unit codes', () => {
  it("a plain code resolves by the period's end date: 00004 is Trúc Bạch in 2024 and Ba Đình in 202509", async () => {
    await load([
      writeFile(
        dir,
        'plain.csv',
        csv(HEADER, '00004,2024,cases_initiated,1', '00004,202509,cases_initiated,2', '00004,2025,cases_initiated,3'),
      ),
    ]);
    const rows = await w.sql(
      `SELECT f.period_id, u.ref, u.name, u.hierarchy, f.value FROM facts f JOIN units u USING (unit_id) ORDER BY ` +
        `f.period_id`,
    );
    expect(rows).toEqual([
      { period_id: '2024', ref: '2025-03:00004', name: 'Trúc Bạch', hierarchy: '2025-03', value: 1 },
      // A 2025 year report ends after the reform: the new list.
      { period_id: '2025', ref: '2025-07:00004', name: 'Ba Đình', hierarchy: '2025-07', value: 3 },
      { period_id: '202509', ref: '2025-07:00004', name: 'Ba Đình', hierarchy: '2025-07', value: 2 },
    ]);
  });

  it('around the reform: a 2025 year report only from the new list; a half-year only from the list in force', async () => {
    const r = await load([
      writeFile(
        dir,
        'edges.csv',
        csv(
          HEADER,
          '2025-07:00004,2025,cases_solved,2',
          '00004,2025S1,cases_solved,3',
          '00004,2025S2,cases_solved,4',
          '2025-03:26734,202506,cases_solved,5',
        ),
      ),
    ]);
    expect(r.loaded).toBe(1);
    expect((await currentFacts(w)).map((f) => [f.ref, f.period_id, f.value])).toEqual([
      ['2025-03:00004', '2025S1', 3],
      ['2025-03:26734', '202506', 5],
      ['2025-07:00004', '2025', 2],
      ['2025-07:00004', '2025S2', 4],
    ]);
    const bad = await load([
      writeFile(
        dir,
        'edges-bad.csv',
        csv(
          HEADER,
          '2025-07:00004,2025S1,cases_solved,1',
          '2025-03:26734,202507,cases_solved,1',
          // An old-list unit existed until 30/6/2025: not for the whole of 2025.
          '2025-03:26734,2025,cases_solved,1',
        ),
      ),
    ]);
    expect(bad.files[0].issues.map((i) => [i.line, i.col, i.column])).toEqual([
      [2, 1, 'unit_code'],
      [3, 1, 'unit_code'],
      [4, 2, 'period'],
    ]);
  });

  it('the hierarchy column chooses the list of a plain code', async () => {
    const r = await load([
      writeFile(
        dir,
        'h.csv',
        csv('unit_code,period,indicator,value,hierarchy', '00004,2025S1,cases_initiated,3,2025-03'),
      ),
    ]);
    expect(r.loaded).toBe(1);
    expect(await w.sql(`SELECT u.ref FROM facts f JOIN units u USING (unit_id)`)).toEqual([{ ref: '2025-03:00004' }]);
  });
});

describe('warnings', () => {
  it('tipoffs_resolved above tipoffs_received: the file loads with one warning, recorded', async () => {
    const r = await load([
      writeFile(
        dir,
        'tips.csv',
        csv(
          HEADER,
          '2025-03:26734,2024Q1,tipoffs_received,5',
          '2025-03:26734,2024Q1,tipoffs_resolved,7',
          '2025-03:26734,2024Q2,tipoffs_received,5',
          '2025-03:26734,2024Q2,tipoffs_resolved,5',
        ),
      ),
    ]);
    expect(r).toMatchObject({ loaded: 1, rejected: 0, rows: 4, warnings: 1 });
    expect(r.files[0]).toMatchObject({ status: 'loaded', errors: 0 });
    expect(r.files[0].issues).toEqual([
      expect.objectContaining({ severity: 'warning', file: 'tips.csv', line: 3, col: 4, column: 'value' }),
    ]);
    expect(r.files[0].issues[0].message).toMatch(/tipoffs_resolved 7 is more than tipoffs_received 5/);
    expect(await count(w, 'facts', 'is_current')).toBe(4);
    expect(await w.sql('SELECT severity, line, col, column_name FROM rejects WHERE run_id = $1', [r.runId])).toEqual([
      { severity: 'warning', line: 3, col: 4, column_name: 'value' },
    ]);
    expect(await w.sql('SELECT warnings, files_loaded FROM etl_runs WHERE run_id = $1', [r.runId])).toEqual([
      { warnings: 1, files_loaded: 1 },
    ]);
  });
});
