/**
 * The analyst's workbench (GraphiQL served at /graphql to a browser) in a real headless Chromium, with every
 * request to a host other than 127.0.0.1 blocked as on an offline network: it loads, takes a key, opens a README
 * example from the saved questions, runs it, and downloads its list as CSV and XLSX, which hold the API's figures.
 * And a scan of every page and bundle the server serves: no URL of another host, beyond XML namespaces and the
 * bundles' licence notes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, needs, unmet } from '../requirements.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../api/auth/keys.ts';
import { type RunningServer, startServer } from '../../api/server.ts';
import type { Warehouse } from '../../schema/warehouse.ts';
import { gql, projectRoot } from '../api/client.ts';
import { cleanupTemp, unitId } from '../helpers.ts';
import { demoWarehouse, launchChromium } from './helpers.ts';

const ARTIFACTS = path.join(projectRoot, 'test-artifacts');

let w: Warehouse;
let server: RunningServer;
let token: string;
let browser: Browser;

beforeAll(async () => {
  w = await demoWarehouse();
  token = (await createApiKey(w, { role: 'analyst', unitId: await unitId(w, 'VN'), label: 'workbench test' })).token;
  server = await startServer({ warehouse: w, port: 0 });
  if (unmet(CHROMIUM)) return;
  browser = await launchChromium();
  fs.mkdirSync(ARTIFACTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await cleanupTemp();
});

/** XML namespace names: the DOM takes them to create SVG and MathML elements and never fetches them. */
const XML_NAMESPACES = new Set([
  'http://www.w3.org/2000/svg',
  'http://www.w3.org/1999/xlink',
  'http://www.w3.org/1999/xhtml',
  'http://www.w3.org/1998/Math/MathML',
  'http://www.w3.org/XML/1998/namespace',
  'http://www.w3.org/2000/xmlns/',
]);
/** An absolute URL (any scheme followed by //) or a protocol-relative one naming a dotted host. */
const URL_OF_A_HOST = /(?:\b[a-z][a-z0-9+.-]*:)?\/\/[a-z0-9-]+(?:\.[a-z0-9-]+)+(?::\d+)?[^\s"'`()<>\\]*/gi;
/** esbuild's single licence comment at the end of a bundle (legalComments: 'eof'): text no browser fetches. */
const LICENCE_NOTE = '/*! Bundled license information:';

/** The text of a served file without its trailing licence comment, if it has one. */
function withoutLicenceNote(text: string): string {
  const at = text.lastIndexOf(LICENCE_NOTE);
  if (at < 0) return text;
  const note = text.slice(at);
  // Only a comment that runs to the end of the file: one that closes earlier is followed by code.
  expect(note.trimEnd().endsWith('*/') && note.indexOf('*/') === note.trimEnd().length - 2).toBe(true);
  return text.slice(0, at);
}

function foreignUrls(text: string): string[] {
  return [...withoutLicenceNote(text).matchAll(URL_OF_A_HOST)].map((m) => m[0]).filter((u) => !XML_NAMESPACES.has(u));
}

/** Paths the page or stylesheet makes the browser load: src and href attributes, CSS url() and @import. */
function references(text: string): string[] {
  const found = [
    ...text.matchAll(/\b(?:src|href)\s*=\s*["']([^"']+)["']/g),
    ...text.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g),
    ...text.matchAll(/@import\s+["']([^"']+)["']/g),
  ].map((m) => m[1]);
  return found.filter((r) => !r.startsWith('data:'));
}

describe('nothing served refers to another host', () => {
  it('the pages at / and /graphql, their scripts and stylesheets hold no URL of another host', async () => {
    const seen = new Map<string, string[]>();
    const queue = ['/', '/graphql'];
    while (queue.length) {
      const p = queue.shift()!;
      if (seen.has(p)) continue;
      const res = await fetch(`${server.origin}${p}`, { headers: { accept: 'text/html,*/*;q=0.8' } });
      expect(res.status, p).toBe(200);
      const type = res.headers.get('content-type') ?? '';
      const text = await res.text();
      seen.set(p, foreignUrls(text));
      if (/^text\/(html|css)/.test(type))
        for (const r of references(text)) {
          // A reference to another host is itself a finding (foreignUrls has it); the rest are fetched in turn.
          if (r.startsWith('/') && !r.startsWith('//')) queue.push(r);
          else if (!/^[a-z][a-z0-9+.-]*:|^\/\//i.test(r)) queue.push(new URL(r, `${server.origin}${p}`).pathname);
        }
    }
    expect(Object.fromEntries([...seen].filter(([, urls]) => urls.length > 0))).toEqual({});
    // Both pages' scripts and stylesheets were among them.
    const served = [...seen.keys()];
    expect(served.filter((p) => p.endsWith('.js')).length).toBeGreaterThanOrEqual(2);
    expect(served.filter((p) => p.endsWith('.css')).length).toBeGreaterThanOrEqual(2);
  });

  it('the scan finds what it is for: an absolute URL, a protocol-relative one, a namespace in a licence note', () => {
    expect(foreignUrls('<script src="https://cdn.example.org/x.js"></script>')).toEqual([
      'https://cdn.example.org/x.js',
    ]);
    expect(foreignUrls('a.src="//unpkg.com/react"')).toEqual(['//unpkg.com/react']);
    expect(foreignUrls('createElementNS("http://www.w3.org/2000/svg","g")')).toEqual([]);
    expect(foreignUrls('x()\n/*! Bundled license information:\n\nreact:\n  (** https://react.dev *)\n*/\n')).toEqual(
      [],
    );
    expect(() => foreignUrls('/*! Bundled license information: */ fetch("https://x.example.com")')).toThrow();
  });
});

/** A page on which every request to a host other than the server's is refused and recorded. */
async function offlinePage(): Promise<{ page: Page; blocked: string[]; problems: string[] }> {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    locale: 'vi-VN',
    acceptDownloads: true,
  });
  const page = await context.newPage();
  const blocked: string[] = [];
  const problems: string[] = [];
  await page.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === 'data:' || url.protocol === 'blob:' || url.hostname === '127.0.0.1') return route.continue();
    blocked.push(url.href);
    return route.abort('internetdisconnected');
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  return { page, blocked, problems };
}

