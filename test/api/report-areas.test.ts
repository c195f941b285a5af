/**
 * Section I of the periodic report follows the catalogue's areas: its subheadings are the areas' titles, in their
 * order, and each area lists the counts the catalogue places in it. Pure: the report is composed from its data, no
 * server.
 */
import { describe, expect, it } from 'vitest';
import { type Block, composeReport } from '../../api/report/compose.ts';
import type { Figure, ReportData } from '../../api/report/gather.ts';
import { AREAS, INDICATORS, type Indicator } from '../../schema/catalogue.ts';
import { parsePeriod } from '../../schema/periods.ts';

function figure(i: Indicator, value: number | null): Figure {
  return {
    indicator: i,
    value,
    previousValue: null,
    suppressed: false,
    complete: true,
    status: i.kind === 'ratio' ? 'NO_DATA' : 'NO_TARGET',
    sources: [],
    parts: {},
    contributors: [],
  };
}

function report(value: (i: Indicator) => number | null): ReportData {
  return {
    unit: { ref: 'VN', name: 'Việt Nam', fullName: 'Việt Nam', level: 'NATIONAL' },
    period: parsePeriod('2026Q3'),
    previous: parsePeriod('2025Q3'),
    role: 'leader',
    figures: INDICATORS.map((i) => figure(i, value(i))),
    compliance: {
      expected: 0,
      received: 0,
      onTime: 0,
      late: 0,
      pending: 0,
      dueDate: null,
      completeness: null,
      missing: [],
      lateUnits: [],
    },
    discrepancies: [],
  };
}

/** Section I's subheadings, each with the names of the indicators its bullets state. */
function sectionOne(blocks: Block[]): { title: string; indicators: string[] }[] {
  const start = blocks.findIndex((b) => b.kind === 'heading' && b.text.startsWith('I.'));
  const end = blocks.findIndex((b, n) => n > start && b.kind === 'heading');
  const out: { title: string; indicators: string[] }[] = [];
  for (const b of blocks.slice(start + 1, end)) {
    if (b.kind === 'subheading') out.push({ title: b.text, indicators: [] });
    else if (b.kind === 'bullet')
      out
        .at(-1)!
        .indicators.push(INDICATORS.find((i) => b.text.includes(String(100 + INDICATORS.indexOf(i))))?.code ?? b.text);
  }
  return out;
}

describe('the report by area', () => {
  it("titles section I's parts with the catalogue's areas, in their order, each with the counts placed in it", () => {
    // Each count reports a value of its own (100 + its place), so a bullet names the indicator it states.
    const sections = sectionOne(
      composeReport(
        report((i) => 100 + INDICATORS.indexOf(i)),
        '2026-10-15',
      ),
    );
    expect(sections.map((s) => s.title)).toEqual([
      ...AREAS.map((a, n) => `${n + 1}. ${a.titleVi}`),
      `${AREAS.length + 1}. Kết quả thực hiện các chỉ tiêu`,
    ]);
    for (const [n, a] of AREAS.entries())
      expect(sections[n].indicators, a.code).toEqual(
        INDICATORS.filter((i) => i.area === a.code && i.kind === 'count').map((i) => i.code),
      );
  });

  it('leaves out an area none of whose counts has a value', () => {
    const sections = sectionOne(
      composeReport(
        report((i) => (i.area === 'outreach' ? null : 100 + INDICATORS.indexOf(i))),
        '2026-10-15',
      ),
    );
    expect(sections[0].title).toBe(`1. ${AREAS[1].titleVi}`);
    expect(sections.map((s) => s.title)).not.toContain(`1. ${AREAS[0].titleVi}`);
  });
});
