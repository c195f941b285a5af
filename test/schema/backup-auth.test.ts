/**
 * A backup's authenticity (schema/backup.ts): its hashes prove it whole, its signature (HMAC under PCMBN_BACKUP_KEY)
 * proves who made it. A forged API key, with the manifest's sizes and hashes recomputed, never comes back to life:
 * a signed backup changed afterwards is refused whole, and an unsigned one is restored without any API key.
 * And `restore --force` onto a warehouse path that is a symbolic link restores the file it points to.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate, createApiKey, listApiKeys } from '../../api/auth/keys.ts';
import { loadFiles } from '../../etl/load.ts';
import { backupWarehouse, type BackupManifest, MANIFEST, restoreWarehouse } from '../../schema/backup.ts';
import { openWarehouse } from '../../schema/warehouse.ts';
import { cleanupTemp, count, csv, freshWarehouse, freshWarehousePath, HEADER, tempDir, writeFile } from '../helpers.ts';

const KEY = 'a backup signing key kept outside the backup';
let signed: string;
let unsigned: string;
let analyst: string;
let forgedToken: string;
let facts: number;

afterAll(cleanupTemp);

/** A copy of a backup folder in which `api_keys.parquet` also holds a key whose token the forger knows. */
async function forge(from: string): Promise<string> {
  const dir = path.join(tempDir(), 'forged');
  fs.cpSync(from, dir, { recursive: true });
  const scratch = await freshWarehouse(); // a real row for a token of the forger's own
  forgedToken = (await createApiKey(scratch, { role: 'analyst', unitId: 0, label: 'forged' })).token;
  const row = path.join(tempDir(), 'row.parquet');
  await scratch.sql(`COPY (SELECT * FROM api_keys) TO '${row}' (FORMAT parquet)`);
  const file = path.join(dir, 'api_keys.parquet');
  const out = path.join(tempDir(), 'api_keys.parquet');
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  await conn.run(
    `COPY (SELECT * FROM read_parquet('${file}') UNION ALL BY NAME SELECT * FROM read_parquet('${row}')) TO '${out}' (FORMAT parquet)`,
  );
  conn.closeSync();
  db.closeSync();
  fs.copyFileSync(out, file);
  const m = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST), 'utf8')) as BackupManifest;
  const entry = m.tables.find((t) => t.table === 'api_keys')!;
  entry.bytes = fs.statSync(file).size;
  entry.sha256 = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  entry.rows += 1;
  fs.writeFileSync(path.join(dir, MANIFEST), JSON.stringify(m, null, 2));
  return dir;
}

const works = async (db: string, token: string) => {
  const w = await openWarehouse(db);
  try {
    return (await authenticate(w, `Bearer ${token}`)).ok;
  } finally {
    await w.close();
  }
};

beforeAll(async () => {
  const w = await freshWarehouse();
  await loadFiles(w, [
    writeFile(tempDir(), 'a.csv', csv(HEADER, 'VN,2024,cases_initiated,3', 'VN,2023,media_items,5')),
  ]);
  facts = await count(w, 'facts');
  analyst = (await createApiKey(w, { role: 'analyst', unitId: 0 })).token;
  signed = path.join(tempDir(), 'signed');
  unsigned = path.join(tempDir(), 'unsigned');
  await backupWarehouse(w, signed, { signingKey: KEY });
  await backupWarehouse(w, unsigned);
});

describe('a backup signed with PCMBN_BACKUP_KEY', () => {
  it('restores with its API keys under that key', async () => {
    const target = path.join(tempDir(), 'w.duckdb');
    const s = await restoreWarehouse(signed, target, { signingKey: KEY });
    expect(s.keysDropped).toBeNull();
    expect(await works(target, analyst)).toBe(true);
  });

  it('with a forged key added, sizes and hashes recomputed, is refused whole: nothing is written', async () => {
    const forged = await forge(signed);
    const target = await freshWarehousePath();
    const before = fs.readFileSync(target);
    await expect(restoreWarehouse(forged, target, { signingKey: KEY, force: true })).rejects.toThrow(
      /the signature of manifest\.json does not match PCMBN_BACKUP_KEY: the backup was changed after it was made/,
    );
    expect(fs.readFileSync(target).equals(before)).toBe(true);
  });

  it('stripped of its signature by the forger, restores without any API key: the forged one does not work', async () => {
    const forged = await forge(signed);
    const m = JSON.parse(fs.readFileSync(path.join(forged, MANIFEST), 'utf8'));
    delete m.signature;
    fs.writeFileSync(path.join(forged, MANIFEST), JSON.stringify(m, null, 2));
    const target = path.join(tempDir(), 'w.duckdb');
    const s = await restoreWarehouse(forged, target, { signingKey: KEY });
    expect(s.keysDropped).toMatch(/not signed/);
    expect(await works(target, forgedToken)).toBe(false);
    expect(await works(target, analyst)).toBe(false);
    const w = await openWarehouse(target);
    try {
      expect(await listApiKeys(w)).toEqual([]);
      expect(await count(w, 'facts')).toBe(facts);
    } finally {
      await w.close();
    }
  });
});

describe('an unsigned backup, or a restore without the key', () => {
  it('restores everything but the API keys, and says why', async () => {
    for (const [dir, why] of [
      [unsigned, /the backup is not signed/],
      [signed, /PCMBN_BACKUP_KEY is not set here/],
    ] as const) {
      const target = path.join(tempDir(), 'w.duckdb');
      const s = await restoreWarehouse(dir, target);
      expect(s.keysDropped).toMatch(why);
      expect(await works(target, analyst)).toBe(false);
      const w = await openWarehouse(target);
      try {
        expect(await count(w, 'api_keys')).toBe(0);
        expect(await count(w, 'facts')).toBe(facts);
      } finally {
        await w.close();
      }
    }
  });
});

describe('restore --force onto a symbolic link', () => {
  it('restores the file the link points to, and leaves the link a link', async () => {
    const real = await freshWarehousePath();
    const w = await openWarehouse(real);
    await loadFiles(w, [writeFile(tempDir(), 'b.csv', csv(HEADER, 'VN,2022,hotline_calls,9'))]);
    await w.close();
    const link = path.join(tempDir(), 'current.duckdb');
    fs.symlinkSync(real, link);
    const s = await restoreWarehouse(signed, link, { force: true, signingKey: KEY });
    expect(s.target).toBe(fs.realpathSync(real));
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    const r = await openWarehouse(link);
    try {
      expect(await count(r, 'facts')).toBe(facts);
      expect(await count(r, 'facts', "indicator = 'hotline_calls'")).toBe(0);
    } finally {
      await r.close();
    }
  });
});
