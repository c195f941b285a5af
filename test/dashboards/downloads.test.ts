/**
 * The page's downloads in a real headless Chromium against the real server: on the compliance view of new Lai Châu
 * for September 2026 (2 of its 38 communes reported), "Tải báo cáo" downloads the province's report for the month
 * and "Tải mẫu" beside a missing commune downloads that commune's template; a viewer's "Tải mẫu" says why not.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, needs, unmet } from '../requirements.ts';
import { launchChromium } from './helpers.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../api/auth/keys.ts';
import { type RunningServer, startServer } from '../../api/server.ts';
import { loadFiles } from '../../etl/load.ts';
import type { Warehouse } from '../../schema/warehouse.ts';
import { projectRoot } from '../api/client.ts';
import { cleanupTemp, csv, freshWarehouse, tempDir, writeFile } from '../helpers.ts';

const PROVINCE = '2025-07:12';
const MONTH = '202609';

let w: Warehouse;
let server: RunningServer;
let browser: Browser;
const tokens: Record<string, string> = {};
let communes: { ref: string; name: string }[];

beforeAll(async () => {
  w = await freshWarehouse();
  communes = await w.sql<{ ref: string; name: string }>(
    `SELECT u.ref, u.type || ' ' || u.name AS name FROM units u JOIN units p ON p.unit_id = u.parent_id
     WHERE p.ref = $1 ORDER BY u.unit_id`,
    [PROVINCE],
  );
  const rows = communes
    .slice(0, 2)
    .flatMap((c, k) => [
      `${c.ref},${MONTH},outreach_sessions,${k + 4},2026-10-05`,
      `${c.ref},${MONTH},leaflets_distributed,${1200 + k},2026-10-05`,
    ]);
  const r = await loadFiles(w, [
    writeFile(tempDir(), 'lai-chau-202609.csv', csv('unit_code,period,indicator,value,submitted_on', ...rows)),
  ]);
  expect(r.rejected).toBe(0);
  const province = (await w.sql<{ unit_id: number }>(`SELECT unit_id FROM units WHERE ref = $1`, [PROVINCE]))[0];
  for (const role of ['analyst', 'viewer'] as const)
    tokens[role] = (await createApiKey(w, { role, unitId: province.unit_id })).token;
  server = await startServer({ warehouse: w, port: 0 });
  mkdirSync(path.join(projectRoot, 'test-artifacts'), { recursive: true });
  if (unmet(CHROMIUM)) return;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await cleanupTemp();
});

async function complianceView(role: string): Promise<Page> {
  const page = await browser.newPage({ acceptDownloads: true, locale: 'vi-VN' });
  await page.goto(`${server.origin}/?d=pcmbn-compliance&unit=${PROVINCE}&month=${MONTH}#key=${tokens[role]}`);
  await page.waitForFunction(() => Number(document.getElementById('app')?.dataset.ready ?? 0) > 0, undefined, {
    timeout: 60_000,
  });
  return page;
}

describe('the page’s downloads', () => {
  needs(CHROMIUM);
  it('downloads the report of the unit and month on screen, and the template of a missing commune', async () => {
    const page = await complianceView('analyst');
    const [report] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Tải báo cáo' }).click(),
    ]);
    expect(report.suggestedFilename()).toBe(`bao-cao-12-${MONTH}.docx`);
    expect(
      readFileSync(await report.path())
        .subarray(0, 2)
        .toString(),
    ).toBe('PK');

    const missing = communes[5];
    const row = page.locator(`[data-panel$="/missing"] tr[data-ref="${missing.ref}"]`);
    await expect.poll(() => row.count()).toBe(1);
    const [template] = await Promise.all([
      page.waitForEvent('download'),
      row.getByRole('button', { name: 'Tải mẫu' }).click(),
    ]);
    expect(template.suggestedFilename()).toBe(`mau-bao-cao-${missing.ref.slice(8)}-${MONTH}.xlsx`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(await template.path());
    const units = new Set<string>();
    wb.worksheets[0].eachRow((r, line) => void (line > 1 && units.add(String(r.getCell(1).value))));
    expect([...units]).toEqual([missing.ref]);
    await page.screenshot({
      path: path.join(projectRoot, 'test-artifacts', 'dashboard-compliance-downloads.png'),
      fullPage: true,
    });
    // The communes that reported are not missing: no template offered for them.
    expect(await page.locator(`[data-panel$="/missing"] tr[data-ref="${communes[0].ref}"]`).count()).toBe(0);
    await page.close();
  });

  it('tells a viewer why there is no template for them', async () => {
    const page = await complianceView('viewer');
    const row = page.locator(`[data-panel$="/missing"] tr[data-ref="${communes[5].ref}"]`);
    await expect.poll(() => row.count()).toBe(1);
    await row.getByRole('button', { name: 'Tải mẫu' }).click();
    await expect.poll(() => row.getByRole('alert').textContent()).toContain('templates are for analysts and admins');
    await page.close();
  });
});
