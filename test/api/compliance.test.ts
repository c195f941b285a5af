import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { complianceOfEach, reportingCompliance, ComplianceError } from '../../api/compliance/compliance.ts';
import {
  defaultSchedule,
  dueDate,
  loadSchedule,
  parseSchedule,
  ScheduleError,
  scheduleEntryFor,
} from '../../api/compliance/schedule.ts';
import { loadFiles } from '../../etl/load.ts';
import { generateProvince } from '../../etl/sample.ts';
import { PeriodError } from '../../schema/periods.ts';
import type { Warehouse } from '../../schema/warehouse.ts';
import { cleanupTemp, csv, freshWarehouse, tempDir, unitId, writeFile } from '../helpers.ts';

afterAll(cleanupTemp);

const HEADER = 'unit_code,period,indicator,value,submitted_on';
/** One report: a single figure is enough to make a report of a unit for a period. */
const report = (unit: string, period: string, submittedOn: string) =>
  `${unit},${period},tipoffs_received,1,${submittedOn}`;

async function load(w: Warehouse, files: Record<string, string[]>, today: string): Promise<void> {
  const dir = tempDir('pcmbn-compliance-');
  const paths = Object.entries(files).map(([name, rows]) => writeFile(dir, name, csv(HEADER, ...rows)));
  const result = await loadFiles(w, paths, { today });
  expect(result.files.map((f) => [f.name, f.status, f.issues.map((i) => i.message)])).toEqual(
    paths.map((p) => [expect.stringContaining(path.basename(p)), 'loaded', []]),
  );
}

async function ids(w: Warehouse, where: string, params: unknown[] = []): Promise<number[]> {
  return (await w.sql<{ unit_id: number }>(`SELECT unit_id FROM units WHERE ${where} ORDER BY unit_id`, params)).map(
    (r) => r.unit_id,
  );
}

describe('the schedule', () => {
  const due = (period: string) => {
    const entry = scheduleEntryFor(defaultSchedule(), period);
    return entry && dueDate(entry, period);
  };

  it('has the plan’s deadlines: Q1 12/3, S1 12/6, Q3 12/9, year 12/12, a month the 12th of the next', () => {
    expect(due('2024Q1')).toBe('2024-03-12');
    expect(due('2024S1')).toBe('2024-06-12');
    expect(due('2024Q3')).toBe('2024-09-12');
    expect(due('2024')).toBe('2024-12-12');
    expect(due('202403')).toBe('2024-04-12');
    expect(due('202412')).toBe('2025-01-12');
  });

  it('has no Q2, Q4 or S2 report: the half-year and year reports cover them', () => {
    for (const p of ['2024Q2', '2024Q4', '2024S2']) expect(scheduleEntryFor(defaultSchedule(), p), p).toBeNull();
  });

  it('clamps a day past the month’s end to its last day', () => {
    const [entry] = parseSchedule({
      entries: [{ periodType: 'month', reporterLevels: ['ward'], due: { monthOffset: 1, day: 31 } }],
    });
    expect(dueDate(entry, '202401')).toBe('2024-02-29');
    expect(dueDate(entry, '202501')).toBe('2025-02-28');
    expect(dueDate(entry, '202403')).toBe('2024-04-30');
  });

  it('loads a schedule file', () => {
    const dir = tempDir();
    const file = writeFile(
      dir,
      'schedule.json',
      JSON.stringify({
        description: 'every quarter, wards only, by the 15th of the next month',
        entries: [{ periodType: 'quarter', reporterLevels: ['ward'], due: { monthOffset: 1, day: 15 }, note: 'quý' }],
      }),
    );
    const schedule = loadSchedule(file);
    expect(schedule).toEqual([
      { periodType: 'quarter', reporterLevels: ['ward'], due: { monthOffset: 1, day: 15 }, note: 'quý' },
    ]);
    expect(dueDate(scheduleEntryFor(schedule, '2024Q2')!, '2024Q2')).toBe('2024-07-15');
    expect(dueDate(scheduleEntryFor(schedule, '2024Q4')!, '2024Q4')).toBe('2025-01-15');
    expect(scheduleEntryFor(schedule, '202403')).toBeNull();
  });

  it('rejects a bad schedule file with a message naming the file and the field', () => {
    const dir = tempDir();
    const entry = { periodType: 'quarter', index: 1, reporterLevels: ['district', 'ward'], due: { month: 3, day: 12 } };
    const cases: [unknown, string][] = [
      [
        { entries: [entry, { ...entry, index: 3, due: { month: 9, day: 40 } }] },
        'entries[1].due.day: expected a whole number from 1 to 31, got 40',
      ],
      [
        { entries: [{ ...entry, periodType: 'week' }] },
        'entries[0].periodType: expected one of year, half, quarter, month, got "week"',
      ],
      [{ entries: [{ ...entry, index: 5 }] }, 'entries[0].index: expected a whole number from 1 to 4, got 5'],
      [
        { entries: [{ ...entry, reporterLevels: ['city'] }] },
        'entries[0].reporterLevels[0]: expected one of province, district, ward, got "city"',
      ],
      [{ entries: [{ ...entry, reporterLevels: [] }] }, 'entries[0].reporterLevels: expected a non-empty list'],
      [
        { entries: [{ ...entry, due: { month: 3, monthOffset: 1, day: 12 } }] },
        'entries[0].due: expected exactly one of "month"',
      ],
      [{ entries: [{ ...entry, due: { month: 2, day: 30 } }] }, 'entries[0].due.day: month 2 has no day 30'],
      [{ entries: [{ ...entry, dueDay: 12 }] }, 'entries[0].dueDay: unknown field'],
      [
        { entries: [entry, { ...entry, index: undefined }] },
        'entries[1]: expects the same quarter report as entries[0]',
      ],
      [
        { entries: [{ periodType: 'year', index: 1, reporterLevels: ['ward'], due: { month: 12, day: 12 } }] },
        'entries[0].index: a year has no index',
      ],
      [{ schedule: [] }, 'schedule: unknown field'],
      [[entry], 'the top level: expected an object'],
    ];
    for (const [json, message] of cases) {
      const file = writeFile(dir, 'bad.json', JSON.stringify(json));
      expect(() => loadSchedule(file), message).toThrow(ScheduleError);
      expect(() => loadSchedule(file), message).toThrow(`${file}: ${message}`);
    }
    const broken = writeFile(dir, 'broken.json', '{ "entries": [ }');
    expect(() => loadSchedule(broken)).toThrow(`${broken}: not valid JSON`);
    expect(() => loadSchedule(path.join(dir, 'absent.json'))).toThrow('cannot read the schedule');
  });
});

