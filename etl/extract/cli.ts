/**
 * `pcmbn etl extract` and `pcmbn etl extract-plan`: proposals from documents written in prose. Neither opens the
 * warehouse: they write files a person reviews; `pcmbn etl load` then loads the reviewed report like any other.
 * Exit codes: 0 done, 2 misuse (a bad argument, a file that cannot be read).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { extractPlan, planReviewText, scheduleFile, targetsFile } from './plan.ts';
import { extractReport, proposalCsv, reviewText } from './report.ts';
import { DEFAULT_RULES, DEFAULT_TARGET_RULES, loadRules, loadTargetRules } from './rules.ts';
import { ExtractError, readSource } from './text.ts';

type UsageErrorClass = new (message: string) => Error;

/** Registers the commands under `etl`; bad input becomes the caller's usage error (exit 2). */
export function registerExtractCommands(etl: Command, UsageError: UsageErrorClass): void {
  const asUsage = async (fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (e) {
      if (e instanceof ExtractError) throw new UsageError(e.message);
      throw e;
    }
  };

  etl
    .command('extract')
    .description(
      'propose report rows (the contract CSV, each with its citation and a confidence) from a report written in ' +
        'prose (.txt, .md, .docx); loads nothing',
    )
    .argument('<file>', 'the report')
    .requiredOption('--unit <code>', 'the reporting unit (as in the contract: 34, 2025-03:34, …)')
    .option('--period <id>', "the period (2019, 2019S1, 2019Q1, 201903); default: the one the report's title states")
    .option('--out <file.csv>', 'write the proposal here (default: standard output)')
    .option('--json <file>', 'also write every figure, citation, unmapped figure and set-aside number as JSON')
    .option('--submitted-on <YYYY-MM-DD>', "the submission date (default: the document's date)")
    .option('--rules <file.csv>', 'a table of extra rules, tried before the default ones (etl/extract/rules.csv)')
    .action(
      (
        file: string,
        o: { unit: string; period?: string; out?: string; json?: string; submittedOn?: string; rules?: string },
      ) =>
        asUsage(async () => {
          if (!existsSync(file)) throw new ExtractError(`no such file: ${file}`);
          if (o.submittedOn !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(o.submittedOn))
            throw new ExtractError(`--submitted-on "${o.submittedOn}": expected YYYY-MM-DD`);
          const rules = loadRules(o.rules ? [o.rules, DEFAULT_RULES] : [DEFAULT_RULES]);
          const x = extractReport(await readSource(file, basename(file)), {
            unit: o.unit,
            period: o.period ?? null,
            submittedOn: o.submittedOn,
            rules,
          });
          const csv = proposalCsv(x);
          if (o.out) writeFileSync(o.out, csv);
          else process.stdout.write(csv);
          if (o.json) writeFileSync(o.json, JSON.stringify(x, null, 2) + '\n');
          process.stderr.write(reviewText(x));
          if (o.out)
            process.stderr.write(
              `wrote ${x.proposals.length} proposed rows to ${o.out}: review them (values, citations), then pcmbn ` +
                `etl load ${o.out}\n`,
            );
        }),
    );

  etl
    .command('extract-plan')
    .description(
      'propose targets (indicator, operator, value, years) and the reporting schedule (period type, due day) from a ' +
        'plan written in prose, with citations',
    )
    .argument('<file>', 'the plan (.txt, .md, .docx)')
    .option(
      '--out <dir>',
      "write schedule.json (the API's schedule file) and targets.json there (default: both as one JSON document on " +
        'standard output)',
    )
    .option(
      '--json <file>',
      'also write everything found (deadlines without a due day, one-off deadlines, campaigns, unmapped ' +
        'percentages) as JSON',
    )
    .option(
      '--rules <file.csv>',
      'a table of extra target rules, tried before the default ones (etl/extract/targets.csv)',
    )
    .action((file: string, o: { out?: string; json?: string; rules?: string }) =>
      asUsage(async () => {
        if (!existsSync(file)) throw new ExtractError(`no such file: ${file}`);
        const rules = loadTargetRules(o.rules ? [o.rules, DEFAULT_TARGET_RULES] : [DEFAULT_TARGET_RULES]);
        const x = extractPlan(await readSource(file, basename(file)), rules);
        const schedule = scheduleFile(x);
        const targets = targetsFile(x);
        if (o.out) {
          mkdirSync(o.out, { recursive: true });
          writeFileSync(join(o.out, 'schedule.json'), JSON.stringify(schedule, null, 2) + '\n');
          writeFileSync(join(o.out, 'targets.json'), JSON.stringify(targets, null, 2) + '\n');
        } else {
          process.stdout.write(JSON.stringify({ schedule, targets }, null, 2) + '\n');
        }
        if (o.json) writeFileSync(o.json, JSON.stringify(x, null, 2) + '\n');
        process.stderr.write(planReviewText(x));
        if (o.out)
          process.stderr.write(
            `wrote ${schedule.entries.length} schedule entries to ${join(o.out, 'schedule.json')} and ` +
              `${targets.targets.length} targets to ${join(o.out, 'targets.json')}: review before use\n`,
          );
      }),
    );
}
