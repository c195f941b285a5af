/**
 * The monthly drop, the warehouse's daily job: into the national warehouse the benchmark just loaded, a new month
 * for every commune, one file per province of today's list, as the provinces send them. Loaded twice, the ways
 * operators do it:
 * - `pcmbn etl load DIR` as a child process, its start included (the next month after the sample's last);
 * - through a running server's inbox (the month after that), while a client keeps asking: the load holds requests
 *   back between its first commit and its roll-up's (api/loadGate.ts), and the server logs each hold.
 * The files are the sample's own rows of its last month for today's communes, moved to the new month and dated
 * today, so the drop has the sample's shape (its rows, indicators and breakdowns) at any scale.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { nextPeriod, parsePeriod } from '../schema/periods.ts';
import { GraphQLClient } from './http.ts';
import { runPcmbn, startServer } from './proc.ts';
import { percentile, round } from './stats.ts';

export interface DropFiles {
  dir: string;
  month: string;
  files: number;
  rows: number;
}

export interface DropFigures {
  month: string;
  files: number;
  rows: number;
  cli: {
    command: string;
    exitCode: number | null;
    /** Spawn to exit: the command's start, the load, its roll-up. */
    wallMs: number;
    /** The load itself, as the command reports it. */
    loadMs: number;
    peakRssBytes: number;
    summary: string;
  };
  inbox: {
    month: string;
    /** From the files' arrival in the inbox to their move into `loaded/` (includes the schedule's two looks). */
    wallMs: number;
    loadMs: number;
    /** How long the load held requests back, and how many waited (the server's log). */
    heldMs: number;
    requestsHeld: number;
    /** Four clients asking `me` back to back during the drop: their answers' times. */
    probe: { requests: number; p50Ms: number; p99Ms: number; maxMs: number };
    summary: string;
  };
}

/** The sample's files of today's (2025-07) communes, one per province and year: `wards/2025-07-PP-YYYY.csv`. */
function communeFiles(sampleDir: string): Map<string, string> {
  const dir = join(sampleDir, 'wards');
  const latest = new Map<string, string>();
  for (const name of readdirSync(dir).sort()) {
    const m = /^2025-07-(\d{2})-\d{4}\.csv$/.exec(name);
    if (m) latest.set(m[1], join(dir, name)); // sorted: the last is the latest year
  }
  return latest;
}

/** The last month the sample holds for today's communes. */
export function lastMonth(sampleDir: string): string {
  let last = '';
  for (const path of communeFiles(sampleDir).values())
    for (const line of readFileSync(path, 'utf8').split('\n').slice(1)) {
      const period = line.split(',', 2)[1];
      if (period && /^\d{6}$/.test(period) && period > last) last = period;
    }
  if (!last) throw new Error(`bench: ${sampleDir} holds no monthly rows of today's communes`);
  return last;
}

/** Writes `month` for every commune, one file per province, from the rows of the sample's month `from`. */
export function writeDrop(sampleDir: string, from: string, month: string, today: string, dir: string): DropFiles {
  mkdirSync(dir, { recursive: true });
  let files = 0;
  let rows = 0;
  for (const [province, path] of communeFiles(sampleDir)) {
    const [header, ...lines] = readFileSync(path, 'utf8').split('\n');
    const out = [header];
    for (const line of lines) {
      const f = line.split(',');
      if (f[1] !== from) continue;
      f[1] = month;
      f[f.length - 1] = today;
      out.push(f.join(','));
    }
    if (out.length === 1) continue;
    writeFileSync(join(dir, `2025-07-${province}-${month}.csv`), out.join('\n') + '\n');
    files++;
    rows += out.length - 1;
  }
  return { dir, month, files, rows };
}

const PROBE_CLIENTS = 4;
const SUMMARY = /^run \d+: .* in ([\d.]+) s$/m;

