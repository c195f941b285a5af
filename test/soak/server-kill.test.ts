/**
 * `kill -9` of `pcmbn serve` while its schedule loads the inbox, at random points, then a restart, again and again:
 * no file is lost from the inbox (each ends up in `loaded/` exactly once, with its content), none is loaded twice,
 * and the warehouse equals one uninterrupted load of the same files.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFiles } from '../../etl/load.ts';
import { generateProvince } from '../../etl/sample.ts';
import { inboxFiles } from '../../etl/inbox.ts';
import { openWarehouse } from '../../schema/warehouse.ts';
import { pcmbnBackground, pcmbnEnv } from '../api/client.ts';
import {
  cleanupTemp,
  expectWholeFilesOnly,
  freshWarehousePath,
  loadedState,
  tempDir,
  writeSample,
} from '../helpers.ts';

const KILLS = 12;

const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

let source: string;
let hashes: string[];

beforeAll(() => {
  // Two provinces' reports: a scan of a few seconds.
  source = tempDir();
  writeSample(source, [
    ...generateProvince({ scale: 'demo', list: '2025-03', province: '12' }).files,
    ...generateProvince({ scale: 'demo', list: '2025-03', province: '14' }).files,
  ]);
  hashes = walk(source).map(sha256).sort();
});
afterAll(cleanupTemp);

/**
 * Runs the server on `db` with `inbox` until it prints a scan's summary; with `killAfterMs`, kills it that long after
 * it is ready to serve instead (the first scan starts within a second of that).
 */
async function serve(
  db: string,
  inbox: string,
  killAfterMs?: number,
): Promise<{ outcome: 'scanned' | 'killed'; scanMs: number }> {
  const server = pcmbnBackground(pcmbnEnv(db, { PORT: '0' }), 'serve', '--inbox', inbox, '--cron', '* * * * * *');
  const exited = new Promise<void>((resolve) => server.child.once('exit', () => resolve()));
  await server.waitFor(/^GraphQL /m, 120_000);
  const ready = Date.now();
  if (killAfterMs === undefined) {
    await server.waitFor(/^run \d+: /m, 600_000);
    const scanMs = Date.now() - ready;
    expect(await server.stop()).toBe(0);
    return { outcome: 'scanned', scanMs };
  }
  const timer = setTimeout(() => server.child.kill('SIGKILL'), killAfterMs);
  const scanned = await server.waitFor(/^run \d+: /m, 600_000).then(
    () => true,
    () => false,
  );
  clearTimeout(timer);
  server.child.kill('SIGKILL');
  await exited;
  return { outcome: scanned ? 'scanned' : 'killed', scanMs: Date.now() - ready };
}

function fillInbox(inbox: string): void {
  for (const f of walk(source)) {
    const target = path.join(inbox, path.relative(source, f));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(f, target);
  }
}

describe('kill -9 of the server during scheduled loads', () => {
  it(`at up to ${KILLS} random points during scans: no file lost from the inbox, none loaded twice`, async () => {
    const reference = await freshWarehousePath();
    const ref = await openWarehouse(reference);
    const expected = await (async () => {
      try {
        await loadFiles(ref, [source]);
        return await loadedState(ref);
      } finally {
        await ref.close();
      }
    })();

    // How long a start and a scan take here, to spread the kills over them.
    const timing = tempDir();
    fillInbox(path.join(timing, 'inbox'));
    const { scanMs } = await serve(await freshWarehousePath(), path.join(timing, 'inbox'));

    const dir = tempDir();
    const db = path.join(dir, 'warehouse.duckdb');
    fs.copyFileSync(await freshWarehousePath(), db);
    const inbox = path.join(dir, 'inbox');
    fillInbox(inbox);
    const outcomes: string[] = [];
    for (let k = 0; k < KILLS && inboxFiles(inbox).length; k++) {
      // Spread over the scan (from the wait for the cron's second to the files' moves), most before its end.
      outcomes.push((await serve(db, inbox, Math.round(((k + Math.random()) / KILLS) * scanMs * 1.1))).outcome);
      // Whatever the moment, the warehouse opens holding whole files only.
      const w = await openWarehouse(db);
      try {
        await expectWholeFilesOnly(w);
      } finally {
        await w.close();
      }
    }
    // Then the server runs until its inbox is empty.
    while (inboxFiles(inbox).length) await serve(db, inbox);

    // Every file is in loaded/ exactly once, whole; none is left, none rejected.
    expect(walk(inbox).filter((f) => !f.includes(`${path.sep}loaded${path.sep}`))).toEqual([]);
    expect(walk(path.join(inbox, 'loaded')).map(sha256).sort()).toEqual(hashes);

    const w = await openWarehouse(db);
    try {
      const twice = await w.sql(
        `SELECT content_hash, count(*) AS n FROM source_files WHERE status = 'loaded' GROUP BY content_hash HAVING count(*) > 1`,
      );
      expect(twice).toEqual([]);
      expect(
        (
          await w.sql<{ h: string }>(
            `SELECT DISTINCT content_hash AS h FROM source_files WHERE status = 'loaded' ORDER BY h`,
          )
        ).map((r) => r.h),
      ).toEqual([...new Set(hashes)].sort());
      expect(await loadedState(w)).toEqual(expected);
    } finally {
      await w.close();
    }
    // The kills did land during scans (the last ones may come after a scan ended and emptied the inbox).
    expect(outcomes.filter((o) => o === 'killed').length).toBeGreaterThanOrEqual(KILLS / 2);
    console.log(`server kills: ${outcomes.join(', ')}; a scan of ${hashes.length} files took ${scanMs} ms`);
  }, 900_000);
});
