/**
 * The `pcmbn` command line: the composition root, where the layers' commands meet. Each layer registers its own
 * commands; this file only wires them and maps failures to exit codes (1: some input rejected, 2: misuse).
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerEtlCommands, UsageError } from '../../etl/cli.ts';
import { registerDashboardCommands } from '../../dashboards/cli.ts';
import { registerBackupCommands } from './backup.ts';
import { registerDocsCommand } from './docs.ts';
import { registerServeCommands } from './serve.ts';
import { registerStartCommand } from './start.ts';
import { registerReportingCommands } from './reporting.ts';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const program = new Command('pcmbn')
  .description('PCMBN warehouse: anti-trafficking reports into DuckDB, served as GraphQL and dashboards')
  .version(version)
  .showHelpAfterError()
  .exitOverride();

registerEtlCommands(program);
registerStartCommand(program);
registerServeCommands(program);
registerDashboardCommands(program);
registerDocsCommand(program);
registerBackupCommands(program);
registerReportingCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    // --help and --version exit 0; every other parse failure is misuse.
    process.exitCode = e.exitCode === 0 ? 0 : 2;
  } else if (e instanceof UsageError) {
    console.error(`pcmbn: ${e.message}`);
    process.exitCode = 2;
  } else {
    // Imported only now, as the commands import their work when they run: `pcmbn --help` loads no DuckDB.
    const { WarehouseLockedError, WarehouseUnavailableError } = await import('../../schema/warehouse.ts');
    const { LoadFailedError } = await import('../../etl/load.ts');
    if (e instanceof WarehouseLockedError || e instanceof WarehouseUnavailableError) {
      console.error(`pcmbn: ${e.message}`);
      process.exitCode = 2;
    } else if (e instanceof LoadFailedError) {
      console.error(`pcmbn: ${e.message}`);
      process.exitCode = 1;
    } else {
      console.error(`pcmbn: ${(e as Error).stack ?? e}`);
      process.exitCode = 1;
    }
  }
}
