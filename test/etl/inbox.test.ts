/**
 * The inbox trusts nothing dropped into it (etl/inbox.ts): it follows no link out of itself, refuses what is not
 * a regular file without letting it block the rest, and takes a file only once it has stopped changing.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InboxWatch, scanInbox } from '../../etl/inbox.ts';
import { cleanupTemp, count, csv, freshWarehouse, HEADER, tempDir, writeFile } from '../helpers.ts';

afterAll(cleanupTemp);

/** A valid row for the month n (1–6) after the reform. */
const row = (n: number) => `2025-07:00004,2025${String(6 + n).padStart(2, '0')},hotline_calls,${n}`;

/** Every entry under `dir` but folders, relative to it. */
const tree = (dir: string) =>
  (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((p) => !fs.lstatSync(path.join(dir, p)).isDirectory())
    .sort();

describe('the inbox', () => {
  it('follows no symbolic link out of itself: the folder it points to is left whole, nothing of it is loaded', async () => {
    const w = await freshWarehouse();
    const outside = tempDir();
    writeFile(outside, 'secret.csv', 'root:SECRET-LINE-1\n');
    writeFile(outside, 'valid.csv', csv(HEADER, row(1)));
    const inbox = tempDir();
    fs.symlinkSync(outside, path.join(inbox, 'evil'));
    fs.symlinkSync(path.join(outside, 'valid.csv'), path.join(inbox, 'linked.csv'));
    writeFile(inbox, 'good.csv', csv(HEADER, row(2)));
    const log: string[] = [];

    const r = await scanInbox(w, inbox, { log: (l) => log.push(l) });
    expect(r?.files.map((f) => path.basename(f.path))).toEqual(['good.csv']);
    expect(tree(outside)).toEqual(['secret.csv', 'valid.csv']);
    expect(fs.readFileSync(path.join(outside, 'secret.csv'), 'utf8')).toBe('root:SECRET-LINE-1\n');
    expect(await count(w, 'facts')).toBe(1);
    expect(fs.readlinkSync(path.join(inbox, 'linked.csv'))).toBe(path.join(outside, 'valid.csv'));
    expect(log).toEqual([
      expect.stringMatching(/^inbox: evil is not taken: a symbolic link: .*follows no link/),
      expect.stringMatching(/^inbox: linked\.csv is not taken: a symbolic link: .*follows no link/),
    ]);
    expect(fs.lstatSync(path.join(inbox, 'evil')).isSymbolicLink()).toBe(true);
    expect(fs.readdirSync(path.join(inbox, 'loaded/run-1'))).toEqual(['good.csv']);
  });

  it('a dangling link, a link loop and a FIFO are refused with their reason; the other files load', async () => {
    const w = await freshWarehouse();
    const inbox = tempDir();
    fs.symlinkSync(path.join(inbox, 'nowhere.csv'), path.join(inbox, 'dangling.csv'));
    fs.symlinkSync(path.join(inbox, 'loop-b.csv'), path.join(inbox, 'loop-a.csv'));
    fs.symlinkSync(path.join(inbox, 'loop-a.csv'), path.join(inbox, 'loop-b.csv'));
    execFileSync('mkfifo', [path.join(inbox, 'pipe.csv')]);
    writeFile(inbox, 'sub/good.csv', csv(HEADER, row(3)));
    const log: string[] = [];
    const watch = new InboxWatch((l) => log.push(l));

    expect(await scanInbox(w, inbox, { watch })).toBeNull(); // first sight: not yet known to be complete
    const r = await scanInbox(w, inbox, { watch });
    expect(r?.files.map((f) => [path.relative(inbox, f.path), f.status])).toEqual([['sub/good.csv', 'loaded']]);
    expect(await count(w, 'facts')).toBe(1);
    expect(log).toEqual([
      expect.stringMatching(/^inbox: dangling\.csv is not taken: a symbolic link/),
      expect.stringMatching(/^inbox: loop-a\.csv is not taken: a symbolic link/),
      expect.stringMatching(/^inbox: loop-b\.csv is not taken: a symbolic link/),
      expect.stringMatching(/^inbox: pipe\.csv is not taken: a FIFO/),
    ]); // once each, though seen at two scans
    expect(tree(inbox)).toEqual(['dangling.csv', 'loaded/run-1/sub/good.csv', 'loop-a.csv', 'loop-b.csv', 'pipe.csv']);
  });

  it('takes a file being written only once it stopped changing between two scans, with all its rows; .part names never', async () => {
    const w = await freshWarehouse();
    const inbox = tempDir();
    const file = path.join(inbox, 'copying.csv');
    fs.writeFileSync(file, csv(HEADER, row(1), row(2)));
    writeFile(inbox, 'other.csv.part', csv(HEADER, row(5)));
    const watch = new InboxWatch(() => {});

    expect(await scanInbox(w, inbox, { watch })).toBeNull();
    fs.appendFileSync(file, row(3) + '\n'); // the copy goes on between two scans
    expect(await scanInbox(w, inbox, { watch })).toBeNull();
    fs.appendFileSync(file, row(4) + '\n');
    expect(await scanInbox(w, inbox, { watch })).toBeNull();
    expect(await count(w, 'facts')).toBe(0);

    const r = await scanInbox(w, inbox, { watch }); // unchanged since the last scan: complete
    expect(r?.files.map((f) => [path.basename(f.path), f.status])).toEqual([['copying.csv', 'loaded']]);
    expect(await count(w, 'facts')).toBe(4);
    expect(tree(inbox)).toEqual(['loaded/run-1/copying.csv', 'other.csv.part']);
  });
});
