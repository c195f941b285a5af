/**
 * Two `pcmbn etl load` processes started together on overlapping files: the second waits for the first (DuckDB
 * lets one process write a file; `--wait`), and the warehouse equals loading the two sets one after the other in
 * that order. A load meeting a running server does not wait: the server never lets go.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFiles } from '../../etl/load.ts';
import { generateProvince } from '../../etl/sample.ts';
import { openWarehouse } from '../../schema/warehouse.ts';
import { pcmbn, pcmbnEnv, pcmbnBackground } from '../api/client.ts';
import { cleanupTemp, freshWarehousePath, loadedState, tempDir, writeSample } from '../helpers.ts';

type State = Awaited<ReturnType<typeof loadedState>>;

/** The warehouse after loading `first` then `second` in one process (the reference). */
async function sequential(first: string, second: string): Promise<State> {
  const w = await openWarehouse(await freshWarehousePath());
  try {
    await loadFiles(w, [first]);
    await loadFiles(w, [second]);
    return await loadedState(w);
  } finally {
    await w.close();
  }
}

let setA: string;
let setB: string;

beforeAll(() => {
  // A: a province's reports as generated with seed 1; B: two of the same files, regenerated with seed 2 (same
  // figures, other values, same submission dates: the later load wins) and one file A does not hold.
  const one = generateProvince({ scale: 'demo', list: '2025-03', province: '12', seed: 1 }).files;
  const two = generateProvince({ scale: 'demo', list: '2025-03', province: '12', seed: 2 }).files;
  const other = generateProvince({ scale: 'demo', list: '2025-03', province: '14', seed: 1 }).files;
  setA = tempDir();
  writeSample(setA, one);
  setB = tempDir();
  writeSample(setB, [...two.filter((f) => /wards\/.*-2024\.csv$|consolidated\/.*-2024\.csv$/.test(f.path)), other[0]]);
});
afterAll(cleanupTemp);

describe('two loads at once', () => {
  it('the second waits, and the result equals loading them one after the other', async () => {
    const [aThenB, bThenA] = await Promise.all([sequential(setA, setB), sequential(setB, setA)]);
    expect(aThenB).not.toEqual(bThenA); // the order matters, so the comparison below says which ran first

    const db = await freshWarehousePath();
    const env = pcmbnEnv(db);
    const [a, b] = await Promise.all([pcmbn(env, 'etl', 'load', setA), pcmbn(env, 'etl', 'load', setB)]);
    expect([a.code, b.code], a.stderr + b.stderr).toEqual([0, 0]);
    const waited = [a, b].filter((r) =>
      /is in use by another process \(PID \d+: pcmbn etl load .*\); waiting up to 60 s/.test(r.stderr),
    );
    expect(waited).toHaveLength(1);

    const w = await openWarehouse(db);
    try {
      expect(await loadedState(w)).toEqual(waited[0] === b ? aThenB : bThenA);
      const runs = await w.sql<{ status: string }>(`SELECT status FROM etl_runs ORDER BY run_id`);
      expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    } finally {
      await w.close();
    }
  }, 120_000);

  it('--wait 0 fails at once with exit 2, naming the process that holds the warehouse', async () => {
    const db = await freshWarehousePath();
    const env = pcmbnEnv(db);
    const first = pcmbn(env, 'etl', 'load', setA);
    // The first load holds the file from its start to its end; retry until the second meets it.
    let second;
    for (let i = 0; i < 100; i++) {
      second = await pcmbn(env, 'etl', 'load', '--wait', '0', setB);
      if (second.code !== 0) break;
    }
    expect((await first).code).toBe(0);
    expect(second!.code).toBe(2);
    expect(second!.stderr).toMatch(
      /^pcmbn: the warehouse .* is in use by another process \(PID \d+: pcmbn etl load .*\); stop it first, or wait for it to finish \(--wait SECONDS\)$/m,
    );
    expect(second!.stderr).not.toMatch(/inbox/); // no server is running
  }, 120_000);

  it(
    'a load meeting a running server fails at once, whatever --wait says, and points to the inbox; keys point to ' +
      'stopping it',
    async () => {
      const db = await freshWarehousePath();
      const server = pcmbnBackground(pcmbnEnv(db, { PORT: '0' }), 'serve');
      try {
        await server.waitFor(/^GraphQL /m, 60_000);
        // Were it to sit out the 600 s, the test's own time limit would fail it.
        const load = await pcmbn(pcmbnEnv(db), 'etl', 'load', '--wait', '600', setB);
        expect(load.code).toBe(2);
        expect(load.stderr).toMatch(
          /in use by another process \(PID \d+: pcmbn serve\); stop it first, or drop the files into the running server's inbox/,
        );
        expect(load.stderr).not.toMatch(/waiting/);
        expect(load.stderr).toMatch(/the folder its --inbox or PCMBN_INBOX names/);
        // Keys cannot go through the inbox: the advice is to stop the server, with no word of an inbox.
        for (const args of [
          ['keys', 'list'],
          ['keys', 'create', '--role', 'viewer', '--unit', 'VN'],
        ]) {
          const keys = await pcmbn(pcmbnEnv(db), ...args);
          expect(keys.code).toBe(2);
          expect(keys.stderr).toMatch(
            /in use by another process \(PID \d+: pcmbn serve\); API keys are managed with the server stopped: stop it, run this command again, then start the server again$/m,
          );
          expect(keys.stderr).not.toMatch(/inbox/);
        }
      } finally {
        expect(await server.stop()).toBe(0);
      }
    },
    120_000,
  );
});