export async function monthlyDrop(o: {
  sampleDir: string;
  dbPath: string;
  work: string;
  today: string;
  /** A key for the probe's requests. */
  token: string;
  log: (line: string) => void;
}): Promise<DropFigures> {
  const last = lastMonth(o.sampleDir);
  const first = nextPeriod(parsePeriod(last)).id;
  const second = nextPeriod(parsePeriod(first)).id;

  // 1. The CLI, as an operator runs it.
  const cliDrop = writeDrop(o.sampleDir, last, first, o.today, join(o.work, `drop-${first}`));
  const cliLog = join(o.work, 'drop-cli.log');
  const run = await runPcmbn(['etl', 'load', cliDrop.dir], {
    env: { PCMBN_DB: o.dbPath },
    log: cliLog,
    timeoutMs: 10 * 60_000,
  });
  const summary =
    run.stdout
      .split('\n')
      .filter((l) => l.startsWith('run '))
      .pop() ?? '';
  const loadS = SUMMARY.exec(summary)?.[1];
  if (run.code !== 0 || !loadS)
    throw new Error(`bench: the monthly drop's load failed (exit ${run.code}); see ${cliLog}`);
  o.log(
    `   drop (pcmbn etl load): ${cliDrop.files} files, ${cliDrop.rows.toLocaleString('en-US')} rows of ${first} in ` +
      `${round(run.ms / 1000, 1)} s wall, ${loadS} s of load`,
  );

  // 2. Through a server's inbox, scanned every second, while a client asks.
  const inboxDrop = writeDrop(o.sampleDir, last, second, o.today, join(o.work, `drop-${second}`));
  const inbox = join(o.work, 'inbox');
  mkdirSync(inbox, { recursive: true });
  const serveLog = join(o.work, 'drop-serve.log');
  const server = await startServer({
    env: { PCMBN_DB: o.dbPath },
    log: serveLog,
    args: ['--inbox', inbox, '--cron', '* * * * * *'],
  });
  const client = new GraphQLClient(server.url, o.token);
  const latencies: number[] = [];
  let probing = true;
  // A few clients asking back to back, as a dashboard's panels do.
  const probe = Promise.all(
    Array.from({ length: PROBE_CLIENTS }, async () => {
      while (probing) {
        const t = performance.now();
        const answer = await client.post('{ me { role } }');
        if (answer.status !== 200) throw new Error(`bench: the drop's probe got HTTP ${answer.status}`);
        latencies.push(performance.now() - t);
      }
    }),
  );
  let wallMs = 0;
  try {
    await sleep(500);
    const names = readdirSync(inboxDrop.dir);
    const started = performance.now();
    // Whole files only: each arrives under its final name at once, as a copy tool's rename does.
    for (const name of names) renameSync(join(inboxDrop.dir, name), join(inbox, name));
    for (;;) {
      await sleep(50);
      if (readdirSync(inbox).filter((n) => n.endsWith('.csv')).length === 0) break;
      if (performance.now() - started > 10 * 60_000)
        throw new Error(`bench: the inbox drop did not load; see ${serveLog}`);
    }
    wallMs = performance.now() - started;
  } finally {
    probing = false;
    await probe.catch(() => undefined);
    client.close();
    await server.stop();
  }
  const text = readFileSync(serveLog, 'utf8');
  const served = [...text.matchAll(/^run \d+: .* in ([\d.]+) s$/gm)].pop();
  const holds = [...text.matchAll(/a load held requests back for (\d+) ms \((\d+) waited\)/g)];
  if (!served || !holds.length) throw new Error(`bench: the server did not log the inbox load; see ${serveLog}`);
  latencies.sort((a, b) => a - b);
  const figures: DropFigures = {
    month: first,
    files: cliDrop.files,
    rows: cliDrop.rows,
    cli: {
      command: `PCMBN_DB=${o.dbPath} pcmbn etl load ${cliDrop.dir}`,
      exitCode: run.code,
      wallMs: round(run.ms, 0),
      loadMs: round(Number(loadS) * 1000, 0),
      peakRssBytes: run.peakRssBytes,
      summary,
    },
    inbox: {
      month: second,
      wallMs: round(wallMs, 0),
      loadMs: round(Number(served[1]) * 1000, 0),
      heldMs: holds.reduce((s, h) => s + Number(h[1]), 0),
      requestsHeld: holds.reduce((s, h) => s + Number(h[2]), 0),
      probe: {
        requests: latencies.length,
        p50Ms: round(percentile(latencies, 50), 1),
        p99Ms: round(percentile(latencies, 99), 1),
        maxMs: round(latencies[latencies.length - 1] ?? 0, 1),
      },
      summary: served[0],
    },
  };
  o.log(
    `   drop (inbox of a running server): ${second} in ${round(wallMs / 1000, 1)} s from arrival, ` +
      `${round(figures.inbox.loadMs / 1000, 1)} s of load; requests held ${figures.inbox.heldMs} ms ` +
      `(${figures.inbox.requestsHeld} waited; slowest probe ${figures.inbox.probe.maxMs} ms)`,
  );
  return figures;
}
