/**
 * A large JSON report in the inbox of a running server: the server keeps answering while the file is read, and
 * reading it takes memory in proportion to the text, not gigabytes for a tree of every value.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer } from '../../api/server.ts';
import type { LoadResult } from '../../etl/load.ts';
import { startSchedule } from '../../etl/inbox.ts';
import { runRows } from '../../schema/dialect.ts';
import { cleanupTemp, count, freshWarehouse, tempDir } from '../helpers.ts';
import { writeLargeJson } from './large-json.ts';

afterAll(cleanupTemp);

describe('a large JSON report in the inbox of a running server', () => {
  it('is read while requests keep being answered, in bounded memory', { timeout: 600_000 }, async () => {
    const w = await freshWarehouse();
    // 10,000 wards × 60 months: 600,000 rows, about 70 MB.
    const file = path.join(tempDir(), 'export.json');
    const rows = await writeLargeJson(w, file, 10_000);
    expect(rows).toBe(600_000);
    expect(fs.statSync(file).size).toBeGreaterThan(60e6);

    const server = await startServer({ warehouse: w, port: 0, anonymous: 'viewer' });
    const inbox = tempDir();
    const scans: (LoadResult | Error)[] = [];
    const schedule = startSchedule(w, inbox, '* * * * * *', (r, e) => void ((e ?? r) && scans.push(e ?? r!)), {
      holdReaders: server.holdReaders,
      log: () => {},
    });
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
    try {
      fs.renameSync(file, path.join(inbox, 'export.json'));
      // A cheap question asked again and again, one at a time, until the load is over. An answer counts as given
      // during the load when the run was under way both before it was asked and after it came.
      const watcher = await w.connect();
      const loading = async () =>
        ((await runRows(watcher, `SELECT count(*)::INTEGER AS n FROM etl_runs WHERE status = 'running'`)).rows[0]
          .n as number) > 0;
      let answers = 0;
      const failures: string[] = [];
      let duringLoad = 0;
      while (!scans.length) {
        const before = await loading();
        const ok = await fetch(server.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: '{ indicators { code } }' }),
        }).then(
          async (res) =>
            res.ok && Boolean(((await res.json()) as { data?: { indicators: unknown[] } }).data?.indicators.length),
          (e: Error) => void failures.push(`${e.message}: ${(e.cause as Error | undefined)?.message}`),
        );
        if (ok) answers++;
        else if (ok !== undefined) failures.push('an answer without the indicators');
        if (before && (await loading())) duringLoad++;
      }
      watcher.closeSync();
      console.log(
        `peak RSS ${Math.round(peakRss / 2 ** 20)} MiB; ${answers} answers, ${duringLoad} of them during the load`,
      );
      const scan = scans[0];
      if (scan instanceof Error) throw scan;
      expect(scan.files.map((f) => [f.status, f.rows, f.issues])).toEqual([['loaded', rows, []]]);
      expect(await count(w, 'facts')).toBe(rows);
      expect.soft(failures).toEqual([]);
      expect(answers).toBeGreaterThan(0);
      expect.soft(duringLoad).toBeGreaterThan(10);
      // A tree of the document took 2.7 GB for 600 k rows; the text, its rows in batches and their places need far less.
      expect.soft(peakRss).toBeLessThan(1.5 * 1024 ** 3);
    } finally {
      clearInterval(sampler);
      await schedule.stop();
      await server.close();
    }
  });
});
