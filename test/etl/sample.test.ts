import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGE_GROUPS, COUNT_INDICATORS, SEXES } from '../../schema/catalogue.ts';
import { parsePeriod, type Period } from '../../schema/periods.ts';
import { REFORM_DATE } from '../../schema/units.ts';
import { generateProvince, generateSample, HEADER, type SampleSummary } from '../../etl/sample.ts';

// ---------------------------------------------------------------------------------------------------------------
// Reading what the generator wrote.

interface Row {
  file: string;
  line: number;
  list: string;
  code: string;
  unit: string;
  period: string;
  indicator: string;
  sex: string;
  age: string;
  value: string;
  submitted: string;
}

function walk(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]))
    .sort();
}

function reportFiles(outDir: string): string[] {
  return walk(outDir)
    .map((f) => path.relative(outDir, f).split(path.sep).join('/'))
    .filter((f) => !f.startsWith('expected/'));
}

function readRows(outDir: string, file: string): Row[] {
  const text = fs.readFileSync(path.join(outDir, file), 'utf8');
  expect(text.startsWith(HEADER), file).toBe(true);
  expect(text.endsWith('\n'), file).toBe(true);
  const lines = text.slice(HEADER.length, -1).split('\n');
  return lines
    .filter((l) => l !== '')
    .map((l, i) => {
      const [unit, period, indicator, sex, age, value, submitted, ...rest] = l.split(',');
      if (submitted === undefined || rest.length > 0) throw new Error(`${file}:${i + 2}: expected 7 columns: ${l}`);
      const [list, code] = unit.split(':');
      return { file, line: i + 2, list, code, unit, period, indicator, sex, age, value, submitted };
    });
}

function readCsv(file: string): string[][] {
  return fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));
}

const reference = (name: string) => new URL(`../../schema/reference/${name}`, import.meta.url).pathname;

/** The two hierarchies, read independently of the generator. */
const OLD_UNITS = readCsv(reference('admin-units-2025-03-01.csv'));
const NEW_UNITS = readCsv(reference('admin-units-2025-07-01.csv'));
const OLD_PARENT = new Map(OLD_UNITS.map(([, code, , , parent]) => [code, parent]));
const NEW_PARENT = new Map(NEW_UNITS.map(([, code, , , parent]) => [code, parent]));

/** The consolidating units above a leaf, within its own list. */
function ancestors(list: string, code: string): string[] {
  const parents = list === '2025-03' ? OLD_PARENT : NEW_PARENT;
  const out: string[] = [];
  for (let p = parents.get(code); p; p = parents.get(p)) out.push(p);
  return out;
}

const INDICATOR = new Map(COUNT_INDICATORS.map((i) => [i.code, i]));
const periodCache = new Map<string, Period>();
const period = (id: string) => periodCache.get(id) ?? periodCache.set(id, parsePeriod(id)).get(id)!;
const quarterOfMonth = (id: string) => `${id.slice(0, 4)}Q${Math.floor((Number(id.slice(4, 6)) - 1) / 3) + 1}`;
/** The due day of a monthly report: the 12th of the next month. */
function monthlyDue(month: string): string {
  const next = new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(4, 6)), 12));
  return next.toISOString().slice(0, 10);
}
const key = (r: Pick<Row, 'unit' | 'period' | 'indicator' | 'sex' | 'age'>) =>
  `${r.unit},${r.period},${r.indicator},${r.sex},${r.age}`;

// ---------------------------------------------------------------------------------------------------------------

let root: string;
let demo: string;
let summary: SampleSummary;
let files: string[];
let rows: Row[];
let wardRows: Row[];
let consolidatedRows: Row[];
let revisionRows: Row[];
/** Original ward figures by key. */
let wardFigures: Map<string, Row>;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'pcmbn-sample-'));
  demo = path.join(root, 'demo');
  summary = await generateSample({ scale: 'demo', outDir: demo });
  files = reportFiles(demo);
  rows = files.flatMap((f) => readRows(demo, f));
  wardRows = rows.filter((r) => r.file.startsWith('wards/'));
  consolidatedRows = rows.filter((r) => r.file.startsWith('consolidated/'));
  revisionRows = rows.filter((r) => r.file.startsWith('revisions/'));
  wardFigures = new Map(wardRows.map((r) => [key(r), r]));
});

