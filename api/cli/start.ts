/**
 * `npm start` (`pcmbn start`): the product on an embedded warehouse. An empty warehouse first gets the demo sample,
 * so a fresh clone shows real figures at once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { summarize, withWarehouse } from '../../etl/cli.ts';
import { loadFiles } from '../../etl/load.ts';
import { generateSample } from '../../etl/sample.ts';
import type { Warehouse } from '../../schema/warehouse.ts';

/** Loads the demo sample into an empty warehouse; returns whether it did. */
export async function ensureDemoData(w: Warehouse): Promise<boolean> {
  const [{ n }] = await w.sql<{ n: number }>('SELECT count(*) AS n FROM facts');
  if (n > 0) return false;
  const dir = mkdtempSync(join(tmpdir(), 'pcmbn-demo-'));
  try {
    await generateSample({ scale: 'demo', outDir: dir });
    console.log(`empty warehouse: loading the demo sample`);
    console.log(summarize(await loadFiles(w, [dir], { trigger: 'demo', baseDir: dir })));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return true;
}

export async function describeWarehouse(w: Warehouse): Promise<string> {
  const rows = await w.sql<{ hierarchy: string; level: string; units: number; reports: number; facts: number; first: string; last: string }>(`
    SELECT u.hierarchy, u.level, count(DISTINCT r.unit_id) AS units, count(*) AS reports,
           (SELECT count(*) FROM facts f JOIN units fu USING (unit_id) WHERE fu.hierarchy = u.hierarchy AND fu.level = u.level AND f.is_current) AS facts,
           min(r.period_id) AS first, max(r.period_id) AS last
    FROM reports r JOIN units u USING (unit_id) GROUP BY u.hierarchy, u.level ORDER BY u.hierarchy, u.level`);
  const lines = rows.map((r) => `  ${r.hierarchy.padEnd(8)} ${r.level.padEnd(9)} ${String(r.units).padStart(6)} units ${String(r.reports).padStart(8)} reports ${String(r.facts).padStart(10)} current facts  ${r.first}…${r.last}`);
  return [`warehouse ${w.path}:`, ...lines].join('\n');
}

export function registerStartCommand(program: Command): void {
  program.command('start')
    .description('run the product on the embedded warehouse, loading the demo sample into an empty one')
    .action(async () => {
      await withWarehouse(async (w) => {
        await ensureDemoData(w);
        console.log(await describeWarehouse(w));
      });
    });
}
