/**
 * How well the extraction reads reports it was not written for: precision and recall over hand-written reports in
 * the style of the seeds (test/fixtures/extract), each with its answer key. Three sets, in the order they were
 * written: `dev` (the rules were developed on them), `heldout` (measured once, then the rules were fixed for what
 * they missed), `fresh` (measured once after that, then fixed too). README, "Reports written in prose", gives the
 * first-run figures of each set and the floors held here.
 */
import { describe, expect, it } from 'vitest';
import { extractReport } from '../../etl/extract/report.ts';
import { loadRules } from '../../etl/extract/rules.ts';
import { readSource } from '../../etl/extract/text.ts';
import { type Fixture, fixtures, type Score, score, total } from '../fixtures/extract/score.ts';

/** The floors, over all the fixtures together (README). */
const FLOOR = { precision: 0.95, recall: 0.95 };
/** And for each report alone: one bad report should not hide behind the others. */
const FLOOR_EACH = { precision: 0.85, recall: 0.8 };

const rules = loadRules();
const all: { set: string; f: Fixture }[] = (['dev', 'heldout', 'fresh'] as const).flatMap((set) =>
  fixtures(set).map((f) => ({ set, f })),
);

async function run(f: Fixture) {
  return extractReport(await readSource(f.file, f.name), {
    unit: f.expected.unit,
    period: f.expected.period,
    rules,
    today: '2026-01-01',
  });
}

describe('precision and recall on hand-written reports', () => {
  const scores = new Map<string, Score>();

  it.each(all.map(({ set, f }) => [`${set}/${f.name}`, f] as const))('%s', async (_, f) => {
    const x = await run(f);
    const s = score(x.mentions, f.expected);
    scores.set(f.name, s);
    const p = s.proposed ? s.correct / s.proposed : 1;
    const r = s.expected ? s.correct / s.expected : 1;
    expect(p, `precision; wrong: ${s.wrong.join(', ')}`).toBeGreaterThanOrEqual(FLOOR_EACH.precision);
    expect(r, `recall; missed: ${s.missed.join(', ')}`).toBeGreaterThanOrEqual(FLOOR_EACH.recall);
    // The period is read from the title; the figures said to be no figures are not taken; the unmapped are listed.
    expect(x.periodInText).toBe(f.expected.period);
    const unmapped = x.unmapped.map((u) => u.value);
    for (const v of f.expected.unmapped) expect(unmapped, `unmapped ${v}`).toContain(v);
    for (const token of f.expected.notFigures) {
      const re = new RegExp(`(?<![\\d.,/])${token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\d.,/])`);
      const taken = x.mentions.filter((m) => re.test(m.figure.text) && m.kind !== 'zero');
      expect(
        taken.map((m) => m.figure.text),
        `"${token}" is no figure`,
      ).toEqual([]);
    }
    // Where the key gives the unit's rows (totals, sums, stocks), the proposal has them.
    for (const [indicator, value] of Object.entries(f.expected.rows ?? {})) {
      expect(x.proposals.find((p) => p.indicator === indicator && !p.sex && !p.age_group)?.value, indicator).toBe(
        value,
      );
    }
  });

  it(`all together: precision ≥ ${FLOOR.precision}, recall ≥ ${FLOOR.recall}`, () => {
    expect(scores.size).toBe(all.length);
    const t = total([...scores.values()]);
    console.log(
      `extraction over ${all.length} reports: precision ${t.precision.toFixed(3)} (${t.correct}/${t.proposed}), recall ${t.recall.toFixed(3)} (${t.correct}/${t.expected})`,
    );
    expect(t.expected).toBeGreaterThanOrEqual(150);
    expect(t.precision).toBeGreaterThanOrEqual(FLOOR.precision);
    expect(t.recall).toBeGreaterThanOrEqual(FLOOR.recall);
  });
});
