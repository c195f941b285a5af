/**
 * `pcmbn template` (the XLSX a unit fills in and sends back) and `pcmbn report` (the unit's periodic report,
 * written from the warehouse). Both read the warehouse and write one file.
 */
import { writeFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { UsageError, withWarehouse } from '../../etl/cli.ts';
import { PeriodError, parsePeriod, type Period } from '../../schema/periods.ts';
import type { Warehouse } from '../../schema/warehouse.ts';
import type { UnitRow } from '../directory.ts';
import { REPORT_FORMATS, type ReportFormat } from '../report/formats.ts';
import { REPORTING_LEVELS, reportersOf, TemplateError } from '../templates/reporters.ts';

function periodOption(id: string): Period {
  try {
    return parsePeriod(id);
  } catch (e) {
    if (e instanceof PeriodError) throw new UsageError(`--period: ${e.message}`);
    throw e;
  }
}

/** The unit `--unit` names; a plain code means the unit of the list in force at the end of the period. */
async function unitOption(w: Warehouse, code: string, period: Period): Promise<UnitRow> {
  const { findUnit } = await import('../graphql/units.ts');
  let unit: UnitRow | null;
  try {
    unit = await findUnit(w, code, period.end, '--unit');
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (!unit)
    throw new UsageError(
      `--unit ${code}: no such unit in the list in force for ${period.id}; expected VN, 2025-07:75, 2025-03:26734 ` +
        `or a plain code of that list`,
    );
  return unit;
}

export function registerReportingCommands(program: Command): void {
  program
    .command('template')
    .description(
      'write the XLSX submission template of a unit (or of every unit of a level below it) for a period: one row ' +
        'per expected figure, value cells to fill in; loads back with pcmbn etl load',
    )
    .requiredOption('--unit <code>', 'the unit: VN, 2025-07:12, 2025-03:26734, or a plain code of the period’s list')
    .requiredOption('--period <id>', 'the period: 2026Q1, 2026S1, 2026, 202603')
    .option(
      '--below <level>',
      `the template is for every unit of this level under --unit (${REPORTING_LEVELS.join(', ')})`,
    )
    .requiredOption('--out <file.xlsx>', 'where to write the workbook')
    .action(async (o: { unit: string; period: string; below?: string; out: string }) => {
      if (!o.out.toLowerCase().endsWith('.xlsx')) throw new UsageError(`--out ${o.out}: expected a .xlsx file name`);
      const period = periodOption(o.period);
      // The workbook writer (exceljs) is loaded by this command only: every other command starts without it.
      const [{ unitDirectory }, { defaultSchedule }, { templateWorkbook }] = await Promise.all([
        import('../directory.ts'),
        import('../compliance/schedule.ts'),
        import('../templates/workbook.ts'),
      ]);
      await withWarehouse(async (w) => {
        const unit = await unitOption(w, o.unit, period);
        let reporters: UnitRow[];
        try {
          reporters = reportersOf(await unitDirectory(w), unit, period, o.below);
        } catch (e) {
          if (e instanceof TemplateError) throw new UsageError(`--below: ${e.message}`);
          throw e;
        }
        const wb = await templateWorkbook({ unit, period, reporters, schedule: defaultSchedule() });
        writeFileSync(o.out, Buffer.from(await wb.xlsx.writeBuffer()));
        console.log(
          `wrote ${o.out}: ${wb.worksheets[0].rowCount - 1} figures for ${reporters.length} unit(s) of ${unit.ref} ` +
            `(${unit.type} ${unit.name}), ${period.id}`,
        );
      });
    });

  program
    .command('report')
    .description(
      "write the unit's periodic report in Vietnamese from the warehouse (results against a year earlier and the " +
        'targets, reporting of the units below, discrepancies, sources), as Word or Markdown',
    )
    .requiredOption('--unit <code>', 'the unit: VN, 2025-07:12, 2025-03:26734, or a plain code of the period’s list')
    .requiredOption('--period <id>', 'the period: 2026Q1, 2026S1, 2026, 202603')
    .addOption(new Option('--format <format>', 'docx or md (default: from --out)').choices(REPORT_FORMATS))
    .requiredOption('--out <file>', 'where to write the report (.docx or .md)')
    .action(async (o: { unit: string; period: string; format?: ReportFormat; out: string }) => {
      const format =
        o.format ??
        (o.out.toLowerCase().endsWith('.md') ? 'md' : o.out.toLowerCase().endsWith('.docx') ? 'docx' : null);
      if (!format) throw new UsageError(`--out ${o.out}: expected a .docx or .md file name, or --format`);
      const period = periodOption(o.period);
      // The report's readers and the Word writer are loaded by this command only.
      const [{ unitDirectory }, { LruResultCache }, { Deadline }, { createRequestContext }, { periodicReport }] =
        await Promise.all([
          import('../directory.ts'),
          import('../cache.ts'),
          import('../graphql/limits.ts'),
          import('../request.ts'),
          import('../report/report.ts'),
        ]);
      await withWarehouse(async (w) => {
        const unit = await unitOption(w, o.unit, period);
        const nation = (await unitDirectory(w)).find('VN')!;
        // The command line is the warehouse's operator: an admin of the whole country.
        const deadline = new Deadline(10 * 60_000);
        const ctx = createRequestContext({
          warehouse: w,
          principal: { keyId: null, role: 'admin', unitId: nation.unit_id },
          cache: new LruResultCache(),
          units: await unitDirectory(w),
          deadline,
          requestId: 'cli',
        });
        try {
          const report = await periodicReport(ctx, unit.ref, period.id);
          writeFileSync(o.out, format === 'md' ? report.markdown() : await report.docx());
          console.log(`wrote ${o.out}: ${report.title}`);
        } finally {
          deadline.clear();
        }
      });
    });
}
