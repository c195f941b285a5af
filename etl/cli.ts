/**
 * `pcmbn etl …` and `pcmbn sample`: the ETL's command line. Exit codes: 0 done, 1 some file rejected,
 * 2 misuse (bad arguments, a warehouse in use).
 */
import { existsSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { Cron } from 'croner';
import type { Warehouse } from '../schema/warehouse.ts';
import { registerExtractCommands } from './extract/cli.ts';
import { FileRejected, formatIssue } from './issues.ts';
import type { LoadResult } from './load.ts';
import type { SampleScale } from './sample.ts';

export class UsageError extends Error {}

/** How long a command that writes waits for another writer (a load started by cron, say) to finish. */
const DEFAULT_WAIT_SECONDS = 60;

/** `--wait` for commands that write: how long to wait while another load holds the warehouse. */
function waitOption(): Option {
  return new Option('--wait <seconds>', 'how long to wait while another load holds the warehouse (0: fail at once)')
    .argParser(positiveInt)
    .default(DEFAULT_WAIT_SECONDS);
}

/** Opens the warehouse for a command; with `waitSeconds`, waits that long for another process to let go of it. */
export async function withWarehouse<T>(
  fn: (w: Warehouse) => Promise<T>,
  waitSeconds = 0,
  /** What to do instead when a server holds the warehouse (OpenOptions.whenServed). */
  whenServed?: string,
): Promise<T> {
  const { databasePath, openWarehouse } = await import('../schema/warehouse.ts');
  const w = await openWarehouse(databasePath(), {
    whenServed,
    waitMs: waitSeconds * 1000,
    onWait: (holder) =>
      console.error(
        `the warehouse is in use by another process (${holder}); waiting up to ${waitSeconds} s for it (--wait)`,
      ),
  });
  try {
    return await fn(w);
  } finally {
    await w.close();
  }
}

/** Opens the warehouse for a load: when a server holds it, files reach it through its inbox. */
function withWarehouseToLoad<T>(fn: (w: Warehouse) => Promise<T>, waitSeconds: number): Promise<T> {
  return withWarehouse(
    fn,
    waitSeconds,
    "stop it first, or drop the files into the running server's inbox (the folder its --inbox or PCMBN_INBOX names; " +
      'data/inbox beside the warehouse for pcmbn start) for its scheduled load',
  );
}

export function summarize(r: LoadResult): string {
  const seconds = r.ms / 1000;
  const rate = seconds > 0 ? Math.round(r.rows / seconds) : r.rows;
  return (
    `run ${r.runId}: ${r.loaded} loaded, ${r.unchanged} unchanged, ${r.rejected} rejected; ${r.rows} rows` +
    (` (${rate.toLocaleString('en-US')} rows/s), ${r.revised} revised, ${r.warnings} warnings in ` +
      `${seconds.toFixed(1)} s`)
  );
}

function printOutcome(r: LoadResult): void {
  for (const f of r.files) {
    if (f.status === 'rejected') {
      console.error(`rejected ${f.name}: ${f.errors} error(s)`);
      for (const i of f.issues) console.error(`  ${formatIssue(i)}`);
      if (f.errors > f.issues.filter((i) => i.severity === 'error').length)
        console.error(`  … and more: pcmbn etl rejects --run ${r.runId}`);
    } else if (f.status === 'unchanged') {
      console.log(`unchanged ${f.name}: already loaded, nothing to do`);
    }
    for (const i of f.issues.filter((x) => x.severity === 'warning' && f.status !== 'rejected'))
      console.error(`  ${formatIssue(i)}`);
  }
  console.log(summarize(r));
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
}

/**
 * The commands are declared here and their work imported when one runs, so that `pcmbn --help` or a command that
 * fails on its arguments does not load DuckDB and the loader first.
 */
export function registerEtlCommands(program: Command): void {
  const etl = program.command('etl').description('load report files into the warehouse and inspect loads');

  // Reports and plans written in prose (etl/extract/): proposals to review, never loaded directly.
  registerExtractCommands(etl, UsageError);

  etl
    .command('load')
    .description(
      'load report files or folders (CSV, XLSX, JSON) into the warehouse ($PCMBN_DB, default data/warehouse.duckdb)',
    )
    .argument('<paths...>', 'files or folders (searched recursively)')
    .addOption(waitOption())
    .action(async (paths: string[], o: { wait: number }) => {
      for (const p of paths) if (!existsSync(p)) throw new UsageError(`no such file or folder: ${p}`);
      const [{ default: cliProgress }, { loadFiles }] = await Promise.all([
        import('cli-progress'),
        import('./load.ts'),
      ]);
      await withWarehouseToLoad(async (w) => {
        const bar = process.stderr.isTTY
          ? new cliProgress.SingleBar(
              { format: 'loading {bar} {percentage}% | {value}/{total} files | {file}', hideCursor: true },
              cliProgress.Presets.shades_classic,
            )
          : null;
        let started = false;
        const r = await loadFiles(w, paths, {
          onProgress: (p) => {
            if (!bar) return;
            if (!started) [started] = [true, bar.start(p.filesTotal, 0, { file: '' })];
            bar.update(p.filesDone, { file: p.file });
          },
        });
        bar?.stop();
        printOutcome(r);
        if (r.rejected) process.exitCode = 1;
      }, o.wait);
    });

  etl
    .command('weights')
    .description(
      'load apportionment weights for old wards split by the 2025 reform (CSV old_ward,new_commune,share); rebuilds ' +
        'the roll-up',
    )
    .argument('<file>', 'the weights CSV')
    .addOption(waitOption())
    .action(async (file: string, o: { wait: number }) => {
      if (!existsSync(file)) throw new UsageError(`no such file: ${file}`);
      const { loadWeights } = await import('./weights.ts');
      await withWarehouse(async (w) => {
        try {
          const r = await loadWeights(w, file);
          console.log(`weights for ${r.wards} split wards (${r.pairs} commune shares) loaded; roll-up rebuilt`);
        } catch (e) {
          if (!(e instanceof FileRejected)) throw e;
          for (const i of e.issues) console.error(formatIssue(i));
          process.exitCode = 1;
        }
      }, o.wait);
    });

  etl
    .command('runs')
    .description('list recent ETL runs')
    .option('--limit <n>', 'how many', positiveInt, 20)
    .action(async (o: { limit: number }) => {
      await withWarehouse(async (w) => {
        const runs = await w.db.selectFrom('etl_runs').selectAll().orderBy('run_id', 'desc').limit(o.limit).execute();
        if (!runs.length) return console.log('no runs yet');
        console.log(
          textTable(
            ['run', 'trigger', 'started', 'status', 'loaded', 'unchanged', 'rejected', 'rows', 'revised', 'warnings'],
            runs.map((r) => [
              r.run_id,
              r.trigger,
              r.started_at.slice(0, 19),
              r.status,
              r.files_loaded,
              r.files_unchanged,
              r.files_rejected,
              r.rows_loaded,
              r.facts_revised,
              r.warnings,
            ]),
          ),
        );
      });
    });

  etl
    .command('rejects')
    .description('list the errors of rejected files (all runs, or one)')
    .option('--run <id>', 'only this run', positiveInt)
    .option('--warnings', 'include warnings on loaded files')
    .action(async (o: { run?: number; warnings?: boolean }) => {
      await withWarehouse(async (w) => {
        let q = w.db
          .selectFrom('rejects')
          .selectAll()
          .orderBy('run_id')
          .orderBy('file_name')
          .orderBy('line')
          .orderBy('col');
        if (o.run !== undefined) q = q.where('run_id', '=', o.run);
        if (!o.warnings) q = q.where('severity', '=', 'error');
        const rows = await q.execute();
        if (!rows.length) return console.log('no rejected files');
        for (const r of rows) {
          console.log(
            `run ${r.run_id}  ` +
              formatIssue({
                severity: r.severity,
                file: r.file_name,
                line: r.line,
                col: r.col,
                column: r.column_name,
                message: r.message,
              }),
          );
        }
      });
    });

  etl
    .command('schedule')
    .description(
      'load files dropped into an inbox folder on a cron schedule; loaded and rejected files are moved aside',
    )
    .requiredOption('--inbox <dir>', 'the folder to scan')
    .option('--cron <expression>', 'when to scan (cron, seconds optional)', '*/5 * * * *')
    .option('--once', 'scan once now and exit')
    .addOption(waitOption())
    .action(async (o: { inbox: string; cron: string; once?: boolean; wait: number }) => {
      try {
        new Cron(o.cron, { paused: true }).stop();
      } catch (e) {
        throw new UsageError(
          `--cron "${o.cron}": ${(e as Error).message}; expected a cron expression such as "*/5 * * * *"`,
        );
      }
      const { scanInbox, startSchedule } = await import('./inbox.ts');
      if (o.once) {
        await withWarehouse(async (w) => {
          const r = await scanInbox(w, o.inbox);
          if (!r) return console.log(`inbox ${o.inbox} is empty`);
          printOutcome(r);
          if (r.rejected) process.exitCode = 1;
        }, o.wait);
        return;
      }
      const { databasePath, openWarehouse } = await import('../schema/warehouse.ts');
      const w = await openWarehouse(databasePath());
      const schedule = startSchedule(w, o.inbox, o.cron, (r, e) => {
        if (e) console.error(`scan failed: ${e.message}`);
        else if (r) printOutcome(r);
      });
      console.log(`watching ${o.inbox} on "${o.cron}"; next scan ${schedule.next()?.toISOString()}; Ctrl-C to stop`);
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()).once('SIGTERM', () => resolve()));
      await schedule.stop();
      await w.close();
    });

  program
    .command('sample')
    .description('write deterministic synthetic report files in the contract format')
    .requiredOption('--out <dir>', 'output folder')
    .option('--scale <scale>', "demo (small, the seeds' units) or national (every ward, 2019 on)", 'demo')
    .option('--seed <n>', 'random seed', positiveInt, 1)
    .option('--until <YYYYMM>', 'last month to generate', '202610')
    .action(async (o: { out: string; scale: string; seed: number; until: string }) => {
      if (o.scale !== 'demo' && o.scale !== 'national')
        throw new UsageError(`--scale "${o.scale}": expected demo or national`);
      if (!/^\d{6}$/.test(o.until)) throw new UsageError(`--until "${o.until}": expected a month as YYYYMM`);
      const { generateSample } = await import('./sample.ts');
      const started = Date.now();
      const s = await generateSample({ scale: o.scale as SampleScale, outDir: o.out, seed: o.seed, until: o.until });
      console.log(
        `${s.files} files, ${s.rows} rows (${(s.bytes / 1e6).toFixed(1)} MB) for ${s.units} units, ` +
          `${s.firstPeriod}–${s.lastPeriod}, in ${((Date.now() - started) / 1000).toFixed(1)} s → ${o.out}`,
      );
    });
}

/** A plain table for a terminal: a header, a rule, columns padded (numbers to the right). */
function textTable(header: string[], rows: (string | number)[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells: (string | number)[]) =>
    cells
      .map((c, i) => (typeof c === 'number' ? String(c).padStart(widths[i]) : String(c).padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}
