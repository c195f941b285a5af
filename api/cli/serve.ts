/**
 * `pcmbn serve` (the API on the warehouse as it is, for production and scripts) and `pcmbn keys …` (API keys).
 * `runServer` is shared with `pcmbn start`: the server, the inbox schedule in the same process, clean shutdown.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { Cron } from 'croner';
import { summarize, UsageError, withWarehouse } from '../../etl/cli.ts';
import { vietnamDay, vietnamToday } from '../../schema/periods.ts';
import type { Role } from '../../schema/tables.ts';
import type { Warehouse } from '../../schema/warehouse.ts';
import { createApiKey, listApiKeys, revokeApiKey } from '../auth/keys.ts';
import { ROLES } from '../auth/roles.ts';
import type { RunningServer } from '../server.ts';

function isDay(text: string): boolean {
  const t = Date.parse(`${text}T00:00:00Z`);
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === text;
}

export const DEFAULT_CRON = '*/5 * * * *';

/** API keys live in the warehouse, which a running server holds: unlike report files, they cannot go through it. */
function withKeys(fn: (w: Warehouse) => Promise<void>): Promise<void> {
  return withWarehouse(
    fn,
    0,
    'API keys are managed with the server stopped: stop it, run this command again, then start the server again',
  );
}

/** Where the server listens: HOST and PORT, default 127.0.0.1:4000. */
export function listenAddress(env = process.env): { host: string; port: number } {
  const port = env.PORT === undefined || env.PORT === '' ? 4000 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`PORT="${env.PORT}": expected a port number 0–65535 (0: any free port)`);
  return { host: env.HOST || '127.0.0.1', port };
}

/** PCMBN_ANONYMOUS=viewer lets requests without a key in, as viewers of the whole country. */
export function anonymousAccess(env = process.env): 'viewer' | undefined {
  const v = env.PCMBN_ANONYMOUS;
  if (v === undefined || v === '') return undefined;
  if (v !== 'viewer')
    throw new UsageError(
      `PCMBN_ANONYMOUS="${v}": the only allowed value is viewer (anonymous requests never get more than a viewer)`,
    );
  return 'viewer';
}

function checkCron(cron: string, source: string): string {
  try {
    new Cron(cron, { paused: true }).stop();
  } catch (e) {
    throw new UsageError(
      `${source} "${cron}": ${(e as Error).message}; expected a cron expression such as "${DEFAULT_CRON}"`,
    );
  }
  return cron;
}

export interface RunOptions {
  /** Inbox scanned on `cron`; none: no schedule. */
  inbox?: string;
  cron?: string;
  /** The demo's key file, handed to a local browser (`pcmbn start` only). */
  demoKeyFile?: string;
  /** Called once the server listens (print URLs here). */
  onReady?: (server: RunningServer) => void | Promise<void>;
}

/**
 * Serves a warehouse until SIGINT or SIGTERM, with the inbox schedule in the same process: each load's result
 * goes to the metrics, and each load commits between requests (the server's `holdReaders`), clearing the
 * result cache. Then closes everything cleanly.
 */
export async function runServer(w: Warehouse, o: RunOptions = {}): Promise<void> {
  // Loaded here, not at the top: `pcmbn --help` and the key commands need none of the server.
  const [{ queryTimeoutMs }, { recordLoad }, { startServer }, { startSchedule }] = await Promise.all([
    import('../graphql/limits.ts'),
    import('../metrics.ts'),
    import('../server.ts'),
    import('../../etl/inbox.ts'),
  ]);
  const { host, port } = listenAddress();
  const anonymous = anonymousAccess();
  queryTimeoutMs(); // a bad PCMBN_QUERY_TIMEOUT_MS stops here, not at the first request
  const cron = o.inbox ? checkCron(o.cron ?? DEFAULT_CRON, 'the cron expression') : undefined;
  // Listen for the signals before starting: one that comes while the server starts still stops it cleanly.
  const stopped = new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGINT', stop).off('SIGTERM', stop);
      done();
    };
    process.on('SIGINT', stop).on('SIGTERM', stop);
  });
  if (o.inbox) mkdirSync(o.inbox, { recursive: true }); // there from the start, for people to drop files into
  const server = await startServer({ warehouse: w, host, port, anonymous, demoKeyFile: o.demoKeyFile }).catch(
    (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE' || e.code === 'EACCES' || e.code === 'EADDRNOTAVAIL') {
        throw new UsageError(`cannot listen on ${host}:${port} (${e.code}): set PORT (0 picks a free port) or HOST`);
      }
      throw e;
    },
  );
  const schedule =
    o.inbox && cron
      ? startSchedule(
          w,
          o.inbox,
          cron,
          (r, e) => {
            recordLoad(r, e);
            if (e) console.error(`inbox scan failed: ${e.message}`);
            if (r) console.log(summarize(r));
          },
          {
            holdReaders: server.holdReaders,
            onLoad: (files) => console.log(`inbox: loading ${files.map((f) => relative(o.inbox!, f)).join(', ')}`),
          },
        )
      : null;
  try {
    await o.onReady?.(server);
    await stopped;
  } finally {
    await schedule?.stop(); // a load in progress rolls back its batch: its files stay in the inbox
    await server.close();
  }
  console.log('stopped');
}

