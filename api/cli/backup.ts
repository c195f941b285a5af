/**
 * `pcmbn backup <dir>` and `pcmbn restore <dir>`: the whole warehouse to Parquet files with the catalogue and a
 * manifest, and back (schema/backup.ts). Exit codes as everywhere: 1 the backup is damaged or incompatible,
 * 2 misuse (a folder not empty, a warehouse that would be replaced, a warehouse in use).
 */
import type { Command } from 'commander';
import { UsageError } from '../../etl/cli.ts';

/** PCMBN_BACKUP_KEY signs a backup's manifest, and lets a restore trust the API keys of a backup signed with it. */
function backupKey(): string | undefined {
  return process.env.PCMBN_BACKUP_KEY || undefined;
}

const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** A damaged backup is rejected input (exit 1); a BackupError about the arguments is misuse (exit 2). */
async function reportingBackupErrors(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    const { BackupError } = await import('../../schema/backup.ts');
    if (!(e instanceof BackupError)) throw e;
    if (e.misuse) throw new UsageError(e.message);
    console.error(`pcmbn: ${e.message}`);
    process.exitCode = 1;
  }
}

export function registerBackupCommands(program: Command): void {
  program
    .command('backup')
    .description(
      'back up the whole warehouse into a new folder: one Parquet file per table (API keys as hashes only), ' +
        'the indicator catalogue, and a manifest with row counts and SHA-256s; the warehouse must not be in use ' +
        '(stop pcmbn serve or start first: they hold its lock)',
    )
    .argument('<dir>', 'a new or empty folder')
    .option('--db <path>', 'the warehouse to back up (default $PCMBN_DB, or data/warehouse.duckdb)')
    .action(async (dir: string, o: { db?: string }) => {
      await reportingBackupErrors(async () => {
        const [{ backupWarehouse }, { databasePath, openWarehouse }] = await Promise.all([
          import('../../schema/backup.ts'),
          import('../../schema/warehouse.ts'),
        ]);
        const w = await openWarehouse(databasePath(o.db));
        try {
          const s = await backupWarehouse(w, dir, { signingKey: backupKey() });
          const m = s.manifest;
          console.log(
            `backed up ${w.path} to ${s.dir}: ${m.tables.length} tables, ${s.rows.toLocaleString('en-US')} rows, ` +
              (`${megabytes(s.bytes)} in ${seconds(s.ms)} (schema version ${m.schemaVersion}, data version ` +
                `${m.dataVersion})`),
          );
          if (!m.signature)
            console.log(
              'not signed (PCMBN_BACKUP_KEY is not set): a restore of it brings back everything but the API keys',
            );
        } finally {
          await w.close();
        }
      });
    });

  program
    .command('restore')
    .description(
      'restore a backup made by pcmbn backup: every file is checked against the manifest first, and the ' +
        'warehouse is built beside the target and swapped in whole, so a failed restore changes nothing',
    )
    .argument('<dir>', 'the backup folder')
    .option('--db <path>', 'the warehouse file to restore into (default $PCMBN_DB, or data/warehouse.duckdb)')
    .option('--force', 'replace a warehouse that already holds data')
    .action(async (dir: string, o: { db?: string; force?: boolean }) => {
      await reportingBackupErrors(async () => {
        const [{ restoreWarehouse }, { databasePath }] = await Promise.all([
          import('../../schema/backup.ts'),
          import('../../schema/warehouse.ts'),
        ]);
        const s = await restoreWarehouse(dir, databasePath(o.db), { force: o.force, signingKey: backupKey() });
        const m = s.manifest;
        console.log(
          `restored ${dir} (made ${m.createdAt} by pcmbn ${m.pcmbnVersion} from ${m.source}) ` +
            `${s.replaced ? 'over' : 'into'} ${s.target}: ` +
            (`${m.tables.length} tables, ${s.rows.toLocaleString('en-US')} rows in ${seconds(s.ms)} (data version ` +
              `${m.dataVersion})`),
        );
        if (s.keysDropped)
          console.log(
            `API keys not restored: ${s.keysDropped}. No earlier key works on this warehouse: create new ones with ` +
              '`pcmbn keys create --role viewer|analyst|admin --unit CODE` and hand them out again',
          );
      });
    });
}
