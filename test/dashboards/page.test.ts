/**
 * The built-in dashboard page in a real headless Chromium (Debian's `chromium`, driven by playwright-core), served
 * by the real API server on a warehouse holding the demo sample, with the demo key as `npm start` keeps it: the
 * page loads with no console errors, a chart draws its points, picking a province changes the figures to that
 * province's, the English switch works, every tab renders; screenshots go to test-artifacts/.
 */
import fs from 'node:fs';
import { request as httpRequest } from 'node:http';
import path from 'node:path';
import type { Browser, ConsoleMessage, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../api/auth/keys.ts';
import { ensureDemoKey } from '../../api/cli/start.ts';
import { type RunningServer, startServer } from '../../api/server.ts';
import { DASHBOARDS } from '../../dashboards/spec.ts';
import type { Warehouse } from '../../schema/warehouse.ts';
import { gql, projectRoot } from '../api/client.ts';
import { cleanupTemp } from '../helpers.ts';
import { CHROMIUM, needs, unmet } from '../requirements.ts';
import { demoWarehouse, launchChromium } from './helpers.ts';

const ARTIFACTS = path.join(projectRoot, 'test-artifacts');

let w: Warehouse;
let server: RunningServer;
let demoKey: string;
let browser: Browser;

beforeAll(async () => {
  w = await demoWarehouse();
  demoKey = (await ensureDemoKey(w)).token; // demo-key.txt beside the warehouse, as `pcmbn start` leaves it
  server = await startServer({ warehouse: w, port: 0, demoKeyFile: path.join(path.dirname(w.path), 'demo-key.txt') });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await cleanupTemp();
});

/** GET with a chosen Host and headers (fetch cannot set Host). */
function get(
  pathname: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: server.port, path: pathname, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

interface Watched {
  page: Page;
  problems: string[];
}

/** A page that records console errors, uncaught exceptions and failed requests. */
async function openPage(extraHeaders?: Record<string, string>): Promise<Watched> {
  const page = await browser.newPage({
    viewport: { width: 1440, height: 900 },
    locale: 'vi-VN',
    timezoneId: 'Asia/Ho_Chi_Minh',
  });
  if (extraHeaders) await page.setExtraHTTPHeaders(extraHeaders);
  const problems: string[] = [];
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()} ${r.url()}`);
  });
  return { page, problems };
}

/** Waits until the page has drawn everything after the render that started after `after`. */
async function ready(page: Page, after = 0): Promise<number> {
  await page.waitForFunction((n) => Number(document.getElementById('app')?.dataset.ready ?? 0) > n, after, {
    timeout: 30_000,
  });
  return Number(await page.locator('#app').getAttribute('data-ready'));
}

const digits = (s: string | null) => Number((s ?? '').replace(/\D/g, ''));

describe('serving the page', () => {
  it(
    'GET / is the page with strict headers; its script and stylesheet are bundled here, named by content, with ' +
      'nothing from a CDN',
    async () => {
      const res = await fetch(`${server.origin}/`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'; script-src 'self'/);
      const html = await res.text();
      const [js] = html.match(/\/assets\/app\.[0-9a-f]{12}\.js/)!;
      const [css] = html.match(/\/assets\/app\.[0-9a-f]{12}\.css/)!;
      expect(html).not.toMatch(/https?:\/\//);
      const script = await fetch(`${server.origin}${js}`);
      expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
      expect(script.headers.get('cache-control')).toMatch(/immutable/);
      const code = await script.text();
      expect(code).toMatch(/echarts|ECharts/);
      expect(code).not.toMatch(/https?:\/\/(cdn|unpkg|cdnjs|fastly|esm\.sh)/);
      expect((await fetch(`${server.origin}${css}`)).status).toBe(200);
      expect((await fetch(`${server.origin}/assets/app.000000000000.js`)).status).toBe(404);
    },
  );

  it(
    '/dashboard-config.json: the demo key only for a browser on this machine; others are asked for a key; ' +
      'anonymous servers need none',
    async () => {
      const local = await get('/dashboard-config.json', { host: `127.0.0.1:${server.port}` });
      expect(JSON.parse(local.body)).toEqual({ auth: 'demo', token: demoKey });
      expect(local.headers['cache-control']).toBe('no-store');
      expect(JSON.parse((await get('/dashboard-config.json', { host: `localhost:${server.port}` })).body).auth).toBe(
        'demo',
      );
      // A DNS-rebinding page (another host name), a request through a proxy, a cross-site fetch: no key.
      const refused: Record<string, string>[] = [
        { host: `attacker.example:${server.port}` },
        { host: `127.0.0.1:${server.port}`, 'x-forwarded-for': '203.0.113.7' },
        { host: `127.0.0.1:${server.port}`, forwarded: 'for=203.0.113.7' },
        { host: `127.0.0.1:${server.port}`, 'sec-fetch-site': 'cross-site' },
      ];
      for (const headers of refused) {
        expect(JSON.parse((await get('/dashboard-config.json', headers)).body), JSON.stringify(headers)).toEqual({
          auth: 'key',
        });
      }
      const open = await startServer({ warehouse: w, port: 0, anonymous: 'viewer' });
      try {
        expect(await (await fetch(`${open.origin}/dashboard-config.json`)).json()).toEqual({ auth: 'anonymous' });
      } finally {
        await open.close();
      }
      // Served as production (`pcmbn serve`), beside the demo's key file: no key, even for this machine, since a
      // reverse proxy that adds no header (nginx by default) looks just like a local browser.
      const served = await startServer({ warehouse: w, port: 0 });
      try {
        expect(await (await fetch(`${served.origin}/dashboard-config.json`)).json()).toEqual({ auth: 'key' });
      } finally {
        await served.close();
      }
    },
  );
});

describe('the page in Chromium', () => {
  needs(CHROMIUM);
  beforeAll(async () => {
    if (unmet(CHROMIUM)) return;
    browser = await launchChromium();
    fs.mkdirSync(ARTIFACTS, { recursive: true });
  });

  it(
    'loads with no console errors, draws a chart, follows the unit picker to a province, switches to English; ' +
      'every tab renders',
    async () => {
      const { page, problems } = await openPage();
      try {
        await page.goto(`${server.origin}/`);
        let gen = await ready(page);
        expect(await page.locator('h1').textContent()).toBe('Phòng, chống mua bán người');
        expect(await page.locator('[role=tab][aria-selected=true]').textContent()).toBe('Tổng quan');

        // Stat tiles with the API's figures for the newest year, coloured by target.
        const year = await page.locator('#year').inputValue();
        const api = (
          await gql(
            server.url,
            `{ vn: kpi(indicator: "outreach_participants", period: "${year}") { value } dn: kpi(indicator: ` +
              `"outreach_participants", period: "${year}", unit: "2025-07:75") { value } rate: kpi(indicator: ` +
              `"case_clearance_rate", period: "${year}") { status } }`,
            { token: demoKey },
          )
        ).body.data;
        const tile = page.locator('[data-panel="pcmbn-overview/stat-outreach_participants"] .tile-value');
        expect(digits(await tile.textContent())).toBe(api.vn.value);
        const rateTile = page.locator('[data-panel="pcmbn-overview/stat-case_clearance_rate"]');
        expect(await rateTile.getAttribute('class')).toContain(
          api.rate.status === 'MET' ? 'status-met' : 'status-not-met',
        );

        // A trend chart has drawn its points: the count of values and an SVG line through them.
        const chart = page.locator('[data-panel="pcmbn-overview/trend-outreach_participants"] .chart');
        expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThan(24);
        const longest = await chart
          .locator('svg path')
          .evaluateAll((paths) => Math.max(...paths.map((p) => (p.getAttribute('d') ?? '').split(/[LC]/).length)));
        expect(longest).toBeGreaterThan(24);
        await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-overview-vi.png'), fullPage: true });

        // Picking a province in the searchable unit picker (both lists are offered) changes the figures to its own.
        await page.locator('#unit-input').click();
        await page.locator('#unit-input').fill('dong nai');
        await page.locator('#unit-list [data-ref="2025-03:75"]').waitFor(); // old Đồng Nai, from the list before the reform
        await page.locator('#unit-list [data-ref="2025-07:75"]').click();
        gen = await ready(page, gen);
        expect(await page.locator('.unit-name').textContent()).toContain('Đồng Nai');
        expect(page.url()).toContain('unit=2025-07%3A75');
        expect(digits(await tile.textContent())).toBe(api.dn.value);
        expect(api.dn.value).not.toBe(api.vn.value);
        // The ranking now lists the province's communes.
        expect(
          Number(
            await page
              .locator('[data-panel="pcmbn-overview/top-outreach_participants"] .chart')
              .getAttribute('data-points'),
          ),
        ).toBe(5);

        // English.
        await page.locator('#lang').click();
        gen = await ready(page, gen);
        expect(await page.locator('h1').textContent()).toBe('Anti-trafficking');
        expect(await page.locator('html').getAttribute('lang')).toBe('en');
        expect(await page.locator('[role=tab][aria-selected=true]').textContent()).toBe('National overview');
        expect(await page.locator('[data-panel="pcmbn-overview/stat-outreach_participants"] h4').textContent()).toBe(
          'Outreach participants (person-visits)',
        );

        // Every tab renders its panels without an error.
        for (const d of DASHBOARDS) {
          await page.locator(`[role=tab][data-uid="${d.uid}"]`).click();
          gen = await ready(page, gen);
          expect(await page.locator('main.dashboard').getAttribute('data-uid')).toBe(d.uid);
          expect(await page.locator('[data-state=error]').count(), d.uid).toBe(0);
          expect(await page.locator('[data-state=ready]').count(), d.uid).toBeGreaterThan(0);
        }
        await page.locator('[role=tab][data-uid="pcmbn-victims"]').click();
        await ready(page, gen);
        await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-victims-en.png'), fullPage: true });
        expect(problems).toEqual([]);
      } finally {
        await page.close();
      }
    },
  );

  it('a browser that is not given the demo key asks for one, says when it is wrong, and works with a valid key', async () => {
    const { page, problems } = await openPage({ 'X-Forwarded-For': '203.0.113.7' });
    try {
      await page.goto(`${server.origin}/?d=pcmbn-compliance`);
      await page.locator('#api-key').waitFor();
      await page.locator('#api-key').fill('pcmbn_notAKeyOfThisWarehouse0000000000000000000000');
      await page.locator('.key-form button').click();
      await page.locator('.key-form .error').waitFor();
      const key = (await createApiKey(w, { role: 'viewer', unitId: 0, label: 'page test' })).token;
      await page.locator('#api-key').fill(key);
      await page.locator('.key-form button').click();
      await ready(page);
      expect(await page.locator('[data-panel="pcmbn-compliance/by-unit"] tbody tr').count()).toBe(34);
      // The refused key was the only problem: one 401.
      expect(problems.filter((p) => !/HTTP 401 .*\/graphql|status of 401/.test(p))).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
