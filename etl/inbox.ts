/**
 * Scheduled loads: an inbox folder scanned on a cron expression. After a scan, every file it took has been moved
 * out of the inbox: loaded (or unchanged) files to `loaded/<run>/`, rejected ones to `rejected/<run>/` with their
 * errors beside them in `<name>.errors.txt`. A file is moved only after its load committed, and a file whose content
 * was already loaded is recognised by its hash, so a crash between the two never loads a file twice or loses one.
 *
 * The inbox is a folder other people (and copy tools) write into, so a scan trusts nothing in it:
 * - it takes regular files only, and follows no symbolic link: a link could point anywhere on the host, and moving
 *   "its" files aside would empty a folder outside the inbox. Links, FIFOs, sockets and devices are left where they
 *   are and logged once, with the reason; one such entry never stops the others from loading;
 * - it takes a file only once it is complete: hidden files and names that do not end in a report extension
 *   (`x.csv.part`, `x.csv.tmp`) are still being written, and any other file must show the same size, modification
 *   time and inode at two looks (two scans of the schedule, or two looks a moment apart for a single scan), since a
 *   copy over a network share writes a file row by row under its final name.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, renameSync, type Stats, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Cron } from 'croner';
import type { Warehouse } from '../schema/warehouse.ts';
import { formatOf } from './contract.ts';
import { formatIssue } from './issues.ts';
import { type LoadOptions, type LoadResult, loadFiles } from './load.ts';

const ASIDE = new Set(['loaded', 'rejected']);

/** How long a single scan (`--once`) waits between its two looks at the inbox. */
export const SETTLE_MS = 1_000;

export interface InboxEntries {
  /** Report files, regular and not hidden, in name order. */
  files: string[];
  /** Entries the inbox does not take, with the reason. */
  refused: { path: string; reason: string }[];
}

function refusal(s: Stats): string | null {
  if (s.isSymbolicLink())
    return 'a symbolic link: the inbox follows no link (it could point outside the inbox); copy or move the file itself in';
  if (s.isFIFO()) return 'a FIFO (named pipe), not a file; the inbox takes regular files only';
  if (s.isSocket()) return 'a socket, not a file; the inbox takes regular files only';
  if (s.isBlockDevice() || s.isCharacterDevice()) return 'a device, not a file; the inbox takes regular files only';
  return null;
}

/** What the inbox holds (sub-folders included, except the ones we move files into), without following links. */
export function inboxEntries(inbox: string): InboxEntries {
  const out: InboxEntries = { files: [], refused: [] };
  const walk = (dir: string, top: boolean) => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch (e) {
      out.refused.push({ path: dir, reason: `cannot be read (${(e as NodeJS.ErrnoException).code ?? e})` });
      return;
    }
    for (const name of names) {
      const p = join(dir, name);
      let s: Stats;
      try {
        s = lstatSync(p);
      } catch {
        continue; // gone since readdir: nothing to take
      }
      if (s.isDirectory()) {
        if (!(top && ASIDE.has(name))) walk(p, false);
        continue;
      }
      if (name.startsWith('.')) continue;
      const reason = refusal(s);
      if (reason) out.refused.push({ path: p, reason });
      else if (s.isFile() && formatOf(p) && !name.endsWith('.errors.txt')) out.files.push(p);
    }
  };
  walk(inbox, true);
  return out;
}

/** Report files waiting in the inbox. */
export function inboxFiles(inbox: string): string[] {
  return inboxEntries(inbox).files;
}

function signature(file: string): string | null {
  try {
    const s = lstatSync(file);
    return s.isFile() ? `${s.ino}:${s.size}:${s.mtimeMs}` : null;
  } catch {
    return null;
  }
}

/**
 * What a schedule remembers between scans: each file's size, modification time and inode at the last look, so a
 * file is taken only when they did not change since, and each refused entry, so its reason is logged once.
 */
export class InboxWatch {
  private readonly seen = new Map<string, string>();
  private readonly told = new Set<string>();

  constructor(private readonly log: (line: string) => void = (line) => console.error(line)) {}

