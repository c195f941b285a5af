/**
 * Opening the warehouse: one DuckDB instance per process, migrated on open, with a Kysely handle for typed
 * queries and a raw connection for the bulk statements Kysely cannot say (read_csv, appenders, COPY).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { dirname, resolve } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { Kysely } from 'kysely';
import { DuckDBDialect, runRows } from './dialect.ts';
import { duckdbSettings } from './duckdbSettings.ts';
import { migrate } from './migrations.ts';
import type { Database } from './tables.ts';

export const DEFAULT_DB_PATH = 'data/warehouse.duckdb';

export function databasePath(explicit?: string): string {
  return resolve(explicit ?? process.env.PCMBN_DB ?? DEFAULT_DB_PATH);
}

export class WarehouseLockedError extends Error {}

/** The file cannot be opened for writing: permissions, a read-only disk, no space to start its journal. */
export class WarehouseUnavailableError extends Error {}

export interface Warehouse {
  path: string;
  instance: DuckDBInstance;
  db: Kysely<Database>;
  /** Runs raw SQL on a dedicated connection (bulk paths); user values go only through `params`. */
  sql<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  /** A fresh connection for work that needs its own transaction (a load). Close it when done. */
  connect(): Promise<DuckDBConnection>;
  close(): Promise<void>;
}

/**
 * DuckDB allows one read-write instance of a file per process; a second instance of the same file would share
 * its lock badly (closing one releases the other's). Handles to one path share one instance, closed with the last.
 */
const open = new Map<string, { instance: DuckDBInstance; handles: number }>();

export interface OpenOptions {
  /**
   * How long to wait while another process holds the file (another load, say). A server never lets go, so a
   * file held by `pcmbn serve`, `pcmbn start` or a watching `pcmbn etl schedule` is refused at once.
   */
  waitMs?: number;
  /** Told once when the open starts waiting, with a description of the holder. */
  onWait?: (holder: string) => void;
  /**
   * What to do when a server holds the file, in the caller's words (a load can go through the server's inbox; a
   * key cannot); default "stop it first". Any other holder will let go: the advice then is to wait or stop it.
   */
  whenServed?: string;
}

export async function openWarehouse(path = databasePath(), o: OpenOptions = {}): Promise<Warehouse> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const shared = open.get(path);
  const instance = shared ? shared.instance : await createInstance(path, o);
  if (shared) shared.handles++;
  else if (path !== ':memory:') open.set(path, { instance, handles: 1 });
  const release = () => {
    const entry = open.get(path);
    if (entry && --entry.handles > 0) return;
    open.delete(path);
    instance.closeSync();
  };
  const conn = await instance.connect();
  try {
    await migrate(conn);
  } catch (e) {
    conn.closeSync();
    release();
    throw e;
  }
  const db = new Kysely<Database>({ dialect: new DuckDBDialect(instance) });
  return {
    path,
    instance,
    db,
    sql: async (text, params = []) => (await runRows(conn, text, params)).rows as never,
    connect: () => instance.connect(),
    close: async () => {
      await db.destroy();
      conn.closeSync();
      release();
    },
  };
}

async function createInstance(path: string, o: OpenOptions): Promise<DuckDBInstance> {
  const deadline = Date.now() + (o.waitMs ?? 0);
  for (let attempt = 0; ; attempt++) {
    try {
      return await DuckDBInstance.create(path, duckdbSettings(path));
    } catch (e) {
      const message = (e as Error).message;
      if (/Permission denied|Read-only file system|No space left|File too large/i.test(message)) {
        throw new WarehouseUnavailableError(
          `the warehouse ${path} cannot be opened for writing (${message.replace(/^IO Error: /, '')}); expected a ` +
            `writable file in a writable folder: check its permissions, that the disk is not mounted read-only ` +
            `and has free space`,
        );
      }
      if (!/Could not set lock|lock/i.test(message)) throw e;
      const holder = lockHolder(message);
      if (holder.server || Date.now() >= deadline) {
        const advice = holder.server
          ? (o.whenServed ?? 'stop it first')
          : 'stop it first, or wait for it to finish (--wait SECONDS)';
        throw new WarehouseLockedError(
          `the warehouse ${path} is in use by another process (${holder.description}); ${advice}`,
        );
      }
      if (attempt === 0) o.onWait?.(holder.description);
      await sleep(Math.min(1000, 25 * 2 ** attempt, Math.max(0, deadline - Date.now())));
    }
  }
}

/**
 * Who holds the lock, from DuckDB's message ("… held in /usr/bin/node (PID 123)") and, on Linux, its command line.
 */
function lockHolder(message: string): { description: string; server: boolean } {
  const pid = /\(PID (\d+)\)/.exec(message)?.[1];
  if (!pid) return { description: 'a process DuckDB did not name', server: false };
  let command = '';
  try {
    command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    // Not Linux, or the holder just ended: the PID alone says enough.
  }
  const pcmbn = /pcmbn(?:\.js)? (.*)$/.exec(command)?.[1];
  return {
    description: pcmbn ? `PID ${pid}: pcmbn ${pcmbn}` : `PID ${pid}`,
    server: pcmbn !== undefined && /^(serve|start)\b|^etl schedule\b(?!.*--once)/.test(pcmbn),
  };
}
