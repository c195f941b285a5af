/**
 * Scheduled loads: an inbox folder scanned on a cron expression. After a scan, every file has been moved out of
 * the inbox: loaded (or unchanged) files to `loaded/<run>/`, rejected ones to `rejected/<run>/` with their errors
 * beside them in `<name>.errors.txt`. A file is moved only after its load committed, and a file whose content was
 * already loaded is recognised by its hash, so a crash between the two never loads a file twice or loses one.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Cron } from 'croner';
import type { Warehouse } from '../schema/warehouse.ts';
import { formatOf } from './contract.ts';
import { formatIssue } from './issues.ts';
import { type LoadOptions, type LoadResult, loadFiles } from './load.ts';

const ASIDE = new Set(['loaded', 'rejected']);

/** Report files waiting in the inbox (sub-folders included, except the ones we move files into). */
export function inboxFiles(inbox: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, top: boolean) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) {
        if (!(top && ASIDE.has(name))) walk(p, false);
      } else if (formatOf(p) && !name.endsWith('.errors.txt')) {
        out.push(p);
      }
    }
  };
  walk(inbox, true);
  return out;
}

function moveAside(inbox: string, file: string, folder: string): string {
  const target = join(inbox, folder, relative(inbox, file));
  mkdirSync(join(target, '..'), { recursive: true });
  let dest = target;
  for (let n = 1; existsSync(dest); n++) dest = target.replace(/(\.[^.]+)$/, `.${n}$1`);
  renameSync(file, dest);
  return dest;
}

/** One scan: loads what is in the inbox and moves every file aside. */
export async function scanInbox(
  w: Warehouse,
  inbox: string,
  holdReaders?: LoadOptions['holdReaders'],
): Promise<LoadResult | null> {
  mkdirSync(inbox, { recursive: true });
  const files = inboxFiles(inbox);
  if (!files.length) return null;
  const result = await loadFiles(w, files, { trigger: 'schedule', baseDir: inbox, holdReaders });
  for (const f of result.files) {
    const folder = f.status === 'rejected' ? `rejected/run-${result.runId}` : `loaded/run-${result.runId}`;
    const dest = moveAside(inbox, f.path, folder);
    if (f.status === 'rejected') writeFileSync(`${dest}.errors.txt`, f.issues.map(formatIssue).join('\n') + '\n');
  }
  return result;
}

export interface Schedule {
  stop(): void;
  /** When the next scan is due. */
  next(): Date | null;
}

/** Scans on `cron` (croner syntax, seconds optional); scans never overlap. `holdReaders` as in LoadOptions. */
export function startSchedule(
  w: Warehouse,
  inbox: string,
  cron: string,
  onScan: (r: LoadResult | null, e?: Error) => void,
  holdReaders?: LoadOptions['holdReaders'],
): Schedule {
  const job = new Cron(cron, { protect: true }, async () => {
    try {
      onScan(await scanInbox(w, inbox, holdReaders));
    } catch (e) {
      onScan(null, e as Error);
    }
  });
  return { stop: () => job.stop(), next: () => job.nextRun() };
}