describe('reporting compliance', () => {
  let w: Warehouse;
  let bienHoa: number;
  let bienHoaWards: number[];
  let ward: (code: string) => Promise<number>;

  beforeAll(async () => {
    w = await freshWarehouse();
    bienHoa = await unitId(w, '2025-03:731');
    bienHoaWards = await ids(w, `parent_id = $1 AND level = 'ward'`, [bienHoa]);
    ward = (code) => unitId(w, `2025-03:${code}`);
    await load(
      w,
      {
        'bien-hoa-2024Q1.csv': [
          report('2025-03:26041', '2024Q1', '2024-03-11'), // the day before the due date: on time
          report('2025-03:25993', '2024Q1', '2024-03-12'), // the due date itself: late
          report('2025-03:26002', '2024Q1', '2024-03-05'), // resubmitted late below: its first submission counts
          report('2025-03:26005', '2024Q1', '2024-03-25'), // late
          report('2025-03:26008', '2024Q1', '2024-03-01'), // on time
          report('2025-03:26014', '2024Q1', '2024-04-15'), // late, and after the 1 April view below
          report('2025-03:731', '2024Q1', '2024-03-10'), // the city's own report to the province: on time
          report('2025-03:26011', '202403', '2024-03-05'), // a monthly report is not the Q1 report
          report('2025-03:26170', '2024Q1', '2024-03-01'), // Vĩnh An, a town of Vĩnh Cửu district (735), not of Biên Hòa
        ],
        'bien-hoa-2024Q1-resubmission.csv': [report('2025-03:26002', '2024Q1', '2024-03-20')],
        'dong-nai-202509.csv': [
          report('2025-07:25195', '202509', '2025-10-11'),
          report('2025-07:25210', '202509', '2025-10-12'),
          report('2025-07:25217', '202509', '2025-10-01'),
          report('2025-07:75', '202509', '2025-10-01'), // the province's own report: no schedule entry expects provinces
        ],
      },
      '2025-12-31',
    );
  });

  it('counts Biên Hòa’s wards for 2024Q1: on time on the 11th, late from the 12th, the rest missing', async () => {
    const onTime = ['26041', '26002', '26008'];
    const late = ['25993', '26005', '26014'];
    const reported = await Promise.all([...onTime, ...late].map(ward));
    const c = await reportingCompliance(w, { unitId: bienHoa, periodId: '2024Q1', level: 'ward', today: '2024-05-01' });
    expect(bienHoaWards.length).toBeGreaterThan(20);
    expect(c).toEqual({
      expected: bienHoaWards.length,
      received: 6,
      onTime: 3,
      late: 3,
      missing: bienHoaWards.filter((id) => !reported.includes(id)),
      lateUnits: reported.slice(onTime.length),
      pending: 0,
      completeness: (6 / bienHoaWards.length) * 100,
      timeliness: (3 / bienHoaWards.length) * 100,
      dueDate: '2024-03-12',
    });
    expect(c.missing).toContain(await ward('26011'));
  });

  it('includes the unit itself at the levels the schedule expects (the city reports to the province)', async () => {
    const c = await reportingCompliance(w, { unitId: bienHoa, periodId: '2024Q1', today: '2024-05-01' });
    expect([c.expected, c.received, c.onTime, c.late, c.missing.length]).toEqual([
      bienHoaWards.length + 1,
      7,
      4,
      3,
      bienHoaWards.length - 6,
    ]);
    const districts = await reportingCompliance(w, {
      unitId: await unitId(w, '2025-03:75'),
      periodId: '2024Q1',
      level: 'district',
      today: '2024-05-01',
    });
    const dongNaiDistricts = await ids(w, `parent_id = (SELECT unit_id FROM units WHERE ref = '2025-03:75')`);
    expect(districts).toMatchObject({
      expected: dongNaiDistricts.length,
      received: 1,
      onTime: 1,
      missing: dongNaiDistricts.filter((id) => id !== bienHoa),
    });
  });

  it('sees only what was submitted by `today`, and before the due date calls the rest pending, not missing', async () => {
    const before = await reportingCompliance(w, {
      unitId: bienHoa,
      periodId: '2024Q1',
      level: 'ward',
      today: '2024-03-11',
    });
    expect(before).toEqual({
      expected: bienHoaWards.length,
      received: 3,
      onTime: 3,
      late: 0,
      missing: [],
      lateUnits: [],
      pending: bienHoaWards.length - 3,
      completeness: (3 / bienHoaWards.length) * 100,
      timeliness: (3 / bienHoaWards.length) * 100,
      dueDate: '2024-03-12',
    });
    const onDueDate = await reportingCompliance(w, {
      unitId: bienHoa,
      periodId: '2024Q1',
      level: 'ward',
      today: '2024-03-12',
    });
    expect([onDueDate.received, onDueDate.onTime, onDueDate.late, onDueDate.pending, onDueDate.missing.length]).toEqual(
      [4, 3, 1, 0, bienHoaWards.length - 4],
    );
    expect(onDueDate.lateUnits).toEqual([await ward('25993')]);
    const april = await reportingCompliance(w, {
      unitId: bienHoa,
      periodId: '2024Q1',
      level: 'ward',
      today: '2024-04-01',
    });
    expect(april.missing).toContain(await ward('26014'));
  });

  it('after the reform, expects the communes of new Đồng Nai, reporting to the province, and no districts', async () => {
    const dongNai = await unitId(w, '2025-07:75');
    const communes = await ids(w, `parent_id = $1`, [dongNai]);
    const reported = await Promise.all(['25195', '25210', '25217'].map((code) => unitId(w, `2025-07:${code}`)));
    const c = await reportingCompliance(w, { unitId: dongNai, periodId: '202509', today: '2025-11-01' });
    expect(c).toEqual({
      expected: communes.length,
      received: 3,
      onTime: 2,
      late: 1,
      missing: communes.filter((id) => !reported.includes(id)),
      lateUnits: [reported[1]], // 25210, on the due date
      pending: 0,
      completeness: (3 / communes.length) * 100,
      timeliness: (2 / communes.length) * 100,
      dueDate: '2025-10-12',
    });
    const districts = await reportingCompliance(w, {
      unitId: dongNai,
      periodId: '202509',
      level: 'district',
      today: '2025-11-01',
    });
    expect(districts).toEqual({
      expected: 0,
      received: 0,
      onTime: 0,
      late: 0,
      missing: [],
      lateUnits: [],
      pending: 0,
      completeness: null,
      timeliness: null,
      dueDate: '2025-10-12',
    });
    const nation = await reportingCompliance(w, {
      unitId: await unitId(w, 'VN'),
      periodId: '202509',
      today: '2025-11-01',
    });
    expect(nation.expected).toBe((await ids(w, `hierarchy = '2025-07' AND level = 'ward'`)).length);
    expect(nation.received).toBe(3);
  });

  it('translates a unit of the other list through the reform’s lineage', async () => {
    // New Đồng Nai for 2024Q1: old Đồng Nai and old Bình Phước, their districts and wards.
    const oldUnits = await ids(
      w,
      `hierarchy = '2025-03' AND level IN ('district', 'ward') AND unit_id IN
      (SELECT descendant_id FROM unit_closure WHERE ancestor_id IN (SELECT unit_id FROM units WHERE ref IN ('2025-03:75', '2025-03:70')))`,
    );
    const c = await reportingCompliance(w, {
      unitId: await unitId(w, '2025-07:75'),
      periodId: '2024Q1',
      today: '2024-05-01',
    });
    expect([c.expected, c.received, c.onTime, c.late]).toEqual([oldUnits.length, 8, 5, 3]); // Biên Hòa's 7 and Vĩnh An
    // Old Biên Hòa for 202509: the new communes its wards went into.
    const successors = await ids(
      w,
      `unit_id IN (SELECT l.new_id FROM unit_lineage l JOIN units o ON o.unit_id = l.old_id WHERE o.parent_id = $1)`,
      [bienHoa],
    );
    const after = await reportingCompliance(w, { unitId: bienHoa, periodId: '202509', today: '2025-11-01' });
    expect(successors.length).toBeGreaterThan(0);
    expect(after.expected).toBe(successors.length);
    expect(after.missing).toEqual(successors); // Biên Hòa's successors are not among the three communes that reported
  });

  it('expects nothing for 2024Q2 under the default schedule, and follows a schedule that has Q2', async () => {
    const none = await reportingCompliance(w, { unitId: bienHoa, periodId: '2024Q2', today: '2024-12-31' });
    expect(none).toEqual({
      expected: 0,
      received: 0,
      onTime: 0,
      late: 0,
      missing: [],
      lateUnits: [],
      pending: 0,
      completeness: null,
      timeliness: null,
      dueDate: null,
    });
    const schedule = parseSchedule({
      entries: [{ periodType: 'quarter', reporterLevels: ['ward'], due: { monthOffset: 1, day: 5 } }],
    });
    const q2 = await reportingCompliance(w, { unitId: bienHoa, periodId: '2024Q2', schedule, today: '2024-07-04' });
    expect(q2).toMatchObject({
      expected: bienHoaWards.length,
      received: 0,
      missing: [],
      pending: bienHoaWards.length,
      dueDate: '2024-07-05',
    });
    const q1 = await reportingCompliance(w, { unitId: bienHoa, periodId: '2024Q1', schedule, today: '2024-05-01' });
    expect(q1).toMatchObject({ expected: bienHoaWards.length, received: 6, onTime: 5, late: 1, dueDate: '2024-04-05' });
  });

  it('expects provinces only from a schedule that names them', async () => {
    const vn = await unitId(w, 'VN');
    const byDefault = await reportingCompliance(w, {
      unitId: vn,
      periodId: '202509',
      level: 'province',
      today: '2025-11-01',
    });
    expect(byDefault).toMatchObject({ expected: 0, dueDate: '2025-10-12', completeness: null });
    const schedule = parseSchedule({
      entries: [{ periodType: 'month', reporterLevels: ['province'], due: { monthOffset: 1, day: 12 } }],
    });
    const provinces = await reportingCompliance(w, { unitId: vn, periodId: '202509', schedule, today: '2025-11-01' });
    expect(provinces).toMatchObject({ expected: 34, received: 1, onTime: 1, late: 0 });
    expect(provinces.missing).toHaveLength(33);
  });

  it('counts several units in one call exactly as each on its own, across the reform and with a narrowed scope', async () => {
    const units = [
      bienHoa,
      await unitId(w, '2025-03:75'),
      await unitId(w, '2025-07:75'),
      await unitId(w, '2025-03:735'),
      await ward('26041'),
    ];
    const within = [bienHoa, ...bienHoaWards.slice(0, 10)];
    for (const [periodId, today] of [
      ['2024Q1', '2024-05-01'],
      ['2024Q1', '2024-03-11'],
      ['202509', '2025-12-31'],
      ['2024Q2', '2025-12-31'],
    ])
      for (const options of [{}, { level: 'ward' as const }, { within }]) {
        const each = await complianceOfEach(w, { unitIds: units, periodId, today, ...options });
        expect([...each.keys()].sort()).toEqual([...units].sort());
        for (const unitId of units)
          expect(each.get(unitId), `${unitId} ${periodId} ${today} ${JSON.stringify(options)}`).toEqual(
            await reportingCompliance(w, { unitId, periodId, today, ...options }),
          );
      }
    // Not vacuous: the units differ, and some of them expect reports.
    const each = await complianceOfEach(w, { unitIds: units, periodId: '2024Q1', today: '2024-05-01' });
    expect(new Set(units.map((u) => each.get(u)!.expected)).size).toBeGreaterThan(2);
    await expect(complianceOfEach(w, { unitIds: [bienHoa, 999_999], periodId: '2024Q1' })).rejects.toThrow(
      'no administrative unit with id 999999',
    );
  });

  it('rejects an unknown unit, a bad period and a bad day', async () => {
    await expect(reportingCompliance(w, { unitId: 999_999, periodId: '2024Q1' })).rejects.toThrow(ComplianceError);
    await expect(reportingCompliance(w, { unitId: bienHoa, periodId: '2024Q5' })).rejects.toThrow(PeriodError);
    await expect(reportingCompliance(w, { unitId: bienHoa, periodId: '2024Q1', today: '11/3/2024' })).rejects.toThrow(
      'expected YYYY-MM-DD',
    );
  });
});

