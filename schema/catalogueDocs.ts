/**
 * The catalogue as the README's table: generated, never written by hand, so the docs cannot drift from the code
 * (`pcmbn docs` rewrites it; a test fails when it is stale).
 */
import { INDICATORS, WARDS_IN_FORCE } from './catalogue.ts';

export const DOCS_START = '<!-- catalogue:start -->';
export const DOCS_END = '<!-- catalogue:end -->';

export function catalogueTable(): string {
  const rows = INDICATORS.map((i) => {
    if (i.kind === 'count') {
      const by = i.disaggregations.length ? ` (by ${i.disaggregations.join(', ')})` : '';
      return (
        `| \`${i.code}\` | ${i.nameVi} | ${i.nameEn}${by} | ${i.unit} | ` +
        `${i.aggregation === 'sum' ? 'sum (flow)' : 'last (stock)'} | | ${i.area} |`
      );
    }
    const denominator =
      i.denominator === WARDS_IN_FORCE ? 'wards or communes in force under the unit' : `\`${i.denominator}\``;
    const op = i.target.operator === '>=' ? '≥' : '>';
    return (
      `| \`${i.code}\` | ${i.nameVi} | ${i.nameEn} | % | \`${i.numerator}\` / ${denominator} | ${op} ` +
      `${i.target.value} (${i.target.source}) | ${i.area} |`
    );
  });
  return [
    '| code | Vietnamese | English | unit | aggregation | target | area |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

/** `readme` with the block between the markers replaced by the current table. */
export function withCatalogueTable(readme: string): string {
  const start = readme.indexOf(DOCS_START);
  const end = readme.indexOf(DOCS_END);
  if (start < 0 || end < start) throw new Error(`README has no ${DOCS_START} … ${DOCS_END} block`);
  return `${readme.slice(0, start + DOCS_START.length)}\n${catalogueTable()}\n${readme.slice(end)}`;
}
