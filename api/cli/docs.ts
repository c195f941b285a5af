/** `pcmbn docs`: rewrites the README's generated parts (the indicator catalogue table). */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { withCatalogueTable } from '../../schema/catalogueDocs.ts';

export const README = fileURLToPath(new URL('../../README.md', import.meta.url));

export function registerDocsCommand(program: Command): void {
  program
    .command('docs')
    .description("rewrite the README's indicator table from the catalogue")
    .action(() => {
      writeFileSync(README, withCatalogueTable(readFileSync(README, 'utf8')));
      console.log(`updated ${README}`);
    });
}
