import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { INDICATORS } from '../../schema/catalogue.ts';
import { catalogueTable, withCatalogueTable } from '../../schema/catalogueDocs.ts';

describe('the README catalogue table', () => {
  it('lists every indicator of the catalogue, with the targets of the ratios', () => {
    const table = catalogueTable();
    for (const i of INDICATORS) expect(table).toContain(`| \`${i.code}\` | ${i.nameVi} |`);
    expect(table).toContain('`cases_solved` / `cases_initiated` | > 90');
  });

  it('is up to date in README.md (run `npx pcmbn docs` after changing the catalogue)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(withCatalogueTable(readme)).toBe(readme);
  });
});
