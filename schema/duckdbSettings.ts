/**
 * The settings every DuckDB instance of the warehouse opens with: one home, read by `openWarehouse`.
 *
 * Memory is bounded by default. Unbounded, DuckDB takes up to 80 % of RAM: a national load reached 8.6 GiB, an
 * out-of-memory kill on the 8 GB machines a province or an office runs. So DuckDB gets a fifth of the machine's
 * memory, at least 256 MiB and at most 1 GiB, and spills to a temporary folder beyond it. The upper bound keeps a
 * whole process (DuckDB's budget, what it allocates outside it, and Node) under 2 GiB on any machine; the roll-up
 * and the load's work tables spill rather than grow. `PCMBN_MEMORY_LIMIT` overrides the budget (a dedicated
 * server may give more), `PCMBN_TEMP_DIR` the folder (default `<warehouse>.tmp`, DuckDB's own choice, which
 * a read-only or small disk may not suit).
 */
import { tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';

const MiB = 1024 * 1024;
const DEFAULT_SHARE = 0.2;
const DEFAULT_FLOOR = 256 * MiB;
const DEFAULT_CEILING = 1024 * MiB;

/** DuckDB's memory budget when none is set: a fifth of `totalBytes`, within [256 MiB, 1 GiB], as DuckDB writes it. */
export function defaultMemoryLimit(totalBytes = totalmem()): string {
  const bytes = Math.min(DEFAULT_CEILING, Math.max(DEFAULT_FLOOR, Math.floor(totalBytes * DEFAULT_SHARE)));
  return `${Math.floor(bytes / MiB)}MiB`;
}

function memoryLimit(value: string): string {
  if (!/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(value.trim()))
    throw new Error(
      `PCMBN_MEMORY_LIMIT="${value}" is not a memory size; expected a number and a unit, such as 3GB or 512MB`,
    );
  return value.trim();
}

/**
 * The options DuckDB opens the file at `path` with. `env` is where the variables are read (the process's
 * environment by default).
 */
export function duckdbSettings(
  path: string,
  env: NodeJS.ProcessEnv = process.env,
  totalBytes = totalmem(),
): Record<string, string> {
  const temp = env.PCMBN_TEMP_DIR?.trim();
  return {
    // Extensions outside the build (excel, httpfs…) would be downloaded: the machines are offline, so never try.
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    memory_limit: env.PCMBN_MEMORY_LIMIT ? memoryLimit(env.PCMBN_MEMORY_LIMIT) : defaultMemoryLimit(totalBytes),
    // An in-memory warehouse (tests) would spill into the working folder: the system's temporary folder instead.
    temp_directory: temp ? temp : path === ':memory:' ? join(tmpdir(), 'pcmbn-duckdb.tmp') : `${path}.tmp`,
  };
}

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/** Bytes of a size as DuckDB writes one (`current_setting('memory_limit')`: "1.0 GiB", "953.6 MiB"); null if not. */
export function sizeBytes(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*$/i.exec(text);
  const unit = m ? UNITS[m[2].toLowerCase()] : undefined;
  return m && unit ? Math.round(Number(m[1]) * unit) : null;
}
