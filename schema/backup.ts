/**
 * Backups of the whole warehouse, and restores that check a backup before it touches anything.
 *
 * A backup folder holds:
 * - `<table>.parquet` for every table of the warehouse, all read in one transaction (one snapshot). `api_keys`
 *   holds token hashes only: tokens are never stored anywhere, so a backup gives no one a working token.
 * - `catalogue.json`: the indicator catalogue of the version that made it. Facts and the roll-up name an indicator
 *   by its position in that list (`fact_key`, `series`), so a restore checks this version still has each one there.
 * - `manifest.json`, written last: schema and data versions, the sequences' next values, and for every file its
 *   size, SHA-256 and (for a table) row count. A folder without it is an unfinished backup.
 *
 * A restore verifies every file against the manifest, rebuilds the schema at the backup's version in a temporary file
 * beside the target, loads the tables, checks their row counts, migrates it to this version (openWarehouse), and
 * only then renames it over the target: a failed restore leaves the target as it was.
 *
 * The hashes prove a backup whole, not who made it: anyone who can write to the backup folder can change a file and
 * its manifest entry. What matters most is `api_keys`: a forged row would be a working key. So a manifest may be
 * signed (HMAC-SHA256 with a key kept outside the backup, PCMBN_BACKUP_KEY in the CLI), and API keys are restored
 * only from a backup whose signature checks under that key; a signature that does not check refuses the whole
 * backup. From an unsigned backup, or without the key, everything but the API keys is restored: every earlier key
 * is void, and new ones are created with `pcmbn keys create`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { type Kysely, sql } from 'kysely';
import { INDICATORS } from './catalogue.ts';
import { kyselyOn } from './dialect.ts';
import { sha256File } from './fileHash.ts';
import { MIGRATIONS } from './migrations.ts';
import { allPeriods } from './periods.ts';
import type { Database } from './tables.ts';
import { openWarehouse, type Warehouse, WarehouseLockedError } from './warehouse.ts';

export const MANIFEST = 'manifest.json';
export const CATALOGUE = 'catalogue.json';
const FORMAT = 'pcmbn-backup';
const FORMAT_VERSION = 1;

/**
 * A backup that cannot be made or restored. `misuse`: the arguments are at fault (a folder not empty, a warehouse
 * that would be overwritten); otherwise the backup itself is (damaged, incomplete, from an incompatible version).
 */
export class BackupError extends Error {
  constructor(
    message: string,
    readonly misuse = false,
  ) {
    super(message);
  }
}

export interface BackupFile {
  file: string;
  bytes: number;
  sha256: string;
}

export interface TableFile extends BackupFile {
  table: string;
  rows: number;
}

export interface BackupManifest {
  format: typeof FORMAT;
  formatVersion: number;
  createdAt: string;
  pcmbnVersion: string;
  duckdbVersion: string;
  /** The warehouse it was made from (for people; a restore goes wherever it is told). */
  source: string;
  schemaVersion: number;
  dataVersion: number;
  /** The value each sequence gives out next: run and file ids go on from there after a restore. */
  sequences: Record<string, number>;
  tables: TableFile[];
  /** HMAC-SHA256 (hex) of the manifest without this field, under the signing key; absent when not signed. */
  signature?: string;
  catalogue: BackupFile;
}

