/**
 * From prose to the API, with the real commands: `pcmbn etl extract` proposes a report file and loads nothing;
 * `pcmbn etl load` of the reviewed file loads it like any report and keeps each citation as the value's provenance
 * (`facts.source_note`); GraphQL returns it as `KpiValue.sources`. `pcmbn etl extract-plan` writes the schedule file
 * the API loads.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../api/auth/keys.ts';
import { loadSchedule } from '../../api/compliance/schedule.ts';
import { type RunningServer, startServer } from '../../api/server.ts';
import { parseTargets } from '../../etl/extract/plan.ts';
import { loadFiles } from '../../etl/load.ts';
import { openWarehouse, type Warehouse } from '../../schema/warehouse.ts';
import { pcmbn as runPcmbn, pcmbnEnv } from '../api/client.ts';
import { cleanupTemp, csv, freshWarehousePath, seedPath, tempDir, writeFile } from '../helpers.ts';
import { needs, SEEDS } from '../requirements.ts';

const seed003 = () => seedPath('003_18fdae042a0bf823.txt');
const seed000 = () => seedPath('000_efe0dd79a7fa551b.txt');

const pcmbn = (db: string, ...args: string[]) => runPcmbn(pcmbnEnv(db), ...args);

let dbPath: string;
let dir: string;
beforeAll(async () => {
  dbPath = await freshWarehousePath();
  dir = tempDir('pcmbn-extract-');
});
afterAll(cleanupTemp);

describe('003 from prose to the API', () => {
  needs(SEEDS);
  let proposal: string;
  let w: Warehouse;
  let server: RunningServer;

  afterAll(async () => {
    await server?.close();
    await w?.close();
  });

  it('extract writes the proposal, prints the review (unmapped figures included) and loads nothing', async () => {
    proposal = path.join(dir, '003.csv');
    const json = path.join(dir, '003.json');
    const r = await pcmbn(
      dbPath,
      'etl',
      'extract',
      seed003(),
      '--unit',
      '34',
      '--period',
      '2019S1',
      '--out',
      proposal,
      '--json',
      json,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/leaflets_distributed = 13500 \(lower bound\)/);
    expect(r.stderr).toMatch(/unmapped \(\d+: figures no rule maps/);
    expect(r.stderr).toMatch(/ 54 {2}"54 công dân đang lao động bất/);
    expect(r.stderr).toMatch(/wrote 12 proposed rows to .*003\.csv: review them/);
    const rows = fs.readFileSync(proposal, 'utf8').trimEnd().split('\n');
    expect(rows[0]).toBe('unit_code,period,indicator,value,sex,age_group,submitted_on,source_note');
    expect(JSON.parse(fs.readFileSync(json, 'utf8')).unmapped.map((u: { value: number }) => u.value)).toEqual(
      expect.arrayContaining([54, 442, 68]),
    );
    const w0 = await openWarehouse(dbPath);
    try {
      expect(await w0.sql('SELECT count(*)::INTEGER AS n FROM facts')).toEqual([{ n: 0 }]);
    } finally {
      await w0.close();
    }
  });

  it('misuse exits 2 with the reason', async () => {
    // Neither opens the warehouse: they may run side by side.
    const [bad, missing] = await Promise.all([
      pcmbn(dbPath, 'etl', 'extract', seed003(), '--unit', 'Thai Binh', '--period', '2019S1'),
      pcmbn(dbPath, 'etl', 'extract', '/no/such/report.txt', '--unit', '34'),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/pcmbn: --unit "Thai Binh" is not a unit code/);
    expect([missing.code, missing.stderr.trim()]).toEqual([2, 'pcmbn: no such file: /no/such/report.txt']);
  });

  it("load takes the reviewed file like any report, keeping each citation as the value's provenance", async () => {
    // The reviewer corrects one figure before loading: the loader takes the file as it is.
    const text = fs.readFileSync(proposal, 'utf8').replace(/^(34,2019S1,media_items,)36,/m, '$135,');
    fs.writeFileSync(proposal, text);
    const r = await pcmbn(dbPath, 'etl', 'load', proposal);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/1 loaded, 0 unchanged, 0 rejected; 12 rows/);
    w = await openWarehouse(dbPath);
    const facts = await w.sql<{ indicator: string; value: number; submitted_on: string; source_note: string }>(
      `SELECT indicator, value, submitted_on::VARCHAR AS submitted_on, source_note FROM facts JOIN units USING ` +
        `(unit_id) WHERE ref = '2025-03:34' AND period_id = '2019S1' ORDER BY indicator`,
    );
    expect(facts).toHaveLength(12);
    const by = Object.fromEntries(facts.map((f) => [f.indicator, f]));
    expect(by.leaflets_distributed).toMatchObject({ value: 13500, submitted_on: '2019-06-17' });
    expect(by.leaflets_distributed.source_note).toMatch(
      /^extracted from 003_18fdae042a0bf823\.txt, confidence 0\.\d\d, lower bound, sum of 2: \[1\] "12\.500 tờ rơi"/,
    );
    expect(by.media_items.value).toBe(35);
    expect(by.victims_returned.source_note).toContain(
      '«Trong 6 tháng đầu năm 2019, các lực lượng chưa tiếp nhận, hỗ trợ nạn nhân bị mua bán nào trở về.»',
    );
  });

  it(
    "KpiValue.sources: the notes of the unit's own figures of that period; none for a value built from other " +
      'cells; none at all for a viewer (a note can quote victims counts)',
    async () => {
      server = await startServer({ warehouse: w, port: 0, log: () => {} });
      const analyst = (await createApiKey(w, { role: 'analyst', unitId: 0 })).token;
      const viewer = (await createApiKey(w, { role: 'viewer', unitId: 0 })).token;
      const ask = async (token: string, period: string) => {
        const res = await fetch(server.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({
            query:
              `{ kpis(indicators: ["leaflets_distributed", "victims_returned", "victim_support_rate", ` +
              `"hotline_calls"], period: "${period}", unit: "2025-03:34") { indicator { code } value sources } }`,
          }),
        });
        const body = (await res.json()) as {
          data?: { kpis: { indicator: { code: string }; value: number | null; sources: string[] }[] };
          errors?: unknown;
        };
        expect(body.errors).toBeUndefined();
        return Object.fromEntries(body.data!.kpis.map((k) => [k.indicator.code, k]));
      };
      const a = await ask(analyst, '2019S1');
      expect(a.leaflets_distributed.value).toBe(13500);
      expect(a.leaflets_distributed.sources).toHaveLength(1);
      expect(a.leaflets_distributed.sources[0]).toMatch(/^extracted from 003_18fdae042a0bf823\.txt/);
      expect(a.victims_returned.sources[0]).toContain('chưa tiếp nhận, hỗ trợ nạn nhân bị mua bán nào');
      // A ratio: the notes of its numerator and denominator (here the same statement, once).
      expect(a.victim_support_rate.sources).toEqual(a.victims_returned.sources);
      expect(a.hotline_calls).toMatchObject({ value: null, sources: [] });
      // The year is built from its halves: its value has no note of its own.
      const year = await ask(analyst, '2019');
      expect(year.leaflets_distributed).toMatchObject({ value: 13500, sources: [] });
      const v = await ask(viewer, '2019S1');
      expect(v.leaflets_distributed.value).toBe(13500);
      expect(v.leaflets_distributed.sources).toEqual([]);
      expect(v.victims_returned.sources).toEqual([]);
      expect(v.victim_support_rate.sources).toEqual([]);
    },
  );
});

describe('source_note in the contract', () => {
  it('is optional and kept per fact; a later submission with another note revises the value and its note', async () => {
    const w = await openWarehouse(await freshWarehousePath());
    try {
      const d = tempDir('pcmbn-note-');
      const header = 'unit_code,period,indicator,value,submitted_on,source_note';
      const a = writeFile(
        d,
        'a.csv',
        csv(
          header,
          '2025-03:26734,2024Q1,media_items,4,2024-04-05,"BC 12/BC-UBND, mục 2: ""đăng 4 tin, bài"""',
          '2025-03:26734,2024Q1,hotline_calls,2,2024-04-05,',
        ),
      );
      const b = writeFile(
        d,
        'b.json',
        JSON.stringify([
          {
            unit_code: '2025-03:26734',
            period: '2024Q1',
            indicator: 'media_items',
            value: '5',
            submitted_on: '2024-04-20',
            source_note: 'BC 12/BC-UBND bổ sung',
          },
        ]),
      );
      const r = await loadFiles(w, [a, b], { today: '2026-01-01', baseDir: d });
      expect([r.loaded, r.rejected]).toEqual([2, 0]);
      expect(
        await w.sql(`SELECT indicator, value, is_current, source_note FROM facts ORDER BY indicator, submitted_on`),
      ).toEqual([
        { indicator: 'hotline_calls', value: 2, is_current: true, source_note: null },
        {
          indicator: 'media_items',
          value: 4,
          is_current: false,
          source_note: 'BC 12/BC-UBND, mục 2: "đăng 4 tin, bài"',
        },
        { indicator: 'media_items', value: 5, is_current: true, source_note: 'BC 12/BC-UBND bổ sung' },
      ]);
    } finally {
      await w.close();
    }
  });
});

describe('extract-plan', () => {
  needs(SEEDS);
  it('writes schedule.json (loadSchedule reads it) and targets.json (parseTargets reads it); loads nothing', async () => {
    const out = path.join(dir, 'plan');
    const [r, stdout] = await Promise.all([
      pcmbn(dbPath, 'etl', 'extract-plan', seed000(), '--out', out),
      pcmbn(dbPath, 'etl', 'extract-plan', seed000()),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/targets \(5\):/);
    expect(r.stderr).toMatch(/reporting deadlines \(4\):/);
    expect(r.stderr).toMatch(/wrote 4 schedule entries to .*schedule\.json and 5 targets to .*targets\.json/);
    const schedule = loadSchedule(path.join(out, 'schedule.json'));
    expect(schedule.map((e) => [e.periodType, e.index ?? null, e.due])).toEqual([
      ['quarter', 1, { month: 3, day: 12 }],
      ['quarter', 3, { month: 9, day: 12 }],
      ['half', 1, { month: 6, day: 12 }],
      ['year', null, { month: 12, day: 12 }],
    ]);
    expect(
      parseTargets(JSON.parse(fs.readFileSync(path.join(out, 'targets.json'), 'utf8'))).map(
        (t) => `${t.indicator} ${t.operator} ${t.value}`,
      ),
    ).toEqual([
      'tipoff_classification_rate >= 100',
      'tipoff_resolution_rate > 90',
      'case_clearance_rate > 90',
      'indictment_rate >= 95',
      'trial_rate >= 90',
    ]);
    expect(Object.keys(JSON.parse(stdout.stdout))).toEqual(['schedule', 'targets']);
  });
});