const TREND_TITLE = /^Monthly trend across the reform/;

describe('the workbench, offline', () => {
  needs(CHROMIUM);
  it('takes a key, runs a README example, and downloads its list as CSV and XLSX holding the API figures', async () => {
    const { page, blocked, problems } = await offlinePage();
    await page.goto(`${server.origin}/graphql`);
    await page.getByLabel('Khoá API').fill(token);
    await page.getByRole('button', { name: 'Dùng khoá' }).click();
    await expect.poll(() => page.evaluate(() => sessionStorage.getItem('pcmbn.apiKey'))).toBe(token);

    // The saved questions are open beside the editor; the README's trend example opens in a new tab.
    await page.getByRole('button', { name: TREND_TITLE }).click();
    await expect.poll(() => page.locator('.graphiql-query-editor').innerText()).toMatch(/trend\(indicator:/);
    await page.locator('.graphiql-execute-button').click();
    await expect.poll(() => page.locator('.result-window').innerText(), { timeout: 30_000 }).toMatch(/"start"/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'workbench.png') });

    // The docs are the schema's own descriptions, read through the same key.
    await page.getByRole('button', { name: 'Show Documentation Explorer' }).click();
    await page.locator('.graphiql-doc-explorer').getByRole('link', { name: 'Query' }).click();
    await expect
      .poll(() => page.locator('.graphiql-doc-explorer').innerText())
      .toContain('Several indicators for one unit and period, in one round trip');

    // The same query straight from the API, with the same key.
    const query = await page.evaluate(
      () => (document.querySelector('.graphiql-query-editor .CodeMirror') as any).CodeMirror.getValue() as string,
    );
    const api = await gql(server.url, query, { token });
    expect(api.body.errors).toBeUndefined();
    const trend = api.body.data.trend as {
      period: string;
      start: string;
      value: number | null;
      suppressed: boolean;
      complete: boolean;
    }[];
    expect(trend.filter((p) => p.value !== null).length).toBeGreaterThan(0);

    const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-csv').click()]);
    expect(csvDownload.suggestedFilename()).toBe('pcmbn-trend.csv');
    const csvBytes = fs.readFileSync(await csvDownload.path());
    expect([...csvBytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parse(csvBytes, { bom: true, columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.period, r.start, r.value, r.suppressed, r.complete])).toEqual(
      trend.map((p) => [
        p.period,
        p.start,
        p.value === null ? '' : String(p.value),
        String(p.suppressed),
        String(p.complete),
      ]),
    );

    const [xlsxDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('download-xlsx').click(),
    ]);
    expect(xlsxDownload.suggestedFilename()).toBe('pcmbn-trend.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(await xlsxDownload.path());
    const sheet = wb.worksheets[0];
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    const col = (name: string) => header.indexOf(name) + 1;
    const cells = trend.map((_, i) => {
      const row = sheet.getRow(i + 2);
      return [row.getCell(col('period')).value, row.getCell(col('value')).value, row.getCell(col('suppressed')).value];
    });
    expect(cells).toEqual(trend.map((p) => [p.period, p.value, p.suppressed]));

    expect(blocked).toEqual([]);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("keeps the analyst's tabs and downloads them as a .graphql file; asks which list of several; speaks English on request", async () => {
    const { page, blocked } = await offlinePage();
    await page.goto(`${server.origin}/graphql`);
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByLabel('API key').fill(token);
    await page.getByRole('button', { name: 'Use key' }).click();
    await page.getByRole('button', { name: TREND_TITLE }).click();
    await expect.poll(() => page.locator('.graphiql-query-editor').innerText()).toMatch(/trend\(indicator:/);
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-queries').click()]);
    expect(file.suggestedFilename()).toBe('pcmbn-queries.graphql');
    expect(fs.readFileSync(await file.path(), 'utf8')).toMatch(/# Monthly trend across the reform[^\n]*\n\{ trend\(/);

    // An answer with two lists: the workbench asks which, then downloads that one.
    const twoLists = '{ provinces: adminUnits { ref name } indicators { code nameEn } }';
    await page.evaluate(
      (q) => (document.querySelector('.graphiql-query-editor .CodeMirror') as any).CodeMirror.setValue(q),
      twoLists,
    );
    await page.getByTestId('download-csv').click();
    await expect
      .poll(() => page.locator('.wb-downloads').innerText())
      .toMatch(/The answer holds several lists; choose one:\s*provinces\s*indicators/);
    const [chosen] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-path="indicators"]').click(),
    ]);
    expect(chosen.suggestedFilename()).toBe('pcmbn-indicators.csv');
    const api = (await gql(server.url, twoLists, { token })).body.data.indicators as { code: string; nameEn: string }[];
    expect(parse(fs.readFileSync(await chosen.path()), { bom: true })).toEqual([
      ['code', 'nameEn'],
      ...api.map((i) => [i.code, i.nameEn]),
    ]);
    expect(blocked).toEqual([]);
    await page.context().close();
  });
});