  /** Looks at the inbox: the files unchanged since the last look, and how many files there are in all. */
  look(inbox: string): { complete: string[]; files: number } {
    const { files, refused } = inboxEntries(inbox);
    for (const r of refused) {
      const key = `${r.path}\u0000${r.reason}`;
      if (this.told.has(key)) continue;
      this.told.add(key);
      this.log(`inbox: ${relative(inbox, r.path) || r.path} is not taken: ${r.reason}`);
    }
    const complete: string[] = [];
    const now = new Map<string, string>();
    for (const f of files) {
      const sig = signature(f);
      if (sig === null) continue;
      now.set(f, sig);
      if (this.seen.get(f) === sig) complete.push(f);
    }
    this.seen.clear();
    for (const [f, sig] of now) this.seen.set(f, sig);
    return { complete, files: files.length };
  }
}

/** Makes `folder` (loaded/…, rejected/…) inside the inbox, refusing one that is a link out of it. */
function asideFolder(inbox: string, folder: string): void {
  const top = join(inbox, folder.split('/')[0]!);
  if (lstatSync(top, { throwIfNoEntry: false })?.isDirectory() === false)
    throw new Error(`${top} is not a folder (a link or a file): the inbox moves files only into its own folders`);
  mkdirSync(join(inbox, folder), { recursive: true });
}

function moveAside(inbox: string, file: string, folder: string): string {
  asideFolder(inbox, folder);
  const target = join(inbox, folder, relative(inbox, file));
  mkdirSync(join(target, '..'), { recursive: true });
  let dest = target;
  for (let n = 1; existsSync(dest); n++) dest = target.replace(/(\.[^.]+)$/, `.${n}$1`);
  renameSync(file, dest);
  return dest;
}

export interface ScanOptions {
  holdReaders?: LoadOptions['holdReaders'];
  /** Stops the load in progress; its files stay in the inbox, as if the scan had not taken them. */
  signal?: AbortSignal;
  /** Told which files a scan takes, before their load starts. */
  onLoad?: (files: string[]) => void;
  /** The schedule's memory of earlier scans; without it, the scan looks twice, SETTLE_MS apart. */
  watch?: InboxWatch;
  /** Where refused entries are reported; default stderr. */
  log?: (line: string) => void;
}

/** One scan: loads the complete files in the inbox and moves each of them aside. */
export async function scanInbox(w: Warehouse, inbox: string, o: ScanOptions = {}): Promise<LoadResult | null> {
  mkdirSync(inbox, { recursive: true });
  let watch = o.watch;
  if (!watch) {
    watch = new InboxWatch(o.log);
    if (!watch.look(inbox).files) return null;
    await sleep(SETTLE_MS);
  }
  const files = watch.look(inbox).complete;
  if (!files.length) return null;
  o.onLoad?.(files);
  const result = await loadFiles(w, files, {
    trigger: 'schedule',
    baseDir: inbox,
    holdReaders: o.holdReaders,
    signal: o.signal,
  });
  for (const f of result.files) {
    const folder = f.status === 'rejected' ? `rejected/run-${result.runId}` : `loaded/run-${result.runId}`;
    const dest = moveAside(inbox, f.path, folder);
    if (f.status === 'rejected') writeFileSync(`${dest}.errors.txt`, f.issues.map(formatIssue).join('\n') + '\n');
  }
  return result;
}

export interface Schedule {
  /** Stops scanning; a load in progress stops too (its batch rolls back) and is waited for. */
  stop(): Promise<void>;
  /** When the next scan is due. */
  next(): Date | null;
}

/**
 * Scans on `cron` (croner syntax, seconds optional); scans never overlap. A file is taken at the first scan that
 * finds it unchanged since the one before.
 */
export function startSchedule(
  w: Warehouse,
  inbox: string,
  cron: string,
  onScan: (r: LoadResult | null, e?: Error) => void,
  o: Omit<ScanOptions, 'watch' | 'signal'> = {},
): Schedule {
  const watch = new InboxWatch(o.log);
  const stopping = new AbortController();
  let scan: Promise<void> = Promise.resolve();
  const job = new Cron(cron, { protect: true }, () => {
    scan = (async () => {
      try {
        onScan(await scanInbox(w, inbox, { ...o, watch, signal: stopping.signal }));
      } catch (e) {
        onScan(null, e as Error);
      }
    })();
    return scan;
  });
  return {
    stop: async () => {
      job.stop();
      stopping.abort(new Error('stopped before the load finished; its files stay in the inbox for the next scan'));
      await scan;
    },
    next: () => job.nextRun(),
  };
}
