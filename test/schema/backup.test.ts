/**
 * `pcmbn backup` and `pcmbn restore` through the real command, on the demo warehouse: the restored warehouse holds
 * every row, answers the API as the original does (same servers, same keys), and loads go on where they were; a
 * damaged, incomplete or incompatible backup is refused naming what is wrong, and nothing is half-restored.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, listApiKeys, revokeApiKey } from '../../api/auth/keys.ts';
import { type RunningServer, startServer } from '../../api/server.ts';
import { loadFiles } from '../../etl/load.ts';
import { generateSample } from '../../etl/sample.ts';
import { BackupError, type BackupManifest, backupWarehouse, MANIFEST, restoreWarehouse } from '../../schema/backup.ts';
import { INDICATORS } from '../../schema/catalogue.ts';
import { openWarehouse, type Warehouse } from '../../schema/warehouse.ts';
import { cleanupTemp, csv, freshWarehousePath, HEADER, tempDir, unitId, writeFile } from '../helpers.ts';
import { gql, type GqlResponse, pcmbn, pcmbnBackground, pcmbnEnv } from '../api/client.ts';

// These backups are signed, so their restores bring the API keys back (test/schema/backup-auth.test.ts: unsigned
// and forged backups). The commands get it through pcmbnEnv, which passes this process's environment on.
process.env.PCMBN_BACKUP_KEY = 'the backup tests signing key';

let root: string;
let sampleDir: string;
let source: string;
let backupDir: string;
let restored: string;
let manifest: BackupManifest;
const tokens: Record<'viewer' | 'analyst' | 'oldWardViewer' | 'revoked' | 'expired', string> = {} as never;

const fileHash = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const readManifest = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, MANIFEST), 'utf8')) as BackupManifest;
const writeManifest = (dir: string, m: BackupManifest) =>
  fs.writeFileSync(path.join(dir, MANIFEST), JSON.stringify(m, null, 2));

/** A copy of the good backup to damage. */
function backupCopy(): string {
  const dir = path.join(tempDir('pcmbn-backup-copy-'), 'backup');
  fs.cpSync(backupDir, dir, { recursive: true });
  return dir;
}

/** A warehouse file holding data, with the hash of its bytes: what must be left alone. */
async function occupiedWarehouse(): Promise<{ file: string; hash: string }> {
  const file = await freshWarehousePath();
  const w = await openWarehouse(file);
  await loadFiles(w, [writeFile(tempDir(), 'a.csv', csv(HEADER, 'VN,2024,cases_initiated,3'))]);
  await w.close();
  return { file, hash: fileHash(file) };
}

/** Names in the folder beside a warehouse other than the warehouse itself: a failed restore leaves none behind. */
const leftovers = (file: string) => fs.readdirSync(path.dirname(file)).filter((f) => f !== path.basename(file));

beforeAll(async () => {
  root = tempDir('pcmbn-backup-');
  sampleDir = path.join(root, 'sample');
  await generateSample({ scale: 'demo', outDir: sampleDir });
  source = await freshWarehousePath();
  const w = await openWarehouse(source);
  await loadFiles(w, [sampleDir], { baseDir: sampleDir });
  tokens.viewer = (await createApiKey(w, { role: 'viewer', unitId: 0, label: 'viewer of VN' })).token;
  tokens.analyst = (
    await createApiKey(w, { role: 'analyst', unitId: await unitId(w, '2025-07:75'), label: 'analyst of new Đồng Nai' })
  ).token;
  tokens.oldWardViewer = (await createApiKey(w, { role: 'viewer', unitId: await unitId(w, '2025-03:26041') })).token;
  const revoked = await createApiKey(w, { role: 'admin', unitId: 0, label: 'revoked' });
  await revokeApiKey(w, revoked.keyId);
  tokens.revoked = revoked.token;
  tokens.expired = (await createApiKey(w, { role: 'analyst', unitId: 0, expires: '2024-12-31' })).token;
  await w.close();

  backupDir = path.join(root, 'backup');
  const backup = await pcmbn(pcmbnEnv(source), 'backup', backupDir);
  expect(backup.stderr).toBe('');
  expect(backup.code).toBe(0);
  expect(backup.stdout).toMatch(
    /^backed up .* to .*: 14 tables, [\d,]+ rows, [\d.]+ MB in [\d.]+ s \(schema version 6, data version \d+\)\n$/,
  );
  manifest = readManifest(backupDir);

  restored = path.join(tempDir('pcmbn-restored-'), 'restored.duckdb');
  const restore = await pcmbn(pcmbnEnv(path.join(root, 'elsewhere.duckdb')), 'restore', backupDir, '--db', restored);
  expect(restore.stderr).toBe('');
  expect(restore.code).toBe(0);
  expect(restore.stdout).toMatch(/^restored .* into .*restored\.duckdb: 14 tables, [\d,]+ rows in [\d.]+ s/);
}, 120_000);