export function pcmbnVersion(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/**
 * The statements here run on one connection (a backup's snapshot transaction, a restore's new file), through
 * `kyselyOn`. Table names come from the database's own catalogue, so they are identifiers (`sql.table`); paths and
 * numbers DuckDB takes no parameter for (`COPY … TO`, `START`) are literals (docs/architecture.md, the SQL rule).
 */
type Db = Kysely<Database>;

/** The warehouse's tables, read from the database itself: a table a later migration adds is backed up too. */
async function tableNames(db: Db): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = 'main' AND table_type = 'BASE TABLE' ORDER BY table_name`.execute(db);
  return rows.map((r) => r.name);
}

/**
 * The value each sequence gives out next. Not `last_value` alone: a sequence restored at START n and not used since
 * has none, and a backup of it must still carry n on.
 */
async function nextSequenceValues(db: Db): Promise<Record<string, number>> {
  const { rows } = await sql<{ name: string; next: number }>`SELECT sequence_name AS name,
      CASE WHEN last_value IS NULL THEN start_value ELSE last_value + increment_by END AS next
    FROM duckdb_sequences() WHERE schema_name = 'main' ORDER BY sequence_name`.execute(db);
  return Object.fromEntries(rows.map((r) => [r.name, r.next]));
}

async function metaValue(db: Db, key: string): Promise<string | undefined> {
  return (await db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst())?.value;
}

async function countRows(db: Db, table: string): Promise<number> {
  return (await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(db)).rows[0].n;
}

/** Flushes a file (or a folder's entries) to disk: a backup that says it is done must survive a power cut. */
function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

async function describeFile(dir: string, file: string): Promise<BackupFile> {
  const path = join(dir, file);
  fsyncPath(path);
  return { file, bytes: statSync(path).size, sha256: await sha256File(path) };
}

export interface BackupSummary {
  dir: string;
  manifest: BackupManifest;
  rows: number;
  bytes: number;
  ms: number;
}

/**
 * Writes a backup of an open warehouse into `dir`, which must be missing or empty. Every table is read in one
 * transaction, so the backup is one snapshot even if this process loads meanwhile. On failure nothing is left.
 */
/** The manifest's signature under `key`: HMAC-SHA256 of its JSON text without the signature. */
function signatureOf(m: BackupManifest, key: string): string {
  const { signature: _, ...signed } = m;
  return createHmac('sha256', key).update(JSON.stringify(signed)).digest('hex');
}

export interface BackupOptions {
  /** Signs the manifest (PCMBN_BACKUP_KEY): only a signed backup brings its API keys back. */
  signingKey?: string;
}

export async function backupWarehouse(w: Warehouse, dirArg: string, o: BackupOptions = {}): Promise<BackupSummary> {
  const started = performance.now();
  const dir = resolve(dirArg);
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory())
      throw new BackupError(`backup folder ${dir} is a file: expected a new or empty folder`, true);
    if (readdirSync(dir).length)
      throw new BackupError(
        `backup folder ${dir} is not empty: expected a new or empty folder (a backup never mixes with other files)`,
        true,
      );
  }
  const created = !existsSync(dir);
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const conn = await w.connect();
  const db = kyselyOn<Database>(conn);
  try {
    let snapshot: {
      tables: { table: string; file: string; rows: number }[];
      sequences: Record<string, number>;
      schemaVersion: number;
      dataVersion: number;
    };
    const trx = await db.startTransaction().execute();
    try {
      const tables = [];
      for (const table of await tableNames(trx)) {
        const file = `${table}.parquet`;
        written.push(join(dir, file));
        await sql`COPY (SELECT * FROM ${sql.table(table)}) TO ${sql.lit(join(dir, file))}
          (FORMAT parquet, COMPRESSION zstd)`.execute(trx);
        tables.push({ table, file, rows: await countRows(trx, table) });
      }
      snapshot = {
        tables,
        sequences: await nextSequenceValues(trx),
        schemaVersion: Number(await metaValue(trx, 'schema_version')),
        dataVersion: Number((await metaValue(trx, 'data_version')) ?? 0),
      };
    } finally {
      await trx.rollback().execute(); // read only: nothing to commit
    }
    const tables: TableFile[] = [];
    for (const t of snapshot.tables)
      tables.push({ table: t.table, rows: t.rows, ...(await describeFile(dir, t.file)) });
    written.push(join(dir, CATALOGUE));
    writeFileSync(join(dir, CATALOGUE), `${JSON.stringify(INDICATORS, null, 2)}\n`);
    const manifest: BackupManifest = {
      format: FORMAT,
      formatVersion: FORMAT_VERSION,
      createdAt: new Date().toISOString(),
      pcmbnVersion: pcmbnVersion(),
      duckdbVersion: (await sql<{ v: string }>`SELECT version() AS v`.execute(db)).rows[0].v,
      source: w.path,
      schemaVersion: snapshot.schemaVersion,
      dataVersion: snapshot.dataVersion,
      sequences: snapshot.sequences,
      tables,
      catalogue: await describeFile(dir, CATALOGUE),
    };
    if (o.signingKey) manifest.signature = signatureOf(manifest, o.signingKey);
    // Written last, under another name first: a manifest on disk means every file it lists is complete.
    const partial = join(dir, `.${MANIFEST}.partial`);
    written.push(partial);
    writeFileSync(partial, `${JSON.stringify(manifest, null, 2)}\n`);
    fsyncPath(partial);
    renameSync(partial, join(dir, MANIFEST));
    fsyncPath(dir);
    return {
      dir,
      manifest,
      rows: tables.reduce((n, t) => n + t.rows, 0),
      bytes: tables.reduce((n, t) => n + t.bytes, manifest.catalogue.bytes),
      ms: performance.now() - started,
    };
  } catch (e) {
    for (const f of written) rmSync(f, { force: true });
    if (created) rmSync(dir, { recursive: true, force: true });
    throw e;
  } finally {
    conn.closeSync();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Reading and checking a backup.

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks one manifest entry's shape: a plain file name in the folder (never a path out of it), a size, a hash. */
function checkEntry(where: string, e: unknown, table: boolean): void {
  const bad = (what: string) => new BackupError(`${where}: ${what}`);
  if (!isRecord(e)) throw bad('expected an object');
  if (typeof e.file !== 'string' || e.file !== basename(e.file) || e.file.startsWith('.'))
    throw bad(`"file" ${JSON.stringify(e.file)}: expected a file name inside the backup folder`);
  if (!Number.isSafeInteger(e.bytes) || (e.bytes as number) < 0) throw bad('"bytes": expected a whole number');
  if (typeof e.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(e.sha256)) throw bad('"sha256": expected 64 hex digits');
  if (table) {
    if (typeof e.table !== 'string' || !/^[a-z_][a-z0-9_]*$/.test(e.table))
      throw bad(`"table" ${JSON.stringify(e.table)}: expected a table name`);
    if (!Number.isSafeInteger(e.rows) || (e.rows as number) < 0) throw bad('"rows": expected a whole number');
  }
}

function parseManifest(dir: string): BackupManifest {
  const path = join(dir, MANIFEST);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new BackupError(`no backup folder ${dir}`, true);
  if (!existsSync(path)) {
    throw new BackupError(
      `${path} is missing: ` +
        `${readdirSync(dir).length ? 'an unfinished backup, or not a pcmbn backup' : 'the folder is empty'} ` +
        `(pcmbn backup writes its manifest last)`,
    );
  }
  let m: unknown;
  try {
    m = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new BackupError(`${path} is damaged: ${(e as Error).message}`);
  }
  const where = (field: string) => `${path}, ${field}`;
  if (!isRecord(m) || m.format !== FORMAT)
    throw new BackupError(`${path} is not a pcmbn backup manifest: expected "format": "${FORMAT}"`);
  if (m.formatVersion !== FORMAT_VERSION)
    throw new BackupError(
      `${where('"formatVersion"')} is ${JSON.stringify(m.formatVersion)}: this pcmbn reads backup format ` +
        `${FORMAT_VERSION}`,
    );
  if (!Number.isSafeInteger(m.schemaVersion) || (m.schemaVersion as number) < 1)
    throw new BackupError(`${where('"schemaVersion"')}: expected a whole number from 1`);
  if (!Number.isSafeInteger(m.dataVersion)) throw new BackupError(`${where('"dataVersion"')}: expected a whole number`);
  if (!isRecord(m.sequences) || Object.values(m.sequences).some((v) => !Number.isSafeInteger(v)))
    throw new BackupError(`${where('"sequences"')}: expected sequence names with whole numbers`);
  if (!Array.isArray(m.tables)) throw new BackupError(`${where('"tables"')}: expected a list`);
  m.tables.forEach((t, i) => checkEntry(where(`tables[${i}]`), t, true));
  checkEntry(where('"catalogue"'), m.catalogue, false);
  return m as unknown as BackupManifest;
}

/**
 * Reads a backup's manifest and checks every file it lists, byte for byte (size and SHA-256), and that the
 * catalogue and the period calendar it was made with still mean the same in this version.
 */
export async function verifyBackup(dirArg: string): Promise<BackupManifest> {
  const dir = resolve(dirArg);
  const m = parseManifest(dir);
  const latest = MIGRATIONS.at(-1)!.version;
  if (m.schemaVersion > latest) {
    throw new BackupError(
      `backup ${dir} was made by pcmbn ${m.pcmbnVersion} at schema version ${m.schemaVersion}; this pcmbn ` +
        `(${pcmbnVersion()}) knows schema versions up to ${latest}: restore it with that version or a later one`,
    );
  }
  for (const f of [...m.tables, m.catalogue]) {
    const path = join(dir, f.file);
    if (!existsSync(path)) throw new BackupError(`backup file ${path} is missing (listed in ${MANIFEST})`);
    const bytes = statSync(path).size;
    if (bytes !== f.bytes)
      throw new BackupError(`backup file ${path} is damaged: ${bytes} bytes, ${MANIFEST} says ${f.bytes}`);
    const hash = await sha256File(path);
    if (hash !== f.sha256)
      throw new BackupError(`backup file ${path} is damaged: its SHA-256 is ${hash}, ${MANIFEST} says ${f.sha256}`);
  }
  checkCatalogue(join(dir, m.catalogue.file), m.pcmbnVersion);
  return m;
}

/**
 * Facts and the roll-up key an indicator by its position in the catalogue. A backup whose indicators are all at the
 * same positions here restores to the same figures (indicators this version added at the end have no data yet);
 * any other difference would silently relabel figures, so it is refused.
 */
function checkCatalogue(path: string, madeBy: string): void {
  let list: unknown;
  try {
    list = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new BackupError(`${path} is damaged: ${(e as Error).message}`);
  }
  if (!Array.isArray(list) || list.some((i) => !isRecord(i) || typeof i.code !== 'string'))
    throw new BackupError(`${path}: expected a list of indicators, each with a "code"`);
  const here = INDICATORS.map((i) => i.code);
  const problems = (list as { code: string }[]).flatMap(({ code }, n) => {
    const at = here.indexOf(code);
    if (at < 0) return [`${code} (no such indicator in this version)`];
    return at === n ? [] : [`${code} (number ${n} in the backup, ${at} here)`];
  });
  if (problems.length) {
    throw new BackupError(
      `backup catalogue ${path} does not match this version's indicator catalogue: ${problems.join('; ')}. ` +
        (`Facts and the roll-up name indicators by their place in the catalogue: restore with the pcmbn version that ` +
          `made the backup (${madeBy})`),
    );
  }
}

