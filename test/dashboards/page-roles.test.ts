/**
 * The built-in page as the people it is for see it, in real headless Chromium: a national leader's key, a
 * province viewer's key (the public/partner role, with small victims counts withheld) and the demo as `npm start`
 * leaves it, each on a desktop (1440×900) and a phone (390×844), on every tab. The page must open on the key's own
 * unit, speak only Vietnamese in the Vietnamese view (no English, no raw API error), never scroll sideways, and
 * show every victims panel's figures or say that they are withheld. Screenshots go to test-artifacts/.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, needs, unmet } from '../requirements.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../api/auth/keys.ts';
import { ensureDemoKey } from '../../api/cli/start.ts';
import { type RunningServer, startServer } from '../../api/server.ts';
import { DASHBOARDS } from '../../dashboards/spec.ts';
import type { Warehouse } from '../../schema/warehouse.ts';
import { gql, projectRoot } from '../api/client.ts';
import { cleanupTemp, unitId } from '../helpers.ts';
import { demoWarehouse, launchChromium } from './helpers.ts';

const ARTIFACTS = path.join(projectRoot, 'test-artifacts');
const VIEWPORTS = [
  { name: 'desktop', width: 1440, height: 900 },
  { name: 'phone', width: 390, height: 844 },
];
const WITHHELD_VI = 'ẩn để bảo vệ nạn nhân';

/**
 * English a Vietnamese reader would meet: common English words (none of them also a Vietnamese word) and the
 * API's error vocabulary. Commands and codes shown as `<code>` are left out of the text checked.
 */
const ENGLISH =
  /\b(the|of|and|with|from|not|could|error|unit|units|year|month|withheld|victims|figures|provinces|communes|ranked|target|top|bottom|over time|loading|no data|forbidden|outside|scope|expected|internal)\b/i;
const RAW_ERROR = /FORBIDDEN|BAD_USER_INPUT|UNAUTHENTICATED|TOO_MANY_ROWS|GRAPHQL_|internal error|Error:/;

let w: Warehouse;
let server: RunningServer;
let browser: Browser;
const keys: Record<string, string> = {};

beforeAll(async () => {
  w = await demoWarehouse();
  const demo = await ensureDemoKey(w); // demo-key.txt beside the warehouse, as `pcmbn start` leaves it
  keys.leader = (await createApiKey(w, { role: 'leader', unitId: 0, label: 'leader of VN' })).token;
  keys.viewer = (
    await createApiKey(w, { role: 'viewer', unitId: await unitId(w, '2025-07:12'), label: 'Lai Châu' })
  ).token;
  server = await startServer({ warehouse: w, port: 0, demoKeyFile: demo.file });
  if (unmet(CHROMIUM)) return;
  browser = await launchChromium();
  fs.mkdirSync(ARTIFACTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await cleanupTemp();
});

interface Who {
  name: string;
  /** The key, passed once in the address; none: the demo key the page gets on this machine. */
  key?: keyof typeof keys;
  unit: string;
  unitName: RegExp;
  /** Whether victims figures may be withheld for this key. */
  suppressed: boolean;
}

const WHO: Who[] = [
  { name: 'leader-vn', key: 'leader', unit: 'VN', unitName: /Toàn quốc/, suppressed: false },
  { name: 'viewer-laichau', key: 'viewer', unit: '2025-07:12', unitName: /Lai Châu/, suppressed: true },
  { name: 'demo', unit: 'VN', unitName: /Toàn quốc/, suppressed: false },
];

async function openAs(who: Who, viewport: { width: number; height: number }, query = ''): Promise<Page> {
  const page = await browser.newPage({ viewport, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
  // A browser that is not on this machine (a proxy says so) is not given the demo key: it uses the one passed.
  if (who.key) await page.setExtraHTTPHeaders({ 'X-Forwarded-For': '203.0.113.7' });
  await page.goto(`${server.origin}/${query}${who.key ? `#key=${keys[who.key]}` : ''}`);
  return page;
}

async function ready(page: Page, after = 0): Promise<number> {
  await page.waitForFunction((n) => Number(document.getElementById('app')?.dataset.ready ?? 0) > n, after, {
    timeout: 30_000,
  });
  return Number(await page.locator('#app').getAttribute('data-ready'));
}

/** The page's visible words, without `<code>` (commands) and the indicator picker's hidden options. */
function pageText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const app = document.getElementById('app')!.cloneNode(true) as HTMLElement;
    app.querySelectorAll('code, option, [hidden]').forEach((e) => e.remove());
    return app.textContent ?? '';
  });
}

/** Elements that reach past the right edge of the viewport, and the document's own width against it. */
function overflow(page: Page): Promise<{ scrollWidth: number; width: number; outside: string[] }> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const outside: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>('#app *')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || r.right <= width + 1) continue;
      // What a scrolling box clips is not page overflow; the box itself is measured.
      let clipped = false;
      for (let p = el.parentElement; p && p.id !== 'app'; p = p.parentElement) {
        const s = getComputedStyle(p);
        if (s.overflowX !== 'visible') clipped = p.getBoundingClientRect().right <= width + 1;
        if (clipped) break;
      }
      if (!clipped) outside.push(`${el.tagName.toLowerCase()}.${el.className} (${Math.round(r.right)} px)`);
    }
    return { scrollWidth: document.documentElement.scrollWidth, width, outside: outside.slice(0, 5) };
  });
}

