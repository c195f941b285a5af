/**
 * The `pcmbn` command line: the composition root, where the layers' commands meet. Each layer registers its own
 * commands; this file only wires them and maps failures to exit codes (1: some input rejected, 2: misuse).
 */
import { Command, CommanderError } from 'commander';
import { WarehouseLockedError, WarehouseUnavailableError } from '../../schema/warehouse.ts';
import { LoadFailedError } from '../../etl/load.ts';
import { registerEtlCommands, UsageError } from '../../etl/cli.ts';
import { registerDashboardCommands } from '../../dashboards/cli.ts';
import { registerBackupCommands } from './backup.ts';
import { registerDocsCommand } from './docs.ts';
import { registerServeCommands } from './serve.ts';
import { registerStartCommand } from './start.ts';
import { registerReportingCommands } from './reporting.ts';

const program = new Command('pcmbn')
  .description('PCMBN warehouse: anti-trafficking reports into DuckDB, served as GraphQL and dashboards')
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
  } else if (e instanceof UsageError || e instanceof WarehouseLockedError || e instanceof WarehouseUnavailableError) {
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