afterAll(cleanupTemp);

describe('a backup', () => {
  it(
    'holds every table as Parquet, the catalogue and a manifest whose counts and hashes match the files; tokens ' +
      'are nowhere in it',
    async () => {
      const tables = manifest.tables.map((t) => t.table);
      expect(tables).toEqual([
        'api_keys',
        'etl_runs',
        'facts',
        'indicators',
        'meta',
        'periods',
        'rejects',
        'reports',
        'rollup',
        'source_files',
        'suppression_shown',
        'unit_closure',
        'unit_lineage',
        'units',
      ]);
      expect(fs.readdirSync(backupDir).sort()).toEqual(
        [...manifest.tables.map((t) => t.file), 'catalogue.json', MANIFEST].sort(),
      );
      for (const f of [...manifest.tables, manifest.catalogue]) {
        expect(fileHash(path.join(backupDir, f.file)), f.file).toBe(f.sha256);
        expect(fs.statSync(path.join(backupDir, f.file)).size, f.file).toBe(f.bytes);
      }
      expect(JSON.parse(fs.readFileSync(path.join(backupDir, 'catalogue.json'), 'utf8'))).toEqual(
        JSON.parse(JSON.stringify(INDICATORS)),
      );
      expect(manifest).toMatchObject({
        format: 'pcmbn-backup',
        formatVersion: 1,
        pcmbnVersion: '0.1.0',
        schemaVersion: 6,
        source,
      });
      expect(manifest.dataVersion).toBeGreaterThan(0);
      expect(manifest.sequences).toEqual({ file_seq: expect.any(Number), run_seq: expect.any(Number) });

      // Counted by DuckDB from the files themselves, independently of the manifest.
      const db = await DuckDBInstance.create(':memory:');
      const conn = await db.connect();
      try {
        for (const t of manifest.tables) {
          const rows = (
            await conn.runAndReadAll(
              `SELECT count(*)::INTEGER AS n FROM read_parquet('${path.join(backupDir, t.file)}')`,
            )
          ).getRowObjectsJS();
          expect(rows[0].n, t.table).toBe(t.rows);
        }
        expect(manifest.tables.find((t) => t.table === 'facts')!.rows).toBeGreaterThan(500_000);
        expect(manifest.tables.find((t) => t.table === 'api_keys')!.rows).toBe(5);
        const everything = fs
          .readdirSync(backupDir)
          .map((f) => fs.readFileSync(path.join(backupDir, f)).toString('latin1'))
          .join('');
        for (const [name, token] of Object.entries(tokens)) expect(everything.includes(token), name).toBe(false);
      } finally {
        conn.closeSync();
        db.closeSync();
      }
    },
  );

  it('is refused into a folder that is not empty (exit 2), which stays as it was', async () => {
    const dir = tempDir();
    writeFile(dir, 'notes.txt', 'keep me');
    const r = await pcmbn(pcmbnEnv(source), 'backup', dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `pcmbn: backup folder ${dir} is not empty: expected a new or empty folder (a backup never mixes with other ` +
        `files)\n`,
    );
    expect(fs.readdirSync(dir)).toEqual(['notes.txt']);
  });

  it('of a warehouse a running server holds is refused as in use (exit 2), and so is a restore over it', async () => {
    const held = path.join(tempDir(), 'held.duckdb');
    fs.copyFileSync(await freshWarehousePath(), held);
    const server = pcmbnBackground(pcmbnEnv(held, { PORT: '0' }), 'serve');
    try {
      await server.waitFor(/GraphQL +http/);
      const dir = path.join(tempDir(), 'b');
      const backup = await pcmbn(pcmbnEnv(held), 'backup', dir);
      expect(backup.code).toBe(2);
      expect(backup.stderr).toMatch(new RegExp(`^pcmbn: the warehouse ${held} is in use by another process`));
      expect(fs.existsSync(dir)).toBe(false);
      const restore = await pcmbn(pcmbnEnv(held), 'restore', backupDir, '--force');
      expect(restore.code).toBe(2);
      expect(restore.stderr).toMatch(/is in use by another process/);
      expect(leftovers(held).filter((f) => f.includes('restoring'))).toEqual([]);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});

describe('the restored warehouse', () => {
  it("holds every row of every table, and its sequences go on where the original's were", async () => {
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const q = async (sql: string) => (await conn.runAndReadAll(sql)).getRowObjectsJS();
    try {
      await conn.run(`ATTACH '${source}' AS a (READ_ONLY); ATTACH '${restored}' AS b (READ_ONLY)`);
      const tablesOf = async (d: string) =>
        (await q(`SELECT table_name AS t FROM information_schema.tables WHERE table_catalog = '${d}' ORDER BY 1`)).map(
          (r) => r.t as string,
        );
      expect(await tablesOf('b')).toEqual(await tablesOf('a'));
      for (const t of await tablesOf('a')) {
        const [{ n }] = await q(`SELECT count(*)::INTEGER AS n FROM a.${t}`);
        const [{ missing, extra }] = await q(`SELECT
          (SELECT count(*)::INTEGER FROM (SELECT * FROM a.${t} EXCEPT ALL SELECT * FROM b.${t})) AS missing,
          (SELECT count(*)::INTEGER FROM (SELECT * FROM b.${t} EXCEPT ALL SELECT * FROM a.${t})) AS extra`);
        expect({ table: t, missing, extra }).toEqual({ table: t, missing: 0, extra: 0 });
        expect(n, t).toBe(manifest.tables.find((m) => m.table === t)!.rows);
      }
      const sequences = async (d: string) =>
        q(`SELECT sequence_name, last_value FROM duckdb_sequences() WHERE database_name = '${d}' ORDER BY 1`);
      const before = await sequences('a');
      expect(before.map((s) => s.sequence_name)).toEqual(['file_seq', 'run_seq']);
      // The manifest holds what each sequence gives out next: the original's last value plus one.
      expect(manifest.sequences).toEqual(
        Object.fromEntries(before.map((s) => [s.sequence_name, Number(s.last_value) + 1])),
      );
    } finally {
      conn.closeSync();
      db.closeSync();
    }
  });

  describe('over HTTP, beside the original', () => {
    let original: Warehouse;
    let copy: Warehouse;
    let a: RunningServer;
    let b: RunningServer;

    beforeAll(async () => {
      original = await openWarehouse(source);
      copy = await openWarehouse(restored);
      a = await startServer({ warehouse: original, port: 0 });
      b = await startServer({ warehouse: copy, port: 0 });
    });
    afterAll(async () => {
      await a?.close();
      await b?.close();
      await original?.close();
      await copy?.close();
    });

    const codes = INDICATORS.map((i) => JSON.stringify(i.code)).join(', ');
    const kpi =
      'indicator { code } unit { ref } period value numerator denominator target { operator value } status ' +
      'previousValue change suppressed complete sources';
    const unitValue = 'unit { ref name level } value numerator denominator rank status suppressed complete';
    const compliance = 'expected received onTime late pending completeness timeliness';
    /** What the dashboards ask, across both lists, every granularity and the reform; some outside a scoped key's
     * reach. */
    const QUERIES: Record<string, string> = {
      kpisNation2024: `{ kpis(indicators: [${codes}], period: "2024") { ${kpi} } }`,
      kpisNewDongNaiMonth: `{ kpis(indicators: [${codes}], unit: "2025-07:75", period: "202509") { ${kpi} } }`,
      kpisOldBienHoaQuarter: `{ kpis(indicators: [${codes}], unit: "2025-03:731", period: "2024Q2") { ${kpi} } }`,
      victimsBySex: `{ f: kpi(indicator: "victims_identified", unit: "2025-03:75", period: "2024S1", sex: "female") { ${kpi} }
        c: kpi(indicator: "victims_rescued", unit: "2025-07:75", period: "2025", ageGroup: "child") { ${kpi} } }`,
      trendMonthlyAcrossReform:
        '{ trend(indicator: "hotline_calls", unit: "2025-07:75", from: "202401", to: "202610", granularity: MONTH) ' +
        '{ period start value target suppressed complete } }',
      trendQuarterlyVictims:
        '{ trend(indicator: "victims_identified", unit: "2025-07:75", from: "2023Q1", to: "2026Q3", granularity: ' +
        'QUARTER) { period start value target suppressed complete } }',
      trendYearlyRatio:
        '{ trend(indicator: "case_clearance_rate", from: "2019", to: "2026", granularity: YEAR) { period start ' +
        'value target suppressed complete } }',
      breakdownProvinces: `{ breakdown(indicator: "cases_initiated", period: "2024") { ${unitValue} } }`,
      breakdownWardsVictims:
        `{ breakdown(indicator: "victims_rescued", unit: "2025-03:731", period: "2024Q1", ` +
        `level: WARD) { ${unitValue} } }`,
      breakdownCommunesRatio: `{ breakdown(indicator: "model_coverage_rate", unit: "2025-07:75", period: "202509") { ${unitValue} } }`,
      complianceNationMonth: `{ reportingCompliance(period: "202403") { ${compliance} period dueDate missing { ref } } }`,
      complianceOldDongNaiWards:
        `{ reportingCompliance(unit: "2025-03:75", period: "2024Q1", level: WARD) { ` +
        `${compliance} period dueDate missing { ref } } }`,
      complianceByUnit: `{ complianceByUnit(unit: "2025-07:75", period: "202509") { unit { ref } ${compliance} missing } }`,
      discrepanciesNation:
        '{ discrepancies(period: "2024") { unit { ref } indicator period reported childrenSum children } }',
      discrepanciesOldDongNai:
        '{ discrepancies(unit: "2025-03:75", period: "2023") { unit { ref } indicator period reported childrenSum ' +
        'children } }',
      adminUnits: `{ provinces: adminUnits { ref name } before: adminUnits(asOf: "2024-12-31") { ref }
        search: adminUnits(search: "bien hoa") { ref fullName level }
        communes: adminUnits(parent: "2025-07:75", limit: 200) { ref name validFrom }
        ward: adminUnit(code: "2025-03:26041") { ref parent { ref } successors { ref transfer } } }`,
      oldWard: `{ kpis(indicators: [${codes}], unit: "2025-03:26041", period: "2024Q1") { ${kpi} }
        trend(indicator: "victims_identified", unit: "2025-03:26041", from: "202401", to: "202506", granularity:
          MONTH) { period value suppressed complete } }`,
      periods: '{ months: periods(type: MONTH) { id start end hierarchy labelVi } years: periods { id } }',
    };

    /** An answer as a client sees it, without what differs by request (request ids). */
    const comparable = (r: GqlResponse) => ({
      status: r.status,
      data: r.body.data,
      errors: r.body.errors?.map((e) => ({ message: e.message, path: e.path, code: e.extensions?.code })),
    });

    const roles = ['viewer', 'analyst', 'oldWardViewer'] as const;
    it.each(roles)('answers every query as the original does, for the %s key', async (role) => {
      let values = 0;
      let suppressed = 0;
      for (const [name, query] of Object.entries(QUERIES)) {
        const [ra, rb] = await Promise.all([
          gql(a.url, query, { token: tokens[role] }),
          gql(b.url, query, { token: tokens[role] }),
        ]);
        expect(comparable(rb), `${name} for the ${role} key`).toEqual(comparable(ra));
        const text = JSON.stringify(ra.body.data ?? null);
        values += (text.match(/"value":\d/g) ?? []).length;
        suppressed += (text.match(/"suppressed":true/g) ?? []).length;
      }
      // Not two empty warehouses agreeing: the answers hold figures, and the viewer's some withheld small cells.
      expect(values).toBeGreaterThan(role === 'oldWardViewer' ? 0 : 200);
      if (role === 'viewer') expect(suppressed).toBeGreaterThan(0);
    });

    it('the same tokens authenticate; the revoked and the expired key are still refused', async () => {
      const ask = (url: string, token: string) => gql(url, '{ adminUnits(level: NATIONAL) { ref } }', { token });
      for (const [name, token] of Object.entries(tokens)) {
        const [ra, rb] = await Promise.all([ask(a.url, token), ask(b.url, token)]);
        expect({ name, status: rb.status }).toEqual({ name, status: ra.status });
        expect(rb.status, name).toBe(name === 'revoked' || name === 'expired' ? 401 : 200);
        expect(rb.body.errors?.[0]?.message, name).toBe(ra.body.errors?.[0]?.message);
      }
      expect(await listApiKeys(copy)).toEqual(await listApiKeys(original));
    });
  });

  it(
    'backs up again as the original did, before any load: the same rows, files and next ids (backup, restore, ' +
      'backup, restore…)',
    async () => {
      const w = await openWarehouse(restored);
      const again = path.join(tempDir(), 'again');
      try {
        const s = await backupWarehouse(w, again);
        expect(s.manifest.sequences).toEqual(manifest.sequences);
        expect(s.manifest.tables.map(({ table, rows }) => ({ table, rows }))).toEqual(
          manifest.tables.map(({ table, rows }) => ({ table, rows })),
        );
        expect(s.manifest).toMatchObject({
          schemaVersion: manifest.schemaVersion,
          dataVersion: manifest.dataVersion,
          catalogue: manifest.catalogue,
        });
      } finally {
        await w.close();
      }
    },
  );

  it('loads on as the original would: the demo again changes nothing, a new file gets the next run and file ids', async () => {
    const w = await openWarehouse(restored);
    try {
      const again = await loadFiles(w, [sampleDir], { baseDir: sampleDir });
      expect(again.files.length).toBeGreaterThan(50);
      expect({ loaded: again.loaded, unchanged: again.unchanged }).toEqual({
        loaded: 0,
        unchanged: again.files.length,
      });
      expect(again.runId).toBe(manifest.sequences.run_seq);
      const fresh = await loadFiles(w, [writeFile(tempDir(), 'new.csv', csv(HEADER, 'VN,2023,cases_initiated,7'))]);
      expect(fresh.loaded).toBe(1);
      const [file] = await w.sql<{ file_id: number }>(`SELECT file_id FROM source_files WHERE run_id = $1`, [
        fresh.runId,
      ]);
      expect(file.file_id).toBe(manifest.sequences.file_seq);
    } finally {
      await w.close();
    }
  });
});

describe('restore refuses', () => {
  it('a warehouse that holds data without --force (exit 2), leaving it as it was; with --force it replaces it', async () => {
    const { file, hash } = await occupiedWarehouse();
    const r = await pcmbn(pcmbnEnv(file), 'restore', backupDir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `pcmbn: the warehouse ${file} already holds data (1 row in facts, 1 row in source_files, 1 row in etl_runs): ` +
        `a restore would replace it; add --force, or restore to another file with --db\n`,
    );
    expect(fileHash(file)).toBe(hash);
    expect(leftovers(file)).toEqual([]);

    const forced = await pcmbn(pcmbnEnv(file), 'restore', backupDir, '--force');
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(/^restored .* over /);
    expect(leftovers(file)).toEqual([]);
    const w = await openWarehouse(file);
    try {
      const [{ n }] = await w.sql<{ n: number }>('SELECT count(*)::INTEGER AS n FROM facts');
      expect(n).toBe(manifest.tables.find((t) => t.table === 'facts')!.rows);
    } finally {
      await w.close();
    }
  });

  // One warehouse holding data for every case below: each must leave it byte for byte as it was.
  let occupied: { file: string; hash: string };
  beforeAll(async () => {
    occupied = await occupiedWarehouse();
  });

  /** Restores a damaged copy over the occupied warehouse with --force, in this process; returns what was refused. */
  async function refusal(damage: (dir: string) => void): Promise<{ dir: string; message: string }> {
    const dir = backupCopy();
    damage(dir);
    const error = await restoreWarehouse(dir, occupied.file, { force: true }).then(
      () => null,
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(BackupError);
    expect((error as BackupError).misuse).toBe(false);
    expect(fileHash(occupied.file)).toBe(occupied.hash);
    expect(leftovers(occupied.file)).toEqual([]);
    return { dir, message: error!.message };
  }

  it('a truncated Parquet file (exit 1), naming it; the warehouse it would replace is untouched', async () => {
    const dir = backupCopy();
    fs.truncateSync(path.join(dir, 'facts.parquet'), 100_000);
    const r = await pcmbn(pcmbnEnv(occupied.file), 'restore', dir, '--force');
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `pcmbn: backup file ${dir}/facts.parquet is damaged: 100000 bytes, manifest.json says ` +
        `${manifest.tables.find((t) => t.table === 'facts')!.bytes}\n`,
    );
    expect(r.code).toBe(1);
    expect(fileHash(occupied.file)).toBe(occupied.hash);
    expect(leftovers(occupied.file)).toEqual([]);
  });

  it(
    'a Parquet file that matches its manifest entry but not its table: the load fails midway (exit 1), naming it, ' +
      'and nothing is swapped in',
    async () => {
      // A hand-made "repair": the hashes agree, the contents do not. Tables load in name order, so most are in first.
      const dir = backupCopy();
      const units = path.join(dir, 'units.parquet');
      fs.copyFileSync(path.join(dir, 'meta.parquet'), units);
      const m = readManifest(dir);
      Object.assign(
        m.tables.find((t) => t.table === 'units')!,
        { bytes: fs.statSync(units).size, sha256: fileHash(units) },
      );
      delete m.signature; // the repairer has no signing key: restored, were it whole, without its API keys
      writeManifest(dir, m);
      const r = await pcmbn(pcmbnEnv(occupied.file), 'restore', dir, '--force');
      expect(r.stderr).toMatch(
        new RegExp(`^pcmbn: backup file ${dir}/units\\.parquet cannot be restored into table units: \\S`),
      );
      expect(r.code).toBe(1);
      expect(fileHash(occupied.file)).toBe(occupied.hash);
      expect(leftovers(occupied.file)).toEqual([]);
    },
  );

  it('a file changed by one byte, naming it', async () => {
    const { dir, message } = await refusal((d) => {
      const file = path.join(d, 'rollup.parquet');
      const bytes = fs.readFileSync(file);
      bytes[bytes.length >> 1] ^= 0xff;
      fs.writeFileSync(file, bytes);
    });
    expect(message).toMatch(
      new RegExp(
        `^backup file ${dir}/rollup\\.parquet is damaged: its SHA-256 is [0-9a-f]{64}, manifest\\.json says ` +
          `${manifest.tables.find((t) => t.table === 'rollup')!.sha256}$`,
      ),
    );
  });

  it('a missing file, naming it', async () => {
    const { dir, message } = await refusal((d) => fs.rmSync(path.join(d, 'api_keys.parquet')));
    expect(message).toBe(`backup file ${dir}/api_keys.parquet is missing (listed in manifest.json)`);
  });

  it('a folder without a manifest (an unfinished backup)', async () => {
    const { dir, message } = await refusal((d) => fs.rmSync(path.join(d, MANIFEST)));
    expect(message).toBe(
      `${dir}/manifest.json is missing: an unfinished backup, or not a pcmbn backup (pcmbn backup writes its ` +
        `manifest last)`,
    );
  });

  it('a manifest that leaves a table out', async () => {
    const { dir, message } = await refusal((d) => {
      const m = readManifest(d);
      writeManifest(d, { ...m, tables: m.tables.filter((t) => t.table !== 'api_keys') });
    });
    expect(message).toBe(
      `backup ${dir}: manifest.json lists no file for table(s) api_keys, which schema version 6 has: an incomplete ` +
        `backup`,
    );
  });

  it('a manifest whose file names lead out of the folder', async () => {
    const { dir, message } = await refusal((d) => {
      const m = readManifest(d);
      m.tables[0].file = '../../etc/passwd';
      writeManifest(d, m);
    });
    expect(message).toBe(
      `${dir}/manifest.json, tables[0]: "file" "../../etc/passwd": expected a file name inside the backup folder`,
    );
  });

  it('a backup whose catalogue has indicators elsewhere or unknown here, naming them', async () => {
    const { dir, message } = await refusal((d) => {
      const file = path.join(d, 'catalogue.json');
      const list = JSON.parse(fs.readFileSync(file, 'utf8')) as { code: string }[];
      [list[0], list[1]] = [list[1], list[0]];
      list[2] = { ...list[2], code: 'tipoffs_forgotten' };
      fs.writeFileSync(file, JSON.stringify(list));
      writeManifest(d, {
        ...readManifest(d),
        catalogue: { file: 'catalogue.json', bytes: fs.statSync(file).size, sha256: fileHash(file) },
      });
    });
    expect(message).toBe(
      `backup catalogue ${dir}/catalogue.json does not match this version's indicator catalogue: ` +
        ('tipoffs_classified (number 0 in the backup, 1 here); tipoffs_received (number 1 in the backup, 0 here); ' +
          'tipoffs_forgotten (no such indicator in this version). ') +
        ('Facts and the roll-up name indicators by their place in the catalogue: restore with the pcmbn version that ' +
          'made the backup (0.1.0)'),
    );
  });

  it('a backup from a newer schema', async () => {
    const { dir, message } = await refusal((d) => writeManifest(d, { ...readManifest(d), schemaVersion: 99 }));
    expect(message).toBe(
      `backup ${dir} was made by pcmbn 0.1.0 at schema version 99; this pcmbn (0.1.0) knows schema versions up to ` +
        `6: restore it with that version or a later one`,
    );
  });
});