/** Each victims panel on the tab: whether it shows figures, says they are withheld, or neither. */
function victimsPanels(page: Page): Promise<{ panel: string; numbers: boolean; withheld: boolean }[]> {
  return page.evaluate((note) => {
    const panels = [...document.querySelectorAll<HTMLElement>('main.dashboard [data-panel]')].filter((p) =>
      /victim|pcmbn-victims\//.test(p.dataset.panel ?? ''),
    );
    return panels.map((p) => {
      const tile = p.querySelector('.tile-value')?.textContent ?? '';
      const charts = [...p.querySelectorAll<HTMLElement>('.chart')];
      return {
        panel: p.dataset.panel!,
        numbers: /\d/.test(tile) || charts.some((c) => Number(c.dataset.points) > 0),
        withheld: (p.textContent ?? '').includes(note),
      };
    });
  }, WITHHELD_VI);
}

describe('the page for a leader, a province viewer and the demo', () => {
  needs(CHROMIUM);
  for (const who of WHO) {
    for (const vp of VIEWPORTS) {
      it(
        `${who.name} at ${vp.width}×${vp.height}: opens on the key's unit; every tab in Vietnamese, within the ` +
          `screen, victims figures or the withheld note`,
        async () => {
          const page = await openAs(who, vp);
          try {
            let gen = await ready(page);
            expect(new URL(page.url()).searchParams.get('unit')).toBe(who.unit);
            expect(await page.locator('.unit-name').textContent()).toMatch(who.unitName);
            for (const d of DASHBOARDS) {
              await page.locator(`[role=tab][data-uid="${d.uid}"]`).click();
              gen = await ready(page, gen);
              const where = `${who.name} ${vp.name} ${d.uid}`;
              expect(await page.locator('main.dashboard').getAttribute('data-uid')).toBe(d.uid);
              await page.screenshot({
                path: path.join(ARTIFACTS, `page-${who.name}-${vp.name}-${d.uid.replace('pcmbn-', '')}.png`),
                fullPage: true,
              });
              expect(await page.locator('[data-state=error]').count(), where).toBe(0);
              const text = await pageText(page);
              expect(text.match(ENGLISH)?.[0] ?? null, `${where}: English`).toBeNull();
              expect(text.match(RAW_ERROR)?.[0] ?? null, `${where}: raw error`).toBeNull();
              const o = await overflow(page);
              expect(o.outside, `${where}: past the right edge`).toEqual([]);
              expect(o.scrollWidth, `${where}: page width`).toBeLessThanOrEqual(o.width);
              for (const v of await victimsPanels(page)) {
                expect(v.numbers || v.withheld, `${where} ${v.panel}: neither figures nor the withheld note`).toBe(
                  true,
                );
                if (!who.suppressed)
                  expect(v, `${where}: a leader sees every figure`).toMatchObject({ numbers: true, withheld: false });
              }
            }
          } finally {
            await page.close();
          }
        },
      );
    }
  }

  it(
    'a province viewer is offered only units of its province; a unit outside the scope or unknown is one short ' +
      'Vietnamese message with a way back',
    async () => {
      const who = WHO[1];
      const page = await openAs(who, VIEWPORTS[0]);
      try {
        await ready(page);
        await page.locator('#unit-input').click();
        await page.locator('#unit-list [role=option]').first().waitFor();
        const offered = await page
          .locator('#unit-list [role=option]')
          .evaluateAll((os) => os.map((o) => (o as HTMLElement).dataset.ref));
        expect(offered).not.toContain('VN');
        expect(offered).toContain('2025-07:12');
        await page.close();

        for (const unit of ['VN', 'BOGUS']) {
          const p = await openAs(who, VIEWPORTS[0], `?unit=${unit}`);
          try {
            await p.locator('.page-error').waitFor({ timeout: 30_000 });
            expect(await p.locator('.page-error').count()).toBe(1);
            expect(await p.locator('[data-state=error]').count(), unit).toBe(0);
            const text = await pageText(p);
            expect(text.match(ENGLISH)?.[0] ?? null, `${unit}: English`).toBeNull();
            expect(text.match(RAW_ERROR)?.[0] ?? null, `${unit}: raw error`).toBeNull();
            await p.screenshot({ path: path.join(ARTIFACTS, `page-viewer-laichau-unit-${unit}.png`) });
            await p.locator('.page-error a').click();
            await ready(p);
            expect(new URL(p.url()).searchParams.get('unit')).toBe(who.unit);
            expect(await p.locator('.unit-name').textContent()).toMatch(who.unitName);
          } finally {
            await p.close();
          }
        }
      } finally {
        if (!page.isClosed()) await page.close();
      }
    },
  );

  it(
    'trends by what was reported, partial years marked and not compared with whole ones, rankings with their ' +
      'level, the units that sent nothing and "xem tất cả", compliance worst first',
    async () => {
      const page = await openAs(WHO[0], VIEWPORTS[0]);
      try {
        let gen = await ready(page);
        // The demo's history before 2024 was reported by quarter: the trends open by quarter and reach back to 2019.
        expect(await page.locator('#granularity').inputValue()).toBe('QUARTER');
        const trend = page.locator('[data-panel="pcmbn-overview/trend-outreach_participants"] .chart');
        expect(Number(await trend.getAttribute('data-points'))).toBeGreaterThanOrEqual(28);
        // The newest year is still being reported: its tiles say to which month, and show no change on a whole year.
        const months = (await gql(server.url, '{ periods(type: MONTH, limit: 1) { id } }', { token: keys.leader })).body
          .data.periods;
        const newest: string = months[0].id;
        const tile = page.locator('[data-panel="pcmbn-overview/stat-outreach_participants"]');
        if (newest.startsWith(await page.locator('#year').inputValue()) && !newest.endsWith('12')) {
          expect(await tile.locator('.partial').textContent()).toBe(`đến tháng ${Number(newest.slice(4))}`);
          expect(await tile.locator('.up, .down').count()).toBe(0);
        }
        // The bottom five end with provinces that sent nothing, named so; the whole ranking is one click away.
        const bottom = page.locator('[data-panel="pcmbn-overview/bottom-outreach_participants"]');
        expect(await bottom.locator('h4').textContent()).toMatch(/5 tỉnh, thành phố thấp nhất/);
        expect(await bottom.locator('svg').textContent()).toContain('chưa báo cáo');
        await bottom.locator('.see-all').click();
        await expect.poll(() => bottom.locator('h4').textContent()).toMatch(/xếp hạng tỉnh, thành phố/);
        expect((await bottom.locator('svg').textContent())?.match(/chưa báo cáo/g)?.length).toBeGreaterThan(20);
        // A province: its rankings list communes and say so.
        await page.goto(`${server.origin}/?d=pcmbn-overview&unit=2025-07:75`);
        gen = await ready(page);
        expect(await page.locator('[data-panel="pcmbn-overview/top-outreach_participants"] h4').textContent()).toMatch(
          /5 xã, phường cao nhất/,
        );
        // Compliance: the least complete first.
        await page.locator('[role=tab][data-uid="pcmbn-compliance"]').click();
        await ready(page, gen);
        const completeness = await page
          .locator('[data-panel="pcmbn-compliance/by-unit"] tbody tr td:nth-child(7)')
          .allTextContents();
        const values = completeness.map((c) => Number(c.replace(/[^\d,]/g, '').replace(',', '.')));
        expect(values.length).toBeGreaterThan(10);
        expect(values).toEqual([...values].sort((a, b) => a - b));
      } finally {
        await page.close();
      }
    },
  );
});