describe('reporting compliance on generated report files', () => {
  it('agrees with the submission dates written in the files (Lai Châu, 2024)', async () => {
    const w = await freshWarehouse();
    const dir = tempDir('pcmbn-compliance-sample-');
    const { files } = generateProvince({ scale: 'demo', list: '2025-03', province: '12' });
    const picked = files.filter((f) => f.path.endsWith('-2024.csv'));
    const result = await loadFiles(
      w,
      picked.map((f) => writeFile(dir, f.path, f.text)),
      { today: '2026-12-31' },
    );
    expect(result.rejected).toBe(0);
    const laiChau = await unitId(w, '2025-03:12');

    // First submission of each unit for a period, straight from the CSV text.
    const firstSubmission = (period: string) => {
      const first = new Map<string, string>();
      for (const f of picked) {
        for (const line of f.text.split('\n').slice(1)) {
          const cols = line.split(',');
          if (cols[1] !== period) continue;
          const prev = first.get(cols[0]);
          if (prev === undefined || cols[6] < prev) first.set(cols[0], cols[6]);
        }
      }
      return first;
    };

    for (const [period, level, due] of [
      ['202403', 'ward', '2024-04-12'],
      ['2024Q1', 'district', '2024-03-12'],
      ['2024Q3', 'district', '2024-09-12'],
    ] as const) {
      const units = await w.sql<{ unit_id: number; ref: string }>(
        `SELECT unit_id, ref FROM units WHERE level = $1 AND unit_id IN
        (SELECT descendant_id FROM unit_closure WHERE ancestor_id = $2) ORDER BY unit_id`,
        [level, laiChau],
      );
      const first = firstSubmission(period);
      const c = await reportingCompliance(w, { unitId: laiChau, periodId: period, level, today: '2026-12-31' });
      expect(c.received, period).toBeGreaterThan(0);
      expect(c, period).toMatchObject({
        expected: units.length,
        received: units.filter((u) => first.has(u.ref)).length,
        onTime: units.filter((u) => first.has(u.ref) && first.get(u.ref)! < due).length,
        missing: units.filter((u) => !first.has(u.ref)).map((u) => u.unit_id),
        dueDate: due,
      });
    }
  });
});
