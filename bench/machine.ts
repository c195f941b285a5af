/** What the figures were measured on: the machine, its load, the versions. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';

export interface Machine {
  cpuModel: string;
  cores: number;
  memoryBytes: number;
  os: string;
  /** 1, 5 and 15 minute load averages when the benchmark started: other work on the same cores skews every figure. */
  loadAverageAtStart: number[];
  loadAverageAtEnd?: number[];
}

export interface Versions {
  node: string;
  duckdb: string;
  duckdbNodeApi: string;
  autocannon: string;
  project: string;
  /** The commit the tree was at (uncommitted changes may sit on top). */
  commit: string | null;
}

const require = createRequire(import.meta.url);

export function machine(): Machine {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryBytes: os.totalmem(),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverageAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

function packageVersion(name: string): string {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function versions(duckdb: string, root: string): Versions {
  let commit: string | null = null;
  try {
    commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    // not a git checkout
  }
  const project = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { version: string };
  return {
    node: process.version,
    duckdb,
    duckdbNodeApi: packageVersion('@duckdb/node-api'),
    autocannon: packageVersion('autocannon'),
    project: project.version,
    commit,
  };
}
