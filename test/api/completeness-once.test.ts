/**
 * Whether every ward sent its monthly reports (a kpi's `complete`) is counted once per unit and period until the
 * next load, not once per request: the requests of a dashboard ask it again and again for the same unit and period.
 * Seen at /metrics: a second kpis request of other indicators, same unit and period, finds the count in the result
 * cache (one hit), and a load makes it counted afresh (no hit).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../api/auth/keys.ts';
import { type RunningServer, startServer } from '../../api/server.ts';
import { loadFiles } from '../../etl/load.ts';
import type { Warehouse } from '../../schema/warehouse.ts';
import { cleanupTemp, csv, freshWarehouse, tempDir, writeFile } from '../helpers.ts';
import { gql } from './client.ts';

const H = 'unit_code,period,indicator,value,submitted_on';
let w: Warehouse;
let server: RunningServer;
let token = '';

async function hits(): Promise<number> {
  const text = await (await fetch(`${server.origin}/metrics`)).text();
  return Number(/^pcmbn_result_cache_lookups_total\{result="hit"\} (\d+)$/m.exec(text)?.[1] ?? 0);
}

async function kpis(codes: string[]): Promise<{ complete: boolean }[]> {
  const r = await gql(
    server.url,
    `{ kpis(indicators: ${JSON.stringify(codes)}, unit: "2025-07:01", period: "2026") { value complete } }`,
    { token },
  );
  expect(r.body.errors).toBeUndefined();
  return r.body.data.kpis;
}

function drop(name: string, ...rows: string[]): string {
  const dir = tempDir('pcmbn-completeness-');
  writeFile(dir, name, csv(H, ...rows));
  return dir;
}

beforeAll(async () => {
  w = await freshWarehouse();
  const first = drop(
    'first.csv',
    '2025-07:01,2026,hotline_calls,7,2027-01-05',
    '2025-07:01,2026,cases_initiated,2,2027-01-05',
  );
  await loadFiles(w, [first], { today: '2027-02-01' });
  token = (await createApiKey(w, { role: 'analyst', unitId: 0 })).token;
  // Whole answers not kept: each request here runs its resolvers.
  server = await startServer({ warehouse: w, port: 0, responseCacheBytes: 0 });
});
afterAll(async () => {
  await server?.close();
  await cleanupTemp();
});

describe("a kpi's completeness", () => {
  it('is counted once per unit and period until the next load', async () => {
    const before = await hits();
    expect(await kpis(['hotline_calls'])).toEqual([{ value: 7, complete: false }]);
    expect(await hits()).toBe(before);
    expect(await kpis(['cases_initiated'])).toEqual([{ value: 2, complete: false }]);
    expect(await hits()).toBe(before + 1);

    const second = drop('second.csv', '2025-07:01,2026,cases_tried,1,2027-01-06');
    await loadFiles(w, [second], { today: '2027-02-01', holdReaders: server.holdReaders });
    const afterLoad = await hits();
    expect(await kpis(['cases_tried'])).toEqual([{ value: 1, complete: false }]);
    expect(await hits()).toBe(afterLoad);
  });
});