export function printServer(server: RunningServer, inbox?: string, cron?: string): void {
  console.log(`dashboard ${server.origin}/`);
  console.log(`GraphQL  ${server.url}`);
  console.log(`health   ${server.origin}/healthz`);
  console.log(`metrics  ${server.origin}/metrics`);
  if (inbox) console.log(`inbox    ${inbox} (scanned "${cron}")`);
}

/** The ETL inbox beside the database (data/inbox by default), or PCMBN_INBOX. */
export function defaultInbox(dbPath: string, env = process.env): string {
  return resolve(env.PCMBN_INBOX || join(dirname(dbPath), 'inbox'));
}

export function registerServeCommands(program: Command): void {
  program
    .command('serve')
    .description(
      'serve the warehouse as it is (no demo data) over GraphQL; HOST, PORT, PCMBN_ANONYMOUS, PCMBN_QUERY_TIMEOUT_MS',
    )
    .option('--inbox <dir>', 'also load report files dropped into this folder on a schedule')
    .option('--cron <expression>', 'when to scan the inbox', process.env.PCMBN_ETL_CRON || DEFAULT_CRON)
    .action(async (o: { inbox?: string; cron: string }) => {
      const inbox = o.inbox ? resolve(o.inbox) : undefined;
      if (inbox) checkCron(o.cron, '--cron');
      const { databasePath, openWarehouse } = await import('../../schema/warehouse.ts');
      const w = await openWarehouse(databasePath());
      try {
        await runServer(w, { inbox, cron: o.cron, onReady: (s) => printServer(s, inbox, o.cron) });
      } finally {
        await w.close();
      }
    });

  const keys = program.command('keys').description('API keys: create (the token is shown once), list, revoke');

  keys
    .command('create')
    .description('create an API key; prints the token once, alone on the last line')
    .addOption(new Option('--role <role>', 'what the key may do').choices(ROLES).makeOptionMandatory())
    .requiredOption(
      '--unit <code>',
      "the unit it sees, with what lies under it: VN, 2025-07:75, 2025-03:26734, or a plain code of today's list",
    )
    .option('--label <text>', 'who or what the key is for')
    .option('--expires <YYYY-MM-DD>', 'the last day the key works (Vietnam time)')
    .action(async (o: { role: Role; unit: string; label?: string; expires?: string }) => {
      if (o.expires !== undefined) {
        if (!isDay(o.expires)) throw new UsageError(`--expires "${o.expires}" is not a date: expected YYYY-MM-DD`);
        if (o.expires < vietnamToday())
          throw new UsageError(`--expires ${o.expires} is in the past: expected today or a later day`);
      }
      const { findUnit } = await import('../graphql/units.ts');
      await withKeys(async (w) => {
        let unit;
        try {
          unit = await findUnit(w, o.unit, null, '--unit');
        } catch (e) {
          throw new UsageError((e as Error).message);
        }
        if (!unit)
          throw new UsageError(
            `--unit ${o.unit}: no such unit in today's list; expected VN, 2025-07:75, 2025-03:26734 or a plain code ` +
              `of today's list`,
          );
        const { keyId, token } = await createApiKey(w, {
          role: o.role,
          unitId: unit.unit_id,
          label: o.label,
          expires: o.expires,
        });
        console.log(
          `created API key ${keyId}: ${o.role} of ${unit.ref} (${unit.type} ` +
            `${unit.name})${o.label ? `, "${o.label}"` : ''}${o.expires ? `, works until ${o.expires}` : ''}`,
        );
        console.log('the token is shown only now; send it as "Authorization: Bearer <token>":');
        console.log(token);
      });
    });

  keys
    .command('list')
    .description('list API keys (never their tokens)')
    .action(async () => {
      await withKeys(async (w) => {
        const rows = await listApiKeys(w);
        if (!rows.length) return console.log('no API keys; create one with `pcmbn keys create`');
        const now = Date.now();
        console.table(
          rows.map((k) => ({
            key: k.key_id,
            role: k.role,
            unit: `${k.unit_ref} ${k.unit_name}`,
            label: k.label ?? '',
            created: vietnamDay(new Date(k.created_at)),
            expires: k.expires_at ? vietnamDay(new Date(Date.parse(k.expires_at) - 1)) : '',
            status: k.revoked_at
              ? `revoked ${vietnamDay(new Date(k.revoked_at))}`
              : k.expires_at && Date.parse(k.expires_at) <= now
                ? 'expired'
                : 'active',
          })),
        );
      });
    });

  keys
    .command('revoke')
    .description('revoke an API key: requests with it get 401 from now on')
    .argument('<key_id>', 'the key, as `pcmbn keys list` shows it')
    .action(async (keyId: string) => {
      await withKeys(async (w) => {
        const r = await revokeApiKey(w, keyId);
        if (!r.found) throw new UsageError(`no API key ${keyId}; \`pcmbn keys list\` shows them`);
        console.log(
          r.already
            ? `API key ${keyId} was already revoked on ${vietnamDay(new Date(r.revokedAt))}`
            : `revoked API key ${keyId}`,
        );
      });
    });
}
