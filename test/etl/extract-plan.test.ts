/**
 * `pcmbn etl extract-plan` on the Biên Hòa plan for 2024 (seed document 000): the five enforcement targets and the
 * four
 * reporting deadlines, with citations, in files the API's schedule loader and the targets check read. The other
 * plans of the seeds (001 Bắc Giang 2021–2025, 002 Lai Châu 2024) as further cases.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defaultSchedule,
  dueDate,
  loadSchedule,
  parseSchedule,
  scheduleEntryFor,
} from '../../api/compliance/schedule.ts';
import { findIndicator } from '../../schema/catalogue.ts';
import { extractPlan, parseTargets, type PlanExtraction, scheduleFile, targetsFile } from '../../etl/extract/plan.ts';
import { readSource } from '../../etl/extract/text.ts';
import { cleanupTemp, seedPath, tempDir } from '../helpers.ts';
import { needs, SEEDS, unmet } from '../requirements.ts';

const plan = async (name: string) => extractPlan(await readSource(seedPath(name), name));
const cps = (s: string) => Array.from(s);
const at = (raw: string, start: number, end: number) =>
  cps(raw).slice(start, end).join('').normalize('NFC').replace(/\*/g, '').replace(/\s+/g, ' ').trim();

let x: PlanExtraction;
let raw: string;
afterAll(cleanupTemp);