afterAll(() => {
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

describe('generateSample: determinism', () => {
  it('writes byte-identical files for the same seed, and different ones for another seed', async () => {
    const again = path.join(root, 'again');
    const other = path.join(root, 'other');
    expect(await generateSample({ scale: 'demo', outDir: again, seed: 1 })).toEqual(summary);
    await generateSample({ scale: 'demo', outDir: other, seed: 2 });
    expect(walk(again).map((f) => path.relative(again, f))).toEqual(walk(demo).map((f) => path.relative(demo, f)));
    for (const f of walk(demo)) {
      expect(fs.readFileSync(path.join(again, path.relative(demo, f))).equals(fs.readFileSync(f)), f).toBe(true);
    }
    const ward = 'wards/2025-03-75-2024.csv';
    expect(fs.readFileSync(path.join(other, ward)).equals(fs.readFileSync(path.join(demo, ward)))).toBe(false);
  });
});

describe('generateSample: the demo', () => {
  it('returns a summary that matches the files on disk', () => {
    expect(summary.files).toBe(files.length);
    expect(summary.rows).toBe(rows.length);
    expect(summary.bytes).toBe(files.reduce((n, f) => n + fs.statSync(path.join(demo, f)).size, 0));
    expect(summary.units).toBe(new Set(rows.map((r) => r.unit)).size);
    expect(summary.firstPeriod).toBe('2019Q1');
    expect(summary.lastPeriod).toBe('202610');
    expect(summary.rows).toBeLessThanOrEqual(600_000);
  });

  it('covers the seeds’ provinces before the reform and their successors after it', () => {
    const expected = [
      ...['12', '24', '34', '70', '75'].flatMap((p) => [`wards/2025-03-${p}-2024.csv`, `wards/2025-03-${p}-2025.csv`]),
      ...['12', '24', '33', '75'].flatMap((p) => [`wards/2025-07-${p}-2025.csv`, `wards/2025-07-${p}-2026.csv`]),
      ...['12', '24', '34', '70', '75'].flatMap((p) =>
        [2019, 2020, 2021, 2022, 2023, 2024, 2025].map((y) => `consolidated/2025-03-${p}-${y}.csv`),
      ),
      ...['12', '24', '33', '75'].flatMap((p) => [
        `consolidated/2025-07-${p}-2025.csv`,
        `consolidated/2025-07-${p}-2026.csv`,
      ]),
      'revisions/revisions-2024.csv',
      'revisions/revisions-2025.csv',
      'revisions/revisions-2026.csv',
    ];
    expect(files).toEqual(expected.sort());
  });

  it('has every ward of the old provinces monthly from 2024-01 and every commune of the new ones to until', () => {
    const reporting = new Set(wardRows.map((r) => r.unit));
    const oldWards = OLD_UNITS.filter(
      ([level, code]) => level === 'ward' && ['12', '24', '34', '70', '75'].includes(ancestors('2025-03', code)[1]),
    );
    const newCommunes = NEW_UNITS.filter(
      ([level, , , , parent]) => level === 'commune' && ['12', '24', '33', '75'].includes(parent),
    );
    expect(oldWards.length).toBe(813);
    expect(newCommunes.length).toBe(336);
    for (const [, code] of oldWards) expect(reporting.has(`2025-03:${code}`), code).toBe(true);
    for (const [, code] of newCommunes) expect(reporting.has(`2025-07:${code}`), code).toBe(true);
    expect(reporting.size).toBe(813 + 336);
    const months = [...new Set(wardRows.map((r) => r.period))].sort();
    expect(months[0]).toBe('202401');
    expect(months.at(-1)).toBe('202610');
    expect(months.length).toBe(34);
  });

  it('has Biên Hòa city (old district 731) consolidating its wards every quarter from 2019Q1 to 2025Q2', () => {
    const bienHoa = OLD_UNITS.find(([level, code]) => level === 'district' && code === '731');
    expect(bienHoa?.[3]).toBe('Biên Hòa');
    const quarters = new Set(consolidatedRows.filter((r) => r.unit === '2025-03:731').map((r) => r.period));
    expect(quarters.size).toBe(26);
    expect([...quarters].sort()[0]).toBe('2019Q1');
    expect([...quarters].sort().at(-1)).toBe('2025Q2');
    const wards = new Set(wardRows.filter((r) => ancestors('2025-03', r.code)[0] === '731').map((r) => r.code));
    expect(wards.size).toBe(OLD_UNITS.filter(([level, , , , parent]) => level === 'ward' && parent === '731').length);
  });

  it('has new Đồng Nai (75) consolidating quarterly from 2025Q3, and no old-list report after the reform', () => {
    const quarters = [...new Set(consolidatedRows.filter((r) => r.unit === '2025-07:75').map((r) => r.period))].sort();
    expect(quarters).toEqual(['2025Q3', '2025Q4', '2026Q1', '2026Q2', '2026Q3']);
  });
});

/**
 * Checks every row and returns the first problems found: one `expect` per row would take minutes over 570k rows.
 */
function problems(check: (r: Row) => string | undefined, of: Row[] = rows): string[] {
  const out: string[] = [];
  for (const r of of) {
    const problem = check(r);
    if (problem !== undefined && out.push(`${r.file}:${r.line}: ${problem}`) >= 10) break;
  }
  return out;
}

describe('generateSample: every row is valid against the catalogue and the contract', () => {
  it('uses known indicators, allowed breakdowns, non-negative integers, periods that parse, known units', () => {
    const oldCodes = new Set(OLD_UNITS.map(([, code]) => code));
    const newCodes = new Set(NEW_UNITS.map(([, code]) => code));
    const validDates = new Set<string>();
    const found = problems((r) => {
      const ind = INDICATOR.get(r.indicator);
      if (!ind) return `unknown indicator ${r.indicator}`;
      if (!/^(0|[1-9]\d*)$/.test(r.value)) return `value ${r.value} is not a non-negative integer`;
      const p = period(r.period);
      if (!validDates.has(r.submitted)) {
        if (
          !/^\d{4}-\d{2}-\d{2}$/.test(r.submitted) ||
          new Date(`${r.submitted}T00:00:00Z`).toISOString().slice(0, 10) !== r.submitted
        )
          return `bad date ${r.submitted}`;
        validDates.add(r.submitted);
      }
      if (r.submitted <= (p.type === 'quarter' ? p.start : p.end))
        return `submitted ${r.submitted} before the period ${r.period} allows`;
      if (r.list !== '2025-03' && r.list !== '2025-07') return `unit ${r.unit} has no list prefix`;
      if (!(r.list === '2025-03' ? oldCodes : newCodes).has(r.code)) return `unit ${r.unit} is not in its list`;
      if (
        r.sex !== '' &&
        (!ind.disaggregations.includes('sex') || !(SEXES as readonly string[]).includes(r.sex) || r.age !== '')
      )
        return `sex ${r.sex} not allowed here`;
      if (
        r.age !== '' &&
        (!ind.disaggregations.includes('age_group') || !(AGE_GROUPS as readonly string[]).includes(r.age))
      )
        return `age_group ${r.age} not allowed here`;
      return undefined;
    });
    expect(found).toEqual([]);
  });

  it('never repeats a (unit, period, indicator, sex, age_group) within a file', () => {
    const seen = new Set<string>();
    expect(
      problems((r) => {
        const k = `${r.file}|${key(r)}`;
        if (seen.has(k)) return `${key(r)} repeated`;
        seen.add(k);
        return undefined;
      }),
    ).toEqual([]);
  });

  it('reports every count indicator in every report, with breakdowns that add up to their totals', () => {
    const reports = new Map<string, Map<string, number>>();
    for (const r of [...wardRows, ...consolidatedRows]) {
      const report = `${r.unit},${r.period}`;
      const figures = reports.get(report) ?? reports.set(report, new Map()).get(report)!;
      figures.set(`${r.indicator},${r.sex},${r.age}`, Number(r.value));
    }
    const found: string[] = [];
    for (const [report, figures] of reports) {
      for (const ind of COUNT_INDICATORS) {
        const total = figures.get(`${ind.code},,`);
        if (total === undefined) found.push(`${report}: no ${ind.code}`);
        const female = figures.get(`${ind.code},female,`);
        if (female === undefined) continue;
        if (female + figures.get(`${ind.code},male,`)! !== total)
          found.push(`${report}: ${ind.code} by sex does not add up`);
        if (figures.get(`${ind.code},,child`)! + figures.get(`${ind.code},,adult`)! !== total)
          found.push(`${report}: ${ind.code} by age does not add up`);
      }
    }
    expect(found.slice(0, 10)).toEqual([]);
    expect(wardRows.some((r) => r.sex === 'female')).toBe(true);
  });

  it('keeps wards_with_model at 0 or 1 in ward reports', () => {
    const values = new Set(wardRows.filter((r) => r.indicator === 'wards_with_model').map((r) => r.value));
    expect([...values].sort()).toEqual(['0', '1']);
  });
});

describe('generateSample: the 2025 reform', () => {
  it('uses old codes only for periods ending by 2025-06 and new codes only from 2025-07', () => {
    expect(
      problems((r) => {
        const p = period(r.period);
        if (r.list === '2025-03' && p.end >= REFORM_DATE) return `old code in ${r.period}`;
        if (r.list === '2025-07' && p.start < REFORM_DATE) return `new code in ${r.period}`;
        return undefined;
      }),
    ).toEqual([]);
    expect(rows.some((r) => r.list === '2025-03' && r.period === '202506')).toBe(true);
    expect(rows.some((r) => r.list === '2025-07' && r.period === '202507')).toBe(true);
  });
});

describe('generateSample: consolidated reports', () => {
  it('equal the sum of their wards’ final figures, except the planted discrepancies', () => {
    // Final ward figures: the revisions replace the original values.
    const final = new Map<string, Row>();
    for (const r of [...wardRows, ...revisionRows]) final.set(key(r), r);

    // Children's sums per consolidator and quarter: flows add up, stocks take each ward's latest month.
    const sums = new Map<string, number>();
    const latestStock = new Map<string, { month: string; value: number }>();
    for (const r of final.values()) {
      const q = quarterOfMonth(r.period);
      const stock = INDICATOR.get(r.indicator)!.aggregation === 'last';
      if (stock) {
        const k = `${r.unit},${q},${r.indicator}`;
        const seen = latestStock.get(k);
        if (!seen || seen.month < r.period) latestStock.set(k, { month: r.period, value: Number(r.value) });
        continue;
      }
      for (const up of ancestors(r.list, r.code)) {
        const k = `${r.list}:${up},${q},${r.indicator},${r.sex},${r.age}`;
        sums.set(k, (sums.get(k) ?? 0) + Number(r.value));
      }
    }
    for (const [k, { value }] of latestStock) {
      const [unit, q, indicator] = k.split(',');
      const [list, code] = unit.split(':');
      for (const up of ancestors(list, code)) {
        const s = `${list}:${up},${q},${indicator},,`;
        sums.set(s, (sums.get(s) ?? 0) + value);
      }
    }

    // Only quarters whose months are all in ward files can be checked: from 2024Q1 in the demo.
    const checkable = (r: { period: string }) => r.period >= '2024Q1';
    const planted = new Map(
      readCsv(path.join(demo, 'expected', 'discrepancies.expected')).map(
        ([unit, p, indicator, sex, age, reported, childrenSum]) => [
          `${unit},${p},${indicator},${sex},${age}`,
          { reported, childrenSum, period: p },
        ],
      ),
    );
    const found = new Map<string, { reported: string; childrenSum: string }>();
    let checked = 0;
    for (const r of consolidatedRows.filter(checkable)) {
      checked++;
      const childrenSum = sums.get(key(r)) ?? 0;
      if (Number(r.value) !== childrenSum) found.set(key(r), { reported: r.value, childrenSum: String(childrenSum) });
    }
    const expected = new Map(
      [...planted]
        .filter(([, d]) => checkable(d))
        .map(([k, { reported, childrenSum }]) => [k, { reported, childrenSum }]),
    );
    expect(checked).toBeGreaterThan(10_000);
    expect(found).toEqual(expected);
    const totals = consolidatedRows.filter((r) => checkable(r) && r.sex === '' && r.age === '').length;
    const plantedTotals = [...expected.keys()].filter((k) => k.endsWith(',,')).length;
    expect(plantedTotals / totals).toBeGreaterThan(0.01);
    expect(plantedTotals / totals).toBeLessThan(0.03);
  });
});

describe('generateSample: irregularities and seasons', () => {
  const reportsOf = (rs: Row[]) =>
    new Map(
      rs
        .filter((r) => r.indicator === 'tipoffs_received' && r.sex === '' && r.age === '')
        .map((r) => [`${r.unit},${r.period}`, r]),
    );

  it('misses about 3% of ward-month reports, some wards chronically, and gets about 10% late', () => {
    const reports = reportsOf(wardRows);
    const months = (list: string) => [...new Set(wardRows.filter((r) => r.list === list).map((r) => r.period))];
    const units = (list: string) => new Set(wardRows.filter((r) => r.list === list).map((r) => r.unit));
    const expected =
      [...units('2025-03')].length * months('2025-03').length + [...units('2025-07')].length * months('2025-07').length;
    const missing = 1 - reports.size / expected;
    expect(missing).toBeGreaterThan(0.015);
    expect(missing).toBeLessThan(0.05);

    const perUnit = new Map<string, number>();
    for (const r of reports.values()) perUnit.set(r.unit, (perUnit.get(r.unit) ?? 0) + 1);
    const most = Math.max(...perUnit.values());
    const chronic = [...perUnit.values()].filter((n) => n <= 0.8 * most).length;
    expect(chronic).toBeGreaterThan(10);

    const late = [...reports.values()].filter((r) => {
      const next = period(r.period).end;
      const due = new Date(`${next}T00:00:00Z`);
      due.setUTCDate(due.getUTCDate() + 12);
      return r.submitted > due.toISOString().slice(0, 10);
    }).length;
    expect(late / reports.size).toBeGreaterThan(0.07);
    expect(late / reports.size).toBeLessThan(0.14);
    // On time is the 1st–11th, late after the 12th: never the ambiguous due day itself.
    const onDueDay = [...reports.values()].filter((r) => r.submitted === `${monthlyDue(r.period)}`);
    expect(onDueDay).toEqual([]);
  });

  it('submits quarterly consolidated reports around the 12th of the quarter’s last month', () => {
    const reports = [...reportsOf(consolidatedRows).values()];
    const late = reports.filter((r) => r.submitted > `${period(r.period).end.slice(0, 8)}12`).length;
    expect(late / reports.length).toBeGreaterThan(0.05);
    expect(late / reports.length).toBeLessThan(0.16);
  });

  it('revises about 0.5% of ward-months later, with a changed value', () => {
    const reports = reportsOf(wardRows).size;
    expect(revisionRows.length / reports).toBeGreaterThan(0.002);
    expect(revisionRows.length / reports).toBeLessThan(0.01);
    for (const r of revisionRows) {
      const o = wardFigures.get(key(r));
      expect(o, key(r)).toBeDefined();
      expect(r.value).not.toBe(o!.value);
      expect(r.submitted > o!.submitted).toBe(true);
      expect(r.file).toBe(`revisions/revisions-${r.period.slice(0, 4)}.csv`);
    }
  });

  it('has a handful of ×20 outliers, each in the ward files where written', () => {
    const outliers = readCsv(path.join(demo, 'expected', 'outliers.expected'));
    expect(outliers.length).toBeGreaterThan(3);
    const revised = new Set(revisionRows.map(key));
    let written = 0;
    for (const [unit, p, indicator, value, usual] of outliers) {
      expect(Number(value)).toBe(20 * Number(usual));
      const k = `${unit},${p},${indicator},,`;
      if (!wardFigures.has(k) || revised.has(k)) continue;
      written++;
      expect(wardFigures.get(k)!.value).toBe(value);
    }
    expect(written).toBeGreaterThan(0);
  });

  it('triples outreach in July (30/7) and raises tip-offs and cases by half in July–September', () => {
    // The same wards every month: the old list's 2024-01..2025-06, which holds one July.
    const monthlyMean = (indicator: string, inSeason: (month: number) => boolean) => {
      const totals = new Map<string, number>();
      for (const r of wardRows) {
        if (
          r.indicator === indicator &&
          r.sex === '' &&
          r.age === '' &&
          r.list === '2025-03' &&
          inSeason(Number(r.period.slice(4)))
        )
          totals.set(r.period, (totals.get(r.period) ?? 0) + Number(r.value));
      }
      return [...totals.values()].reduce((a, b) => a + b, 0) / totals.size;
    };
    const july = (m: number) => m === 7;
    const crackdown = (m: number) => m >= 7 && m <= 9;
    const sessions = monthlyMean('outreach_sessions', july) / monthlyMean('outreach_sessions', (m) => !july(m));
    expect(sessions).toBeGreaterThan(2.5);
    expect(sessions).toBeLessThan(3.5);
    const tipoffs = monthlyMean('tipoffs_received', crackdown) / monthlyMean('tipoffs_received', (m) => !crackdown(m));
    expect(tipoffs).toBeGreaterThan(1.2);
    expect(tipoffs).toBeLessThan(1.9);
  });
});

describe('generateProvince: national scale, one province', () => {
  it('gives Lai Châu (old 12) every ward monthly from 2019-01 to 2025-06, the demo being an exact slice of it', () => {
    const out = generateProvince({ scale: 'national', list: '2025-03', province: '12' });
    const paths = out.files.map((f) => f.path).sort();
    expect(paths.filter((p) => p.startsWith('wards/'))).toEqual(
      [2019, 2020, 2021, 2022, 2023, 2024, 2025].map((y) => `wards/2025-03-12-${y}.csv`),
    );
    const wards2019 = out.files.find((f) => f.path === 'wards/2025-03-12-2019.csv')!;
    const lines = wards2019.text.split('\n').slice(1, -1);
    expect(lines.length).toBe(wards2019.rows);
    expect(new Set(lines.map((l) => l.split(',')[1]))).toEqual(
      new Set([
        '201901',
        '201902',
        '201903',
        '201904',
        '201905',
        '201906',
        '201907',
        '201908',
        '201909',
        '201910',
        '201911',
        '201912',
      ]),
    );
    const wards = OLD_UNITS.filter(([level, code]) => level === 'ward' && ancestors('2025-03', code)[1] === '12').map(
      ([, code]) => `2025-03:${code}`,
    );
    expect(new Set(lines.map((l) => l.split(',')[0]))).toEqual(new Set(wards));
    expect(out.firstMonth).toBe(0);
    expect(out.lastMonth).toBe(77);

    // Same seed, same ward, same month: the same figures whatever the scale.
    for (const f of ['wards/2025-03-12-2024.csv', 'consolidated/2025-03-12-2019.csv']) {
      expect(out.files.find((x) => x.path === f)!.text).toBe(fs.readFileSync(path.join(demo, f), 'utf8'));
    }
  });
});