/** The period calendar keys facts and the roll-up by `period_no` as well: each period must keep its number. */
async function checkPeriods(db: Db, file: string): Promise<void> {
  const here = new Map(allPeriods().map((p, n) => [p.id, n]));
  const { rows } = await sql<{ id: string; no: number }>`SELECT period_id AS id, period_no AS no
    FROM read_parquet(${file}) ORDER BY period_no`.execute(db);
  const moved = rows.filter((r) => here.get(r.id) !== r.no);
  if (moved.length) {
    throw new BackupError(
      `backup file ${file}: the period calendar differs from this version's (${moved
        .slice(0, 3)
        .map((r) => `${r.id} is number ${r.no} in the backup, ${here.get(r.id) ?? 'absent'} here`)
        .join(
          '; ',
        )}${moved.length > 3 ? `; ${moved.length} periods in all` : ''}): restore with the pcmbn version that made the backup`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Restoring.

export interface RestoreOptions {
  /** Replace a warehouse that already holds data. */
  force?: boolean;
  /** The key the backup was signed with (PCMBN_BACKUP_KEY); without it, API keys are not restored. */
  signingKey?: string;
}

export interface RestoreSummary {
  target: string;
  manifest: BackupManifest;
  /** Whether a warehouse file was there before (replaced). */
  replaced: boolean;
  /** Why the API keys were not restored (none are left); null when they were. */
  keysDropped: string | null;
  rows: number;
  ms: number;
}

/** What would be lost by replacing a warehouse: the tables people's work goes into (the rest is reference or
 * derived). */
const OWN_DATA = ['facts', 'source_files', 'etl_runs', 'rejects', 'api_keys'] as const;

/**
 * Takes the target warehouse's lock for the duration of the restore (a running server holds it: WarehouseLockedError)
 * and refuses to replace data without `force`. Returns the open handle, held until the new file is in place so that
 * no server can start on the old file meanwhile; null when there is no file, or (with force) one DuckDB cannot open.
 */
async function claimTarget(target: string, force: boolean): Promise<Warehouse | null> {
  if (!existsSync(target)) return null;
  let w: Warehouse;
  try {
    w = await openWarehouse(target);
  } catch (e) {
    if (e instanceof WarehouseLockedError) throw e;
    if (force) return null;
    throw new BackupError(
      `${target} exists and cannot be opened as a warehouse (${(e as Error).message.split('\n')[0]}); --force ` +
        `replaces it`,
      true,
    );
  }
  try {
    const held: string[] = [];
    for (const table of OWN_DATA) {
      const { n } = await w.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      if (n) held.push(`${n.toLocaleString('en-US')} ${n === 1 ? 'row' : 'rows'} in ${table}`);
    }
    if (held.length && !force) {
      throw new BackupError(
        `the warehouse ${target} already holds data (${held.join(', ')}): a restore would replace it; add --force, ` +
          `or restore to another file with --db`,
        true,
      );
    }
    // Folds any write-ahead log into the file: the log must not outlive the file it belongs to.
    await sql`CHECKPOINT`.execute(w.db);
    return w;
  } catch (e) {
    await w.close();
    throw e;
  }
}

function removeDatabaseFiles(path: string): void {
  for (const p of [path, `${path}.wal`, `${path}.tmp`]) rmSync(p, { recursive: true, force: true });
}

/**
 * A warehouse path that is a symbolic link is restored onto the file it points to: renaming over the link would
 * replace the link with a new file and leave the warehouse that servers open through it unchanged.
 */
function followLink(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path; // nothing there yet (a dangling link is refused when the restore opens it)
  }
}

/**
 * Whether the backup's API keys may be restored: null if so, else why not. A signature that does not check under
 * the key refuses the whole backup, since then nothing in it can be trusted.
 */
function trustKeys(m: BackupManifest, dir: string, key: string | undefined): string | null {
  if (m.signature === undefined) return 'the backup is not signed (it was made without PCMBN_BACKUP_KEY)';
  if (!key) return 'PCMBN_BACKUP_KEY is not set here, so its signature cannot be checked';
  const expected = Buffer.from(signatureOf(m, key), 'hex');
  const given = Buffer.from(typeof m.signature === 'string' ? m.signature : '', 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new BackupError(
      `backup ${dir}: the signature of ${MANIFEST} does not match PCMBN_BACKUP_KEY: the backup was changed after it ` +
        `was made, or made with another key; nothing was restored`,
    );
  return null;
}

/**
 * Loads a verified backup into a new database file: the schema at the backup's version (its migrations run, then
 * their reference rows replaced by the backup's), every table from its Parquet file with its row count checked, the
 * sequences where they were. The file is thrown away on any failure, so it needs no transaction of its own.
 */
async function loadBackup(dir: string, m: BackupManifest, file: string, withKeys: boolean): Promise<number> {
  const instance = await DuckDBInstance.create(file, {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const conn = await instance.connect();
  const db = kyselyOn<Database>(conn);
  try {
    for (const migration of MIGRATIONS) {
      if (migration.version > m.schemaVersion) break;
      // A migration's statements are fixed text of ours (schema/migrations.ts).
      for (const statement of migration.statements()) await sql.raw(statement).execute(db);
    }
    const tables = await tableNames(db);
    const listed = new Map(m.tables.map((t) => [t.table, t]));
    const missing = tables.filter((t) => !listed.has(t));
    if (missing.length)
      throw new BackupError(
        `backup ${dir}: ${MANIFEST} lists no file for table(s) ${missing.join(', ')}, which schema version ` +
          `${m.schemaVersion} has: an incomplete backup`,
      );
    const unknown = m.tables.filter((t) => !tables.includes(t.table));
    if (unknown.length)
      throw new BackupError(
        `backup ${dir}: ${MANIFEST} lists table(s) ${unknown.map((t) => t.table).join(', ')}, which schema version ` +
          `${m.schemaVersion} does not have`,
      );
    await checkPeriods(db, join(dir, listed.get('periods')!.file));
    for (const t of tables) await sql`DELETE FROM ${sql.table(t)}`.execute(db);
    let rows = 0;
    for (const t of m.tables) {
      if (t.table === 'api_keys' && !withKeys) continue;
      const path = join(dir, t.file);
      try {
        await sql`INSERT INTO ${sql.table(t.table)} BY NAME SELECT * FROM read_parquet(${path})`.execute(db);
      } catch (e) {
        throw new BackupError(
          `backup file ${path} cannot be restored into table ${t.table}: ${(e as Error).message.split('\n')[0]}`,
        );
      }
      const n = await countRows(db, t.table);
      if (n !== t.rows) throw new BackupError(`backup file ${path} holds ${n} rows, ${MANIFEST} says ${t.rows}`);
      rows += n;
    }
    for (const name of Object.keys(await nextSequenceValues(db))) {
      if (!(name in m.sequences))
        throw new BackupError(`backup ${dir}: ${MANIFEST} gives no value for sequence ${name}: an incomplete backup`);
      await sql`CREATE OR REPLACE SEQUENCE ${sql.id(name)} START ${sql.lit(m.sequences[name])}`.execute(db);
    }
    await sql`CHECKPOINT`.execute(db);
    return rows;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/**
 * Restores the backup in `dir` as the warehouse file `target`. The backup is checked whole first; the restored
 * warehouse is built beside the target and renamed over it only once it opens at this version, so a restore that
 * fails at any point leaves the target untouched.
 */
export async function restoreWarehouse(
  dirArg: string,
  targetArg: string,
  o: RestoreOptions = {},
): Promise<RestoreSummary> {
  const started = performance.now();
  const dir = resolve(dirArg);
  const target = followLink(resolve(targetArg));
  const manifest = await verifyBackup(dir);
  const keysDropped = trustKeys(manifest, dir, o.signingKey);
  mkdirSync(dirname(target), { recursive: true });
  const replaced = existsSync(target);
  const guard = await claimTarget(target, Boolean(o.force));
  // Beside the target: same file system, so the final rename is atomic.
  const temp = join(dirname(target), `.${basename(target)}.restoring-${process.pid}`);
  try {
    removeDatabaseFiles(temp);
    const rows = await loadBackup(dir, manifest, temp, keysDropped === null);
    // Brings it to this version's schema and catalogue, and proves it opens as a warehouse.
    const restored = await openWarehouse(temp);
    await restored.close();
    if (existsSync(`${temp}.wal`)) throw new Error(`restore: ${temp}.wal remained after a clean close`);
    // Only a replaced file that DuckDB could not open (--force) can still have a log here; it belongs to that file.
    rmSync(`${target}.wal`, { force: true });
    renameSync(temp, target);
    fsyncPath(dirname(target));
    return { target, manifest, replaced, keysDropped, rows, ms: performance.now() - started };
  } catch (e) {
    removeDatabaseFiles(temp);
    throw e;
  } finally {
    await guard?.close();
  }
}
