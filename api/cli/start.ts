/**
 * `npm start` (`pcmbn start`): the product on an embedded warehouse. An empty warehouse first gets the demo sample,
 * so a fresh clone shows real figures at once; then the API serves it, the inbox schedule runs in the same
 * process, and ready-made demo API keys (a leader's, a viewer's) are printed.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { summarize } from '../../etl/cli.ts';
import type { Warehouse } from '../../schema/warehouse.ts';
import { authenticate, createApiKey } from '../auth/keys.ts';
import { DEFAULT_CRON, defaultInbox, printServer, runServer } from './serve.ts';

/** Loads the demo sample into an empty warehouse; returns whether it did. */
export async function ensureDemoData(w: Warehouse): Promise<boolean> {
  const { n } = await w.db
    .selectFrom('facts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  if (n > 0) return false;
  const dir = mkdtempSync(join(tmpdir(), 'pcmbn-demo-'));
  try {
    const [{ generateSample }, { loadFiles }] = await Promise.all([
      import('../../etl/sample.ts'),
      import('../../etl/load.ts'),
    ]);
    await generateSample({ scale: 'demo', outDir: dir });
    console.log(`empty warehouse: loading the demo sample`);
    console.log(summarize(await loadFiles(w, [dir], { trigger: 'demo', baseDir: dir })));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return true;
}

/** What the warehouse holds per list and level; the period range runs by end date (period ids do not sort). */
export async function describeWarehouse(w: Warehouse): Promise<string> {
  const rows = await w.db
    .selectFrom('reports as r')
    .innerJoin('units as u', 'u.unit_id', 'r.unit_id')
    .innerJoin('periods as p', 'p.period_id', 'r.period_id')
    .select((eb) => [
      'u.hierarchy',
      'u.level',
      eb.fn.count<number>('r.unit_id').distinct().as('units'),
      eb.fn.countAll<number>().as('reports'),
      eb
        .selectFrom('facts as f')
        .innerJoin('units as fu', 'fu.unit_id', 'f.unit_id')
        .select((sub) => sub.fn.countAll<number>().as('n'))
        .whereRef('fu.hierarchy', '=', 'u.hierarchy')
        .whereRef('fu.level', '=', 'u.level')
        .where('f.is_current', '=', true)
        .as('facts'),
      eb.fn<string>('arg_min', ['r.period_id', 'p.end_date']).as('first'),
      eb.fn<string>('arg_max', ['r.period_id', 'p.end_date']).as('last'),
    ])
    .groupBy(['u.hierarchy', 'u.level'])
    .orderBy('u.hierarchy')
    .orderBy('u.level')
    .execute();
  const lines = rows.map(
    (r) =>
      `  ${r.hierarchy.padEnd(8)} ${r.level.padEnd(9)} ${String(r.units).padStart(6)} units ` +
      `${String(r.reports).padStart(8)} reports ${String(r.facts).padStart(10)} current facts  ` +
      `${r.first}…${r.last}`,
  );
  return [`warehouse ${w.path}:`, ...lines].join('\n');
}

export interface DemoKey {
  role: 'leader' | 'viewer';
  token: string;
  file: string;
  created: boolean;
}

/**
 * One of the demo's two API keys of the whole country, made on the first start: the leader's (`demo-key.txt`,
 * what the page opens with: steering committees see every figure) and a viewer's (`demo-viewer-key.txt`: the
 * public and partners' view, small victims counts withheld). The database keeps only hashes, so each token is
 * kept in its file beside the database and later starts print the same one (a new one if that key was revoked,
 * the database replaced, or the file holds a key of another role, as demo-key.txt did when it was a viewer's).
 */
export async function ensureDemoKey(w: Warehouse, role: DemoKey['role'] = 'leader'): Promise<DemoKey> {
  const file = join(dirname(w.path), role === 'leader' ? 'demo-key.txt' : 'demo-viewer-key.txt');
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    const kept = await authenticate(w, `Bearer ${token}`);
    if (kept.ok && kept.principal.role === role) return { role, token, file, created: false };
  }
  const { token } = await createApiKey(w, { role, unitId: 0, label: `demo ${role}` });
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { role, token, file, created: true };
}

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description(
      'run the product: demo data into an empty warehouse, then the API, the inbox schedule and demo keys (a ' +
        'leader, a viewer)',
    )
    .action(async () => {
      const { databasePath, openWarehouse } = await import('../../schema/warehouse.ts');
      const w = await openWarehouse(databasePath());
      try {
        await ensureDemoData(w);
        console.log(await describeWarehouse(w));
        const key = await ensureDemoKey(w, 'leader');
        const viewerKey = await ensureDemoKey(w, 'viewer');
        const inbox = defaultInbox(w.path);
        const cron = process.env.PCMBN_ETL_CRON || DEFAULT_CRON;
        await runServer(w, {
          inbox,
          cron,
          demoKeyFile: key.file,
          onReady: (server) => {
            printServer(server, inbox, cron);
            for (const k of [key, viewerKey])
              console.log(
                `demo ${k.role} key of VN ` +
                  `(${k.role === 'leader' ? 'every figure; the page at / uses it' : 'small victims counts withheld'}), ` +
                  `${k.created ? 'new' : 'kept'} in ${k.file}`,
              );
            console.log(
              `  curl -s ${server.url} -H 'content-type: application/json' -H "Authorization: Bearer $(cat ` +
                `${key.file})" -d '{"query":"{ indicators { code nameEn } }"}'`,
            );
            console.log(`API key  ${key.token}`);
            console.log(`viewer key  ${viewerKey.token}`);
            console.log('ready; Ctrl-C to stop');
          },
        });
      } finally {
        await w.close();
      }
    });
}