describe('000: plan 04/KH-BCĐ, Biên Hòa, 2024', () => {
  needs(SEEDS);
  beforeAll(async () => {
    if (unmet(SEEDS)) return;
    x = await plan('000_efe0dd79a7fa551b.txt');
    raw = (await readSource(seedPath('000_efe0dd79a7fa551b.txt'))).raw;
  });

  it('finds the five enforcement targets: indicator, operator, value, years, with citations', () => {
    expect(x.source).toBe('KH 04/KH-BCĐ, Biên Hòa, 21/3/2024');
    expect(x.years).toEqual([2024]);
    expect(x.targets.map((t) => [t.indicator, t.operator, t.value, t.years])).toEqual([
      ['tipoff_classification_rate', '>=', 100, [2024]],
      ['tipoff_resolution_rate', '>', 90, [2024]],
      ['case_clearance_rate', '>', 90, [2024]],
      ['indictment_rate', '>=', 95, [2024]],
      ['trial_rate', '>=', 90, [2024]],
    ]);
    // They agree with the catalogue, which took its targets from this plan.
    for (const t of x.targets) {
      const i = findIndicator(t.indicator)!;
      expect(i.kind === 'ratio' && [i.target.operator, i.target.value]).toEqual([t.operator, t.value]);
    }
    const cite = (ind: string) => x.targets.find((t) => t.indicator === ind)!;
    expect(cite('tipoff_classification_rate').citation.text).toBe(
      'đảm bảo 100% tố giác, tin báo về tội phạm, kiến nghị khởi tố liên quan tội phạm mua bán người được tiếp ' +
        'nhận, phân loại',
    );
    expect(cite('tipoff_resolution_rate').figure.text).toBe('trên 90%');
    expect(cite('trial_rate').citation.text).toBe('90% số vụ án mua bán người được giải quyết, xét xử.');
    for (const t of x.targets) {
      expect(at(raw, t.citation.start, t.citation.end)).toBe(t.citation.text);
      expect(at(raw, t.figure.start, t.figure.end)).toBe(t.figure.text);
    }
  });

  it(
    'finds the four reporting deadlines (Q1 before 12/3, Q3 before 12/9, H1 before 12/6, year before 12/12), from ' +
      'the wards',
    () => {
      expect(x.deadlines.map((d) => [d.periodType, d.index ?? null, d.due, d.reporterLevels])).toEqual([
        ['quarter', 1, { month: 3, day: 12 }, ['ward']],
        ['quarter', 3, { month: 9, day: 12 }, ['ward']],
        ['half', 1, { month: 6, day: 12 }, ['ward']],
        ['year', null, { month: 12, day: 12 }, ['ward']],
      ]);
      const sentence =
        'Định kỳ quý I, III (trước ngày 12/3 và 12/9), 6 tháng (trước ngày 12/6) và năm (trước ngày 12/12) báo cáo ' +
        'kết quả thực hiện về Ban Chỉ đạo thành phố (qua Công an thành phố Biên Hòa) để theo dõi, tổng hợp.';
      for (const d of x.deadlines) {
        expect(d.citation.text).toBe(sentence);
        expect(at(raw, d.citation.start, d.citation.end)).toBe(sentence);
      }
      expect(x.deadlines[0].report.text).toBe('quý I, III');
      expect(x.deadlines[0].deadline.text).toBe('trước ngày 12/3 và 12/9');
      expect(x.deadlines[3].deadline.text).toBe('trước ngày 12/12');
    },
  );

  it('the one-off deadline and the campaign windows are found too, but are not schedule entries', () => {
    expect(x.oneOff.map((o) => o.date)).toEqual(['2024-03-28']);
    expect(x.campaigns.map((c) => [c.kind, c.start, c.end])).toEqual([
      ['national_day', '--07-30', '--07-30'],
      ['peak', '2024-07-01', '2024-09-30'],
    ]);
  });

  it('writes a schedule file the API loads (loadSchedule), giving the same due dates as the default schedule', () => {
    const dir = tempDir('pcmbn-plan-');
    const file = path.join(dir, 'schedule.json');
    fs.writeFileSync(file, JSON.stringify(scheduleFile(x), null, 2));
    const loaded = loadSchedule(file);
    expect(loaded).toHaveLength(4);
    for (const period of ['2024Q1', '2024Q3', '2024S1', '2024', '2025Q1']) {
      const mine = scheduleEntryFor(loaded, period)!;
      expect(dueDate(mine, period), period).toBe(dueDate(scheduleEntryFor(defaultSchedule(), period)!, period));
      expect(mine.note).toMatch(
        /^KH 04\/KH-BCĐ, Biên Hòa, 21\/3\/2024: ".*" \(000_efe0dd79a7fa551b\.txt, chars \d+–\d+: «Định kỳ quý I, III/,
      );
    }
    expect(scheduleEntryFor(loaded, '2024Q2')).toBeNull();
    expect(parseSchedule(JSON.parse(fs.readFileSync(file, 'utf8')))).toEqual(loaded);
  });

  it('writes a targets file that parseTargets accepts; a mistaken one is refused naming the field', () => {
    const t = targetsFile(x);
    expect(parseTargets(JSON.parse(JSON.stringify(t)))).toHaveLength(5);
    expect(t.targets[0]).toMatchObject({
      indicator: 'tipoff_classification_rate',
      operator: '>=',
      value: 100,
      years: [2024],
      source: 'KH 04/KH-BCĐ, Biên Hòa, 21/3/2024',
    });
    const broken = structuredClone(t);
    (broken.targets[1] as { operator: string }).operator = '≥';
    expect(() => parseTargets(broken, 'targets.json')).toThrow(
      'targets.json: targets[1].operator: expected ">=" or ">", got "≥"',
    );
    const count = structuredClone(t);
    count.targets[0].indicator = 'cases_initiated';
    expect(() => parseTargets(count)).toThrow(
      /targets\[0\]\.indicator: "cases_initiated" is not a ratio of the catalogue/,
    );
  });
});

describe('the other plans', () => {
  needs(SEEDS);
  it('001 (Bắc Giang, programme 2021–2025): the same five targets for each year; reports named without a due day', async () => {
    const p = await plan('001_3181b156fe676d28.txt');
    expect(p.years).toEqual([2021, 2022, 2023, 2024, 2025]);
    expect(p.targets.map((t) => [t.indicator, t.operator, t.value])).toEqual([
      ['tipoff_classification_rate', '>=', 100],
      ['tipoff_resolution_rate', '>', 90],
      ['case_clearance_rate', '>', 90],
      ['indictment_rate', '>=', 95],
      ['trial_rate', '>=', 90],
    ]);
    expect(p.deadlines).toEqual([]);
    expect(p.undated.map((u) => [u.periodType, u.index ?? null])).toEqual([
      ['month', null],
      ['quarter', null],
      ['half', 1],
      ['year', null],
    ]);
    expect(scheduleFile(p).entries).toEqual([]);
  });

  it('002 (Lai Châu, 2024): tip-offs received, classified and resolved in full; 07/07 wards keeping the model', async () => {
    const p = await plan('002_d08b99a9dc01dea2.txt');
    expect(p.years).toEqual([2024]);
    expect(p.targets.map((t) => [t.indicator, t.operator, t.value, t.figure.text])).toEqual([
      ['tipoff_classification_rate', '>=', 100, '100%'],
      ['tipoff_resolution_rate', '>=', 100, '100%'],
      ['model_coverage_rate', '>=', 100, '07/07'],
    ]);
    // "100% đối tượng được tuyên truyền nắm và hiểu rõ …" is no ratio of the catalogue: listed, not taken.
    expect(p.unmapped.map((u) => u.figure.text)).toEqual(['100%']);
  });

  it('004 (national day 2021): no targets; its two one-off deadlines', async () => {
    const p = await plan('004_1f33843afa0b937c.txt');
    expect(p.targets).toEqual([]);
    expect(p.oneOff.map((o) => o.date)).toEqual(['2021-05-15', '2021-08-10']);
  });
});

describe('deadline wordings', () => {
  const sched = (text: string) =>
    extractPlan({ name: 'p.txt', raw: `KẾ HOẠCH\n\nPhòng, chống mua bán người năm 2025\n\n${text}` });
  it('"chậm nhất ngày" is inclusive: the first late day is the day after', () => {
    const p = sched(
      'UBND các xã, phường định kỳ 6 tháng (chậm nhất ngày 15/6) và năm (chậm nhất ngày 31/12) báo cáo kết quả về ' +
        'Ban Chỉ đạo huyện.',
    );
    expect(p.deadlines.map((d) => [d.periodType, d.due, d.reporterLevels])).toEqual([
      ['half', { month: 6, day: 16 }, ['ward']],
      ['year', { monthOffset: 1, day: 1 }, ['ward']],
    ]);
    expect(loadableSchedule(p)).toHaveLength(2);
  });
  it('several reports and as many dates pair in order; roman or arabic quarter numbers', () => {
    const p = sched('Các huyện, thành phố định kỳ báo cáo quý 1, quý 2 và quý 3 trước ngày 15/3, 15/6, 15/9.');
    expect(p.deadlines.map((d) => [d.periodType, d.index, d.due, d.reporterLevels])).toEqual([
      ['quarter', 1, { month: 3, day: 15 }, ['district']],
      ['quarter', 2, { month: 6, day: 15 }, ['district']],
      ['quarter', 3, { month: 9, day: 15 }, ['district']],
    ]);
  });
});

function loadableSchedule(p: PlanExtraction) {
  return parseSchedule(JSON.parse(JSON.stringify(scheduleFile(p))));
}
