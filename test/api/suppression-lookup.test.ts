/**
 * The viewers' suppression pattern is computed by the load, beside the roll-up, into `suppression_shown`, and the
 * API only looks it up (etl/marts/suppression.ts, api/aggregate/withheld.ts). A warehouse made before that table
 * existed opens with this code: the migration adds the table, and the server fills it before it answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../api/auth/keys.ts';
import { type RunningServer, startServer } from '../../api/server.ts';
import { loadFiles } from '../../etl/load.ts';
import { openWarehouse, type Warehouse } from '../../schema/warehouse.ts';
import { MIGRATIONS } from '../../schema/migrations.ts';
import { cleanupTemp, csv, freshWarehouse, tempDir, writeFile } from '../helpers.ts';
import { gql } from './client.ts';

const H = 'unit_code,period,indicator,value,submitted_on';
let w: Warehouse;
let token = '';

const BREAKDOWN = `query B($period: String!) {
  breakdown(indicator: "victims_identified", unit: "VN", period: $period) { unit { ref } value suppressed }
}`;

async function provinces(server: RunningServer, period: string): Promise<Map<string, boolean>> {
  const r = await gql(server.url, BREAKDOWN, { token, variables: { period } });
  expect(r.body.errors, JSON.stringify(r.body.errors)).toBeUndefined();
  const rows = r.body.data.breakdown as { unit: { ref: string }; suppressed: boolean }[];
  return new Map(rows.map((row) => [row.unit.ref, row.suppressed]));
}

/** The pattern table as refs: which provinces' 2024 victims_identified a viewer gets. */
async function shownRefs(year: number): Promise<Set<string>> {
  const rows = await w.db
    .selectFrom('suppression_shown as s')
    .innerJoin('units as u', 'u.unit_id', 's.unit_id')
    .innerJoin('indicators as i', (j) => j.on('i.code', '=', 'victims_identified'))
    .select('u.ref')
    .where('s.year', '=', year)
    .where((eb) => eb('s.series', '=', eb(eb.ref('i.indicator_no'), '*', 16)))
    .execute();
  return new Set(rows.map((r) => r.ref));
}

beforeAll(async () => {
  w = await freshWarehouse();
  const dir = tempDir('pcmbn-suppression-lookup-');
  // Identified in 2024, before the reform: Hà Nội 30, Quảng Ninh 30, Huế 30, Cao Bằng 4; in 2026 Hà Nội 40.
  writeFile(
    dir,
    'provinces.csv',
    csv(
      H,
      '2025-03:01,2024,victims_identified,30,2025-01-05',
      '2025-03:22,2024,victims_identified,30,2025-01-05',
      '2025-03:46,2024,victims_identified,30,2025-01-05',
      '2025-03:04,2024,victims_identified,4,2025-01-05',
      '2025-07:01,2026,victims_identified,40,2027-01-05',
    ),
  );
  const result = await loadFiles(w, [dir], { today: '2027-02-01' });
  expect(result.files.map((f) => f.status)).toEqual(['loaded']);
  token = (await createApiKey(w, { role: 'viewer', unitId: 0 })).token;
});
afterAll(cleanupTemp);

describe("the viewers' suppression pattern", () => {
  it('is written by the load, and a viewer gets exactly the figures it shows', async () => {
    const shown = await shownRefs(2024);
    expect(shown.size).toBeGreaterThan(0);
    expect(shown.has('2025-03:04')).toBe(false);
    expect((await shownRefs(2026)).size).toBeGreaterThan(0);
    const server = await startServer({ warehouse: w, port: 0 });
    try {
      const answered = await provinces(server, '2024');
      expect(answered.size).toBeGreaterThan(30);
      for (const [ref, suppressed] of answered) expect(suppressed, ref).toBe(!shown.has(ref));
    } finally {
      await server.close();
    }
  });

  it('is looked up, not computed in the request: a figure taken out of the table is withheld', async () => {
    const server = await startServer({ warehouse: w, port: 0 });
    try {
      const shown = [...(await shownRefs(2024))].filter((ref) => ref.startsWith('2025-07:'));
      expect(shown.length).toBeGreaterThan(0);
      expect((await provinces(server, '2024')).get(shown[0])).toBe(false);
      await w.db
        .deleteFrom('suppression_shown')
        .where('year', '=', 2024)
        .where('unit_id', 'in', (qb) => qb.selectFrom('units').select('unit_id').where('ref', '=', shown[0]))
        .execute();
      server.invalidate();
      expect((await provinces(server, '2024')).get(shown[0])).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('is rebuilt for a warehouse made before it existed, when a server opens it', async () => {
    // The pattern whole again (the test before took a figure out): forgetting its threshold makes the server rebuild
    // it. Kept to compare with.
    const conn = await w.connect();
    await conn.run(`DELETE FROM meta WHERE key = 'suppression_k'`);
    conn.closeSync();
    const before = await startServer({ warehouse: w, port: 0 });
    const expected = { 2024: await shownRefs(2024), 2026: await shownRefs(2026) };
    const answered = await provinces(before, '2024');
    await before.close();

    // The warehouse as the previous schema left it: no pattern table, no threshold recorded, version 5.
    await w.sql(`DROP TABLE suppression_shown`);
    await w.sql(`DELETE FROM meta WHERE key = 'suppression_k'`);
    await w.sql(`UPDATE meta SET value = '5' WHERE key = 'schema_version'`);
    const version = Number(
      (await w.sql<{ value: string }>(`SELECT value FROM meta WHERE key = 'data_version'`))[0].value,
    );
    const path = w.path;
    await w.close();

    w = await openWarehouse(path);
    const meta = async (key: string) =>
      (await w.sql<{ value: string }>(`SELECT value FROM meta WHERE key = $1`, [key]))[0]?.value;
    expect(await meta('schema_version')).toBe(String(MIGRATIONS.at(-1)!.version));
    expect(await w.sql(`SELECT count(*)::INTEGER AS n FROM suppression_shown`)).toEqual([{ n: 0 }]);

    const server = await startServer({ warehouse: w, port: 0 });
    try {
      expect(await meta('suppression_k')).toBe('11');
      expect(Number(await meta('data_version'))).toBe(version + 1);
      expect(await shownRefs(2024)).toEqual(expected[2024]);
      expect(await shownRefs(2026)).toEqual(expected[2026]);
      expect(await provinces(server, '2024')).toEqual(answered);
    } finally {
      await server.close();
    }
  });
});
