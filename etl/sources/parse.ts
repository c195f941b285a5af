/**
 * JSON and XLSX reports are turned into rows in a worker thread (./parse-worker.ts), so that the event loop of a
 * server loading its inbox keeps answering requests whatever the file: tokenizing a JSON file or inflating and
 * parsing a workbook is seconds of CPU for a large report. Rows come back in batches, and the worker reads on only
 * once the stage has taken all but one of the batches it sent, so that rows never pile up in memory however fast the
 * worker reads. A stopped load (its signal aborted: SIGTERM) terminates the worker at once.
 */
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { FileRejected, type LoadIssue } from '../issues.ts';
import type { SourceRow } from '../stage.ts';

export type ParsedFormat = 'json' | 'xlsx';

export interface ParseJob {
  format: ParsedFormat;
  path: string;
  name: string;
}

/** Worker to host. */
export type FromWorker =
  | { kind: 'rows'; rows: SourceRow[] }
  | { kind: 'done'; result: unknown }
  | { kind: 'rejected'; issues: LoadIssue[] }
  | { kind: 'failed'; message: string; stack?: string };

/** Rows handed to the stage at once. */
export const BATCH_ROWS = 2_000;

/** Host to worker: a batch has been staged. */
export const STAGED = 'staged';
/** Batches the worker may have sent that the stage has not taken yet. */
export const BATCHES_AHEAD = 2;

/**
 * The worker's entry: the compiled `parse-worker.js` beside the bundle's chunks (scripts/build.mjs builds it as an
 * entry of its own), or, run from the TypeScript sources (tests, `tsx`), a small script that registers tsx's loader
 * in the worker first, since a loader registered in this thread does not reach a worker.
 */
function workerEntry(): string {
  const here = import.meta.filename;
  if (here.endsWith('.ts')) return fileURLToPath(new URL('./parse-worker-tsx.js', import.meta.url));
  return path.join(path.dirname(here), 'parse-worker.js');
}

/**
 * Parses the report at `file` in a worker, handing its rows to `stage` batch by batch; resolves with what the
 * format's reader returns at the end (where the rows stand in the file), rejects with FileRejected for a bad file.
 */
export function parseOffThread<T>(
  format: ParsedFormat,
  file: string,
  name: string,
  stage: (rows: SourceRow[]) => Promise<void>,
  signal?: AbortSignal,
): Promise<T> {
  signal?.throwIfAborted();
  const job: ParseJob = { format, path: file, name };
  const worker = new Worker(workerEntry(), { workerData: job });
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let stopped = false;
    let queue = Promise.resolve();
    const finish = (end: () => void) => {
      if (settled) return;
      settled = true;
      stopped = true;
      signal?.removeEventListener('abort', stop);
      void worker.terminate();
      end();
    };
    // The worker stops at once; the load hears of it once a batch being staged is in, so that nothing else uses
    // its connection meanwhile.
    const stop = () => {
      stopped = true;
      void worker.terminate();
      void queue.then(() => finish(() => reject(signal!.reason)));
    };
    signal?.addEventListener('abort', stop, { once: true });
    worker.on('message', (m: FromWorker) => {
      // One message at a time, in order: a batch is staged before the next, and the end comes after the last.
      queue = queue
        .then(async () => {
          if (stopped) return;
          switch (m.kind) {
            case 'rows':
              await stage(m.rows);
              worker.postMessage(STAGED);
              return;
            case 'done':
              return finish(() => resolve(m.result as T));
            case 'rejected':
              return finish(() => reject(new FileRejected(m.issues)));
            case 'failed':
              return finish(() => reject(Object.assign(new Error(m.message), { stack: m.stack })));
          }
        })
        .catch((e: unknown) => finish(() => reject(e)));
    });
    worker.on('error', (e) => void queue.then(() => finish(() => reject(e))));
    worker.on(
      'exit',
      (code) =>
        // After the messages it sent before it ended.
        void queue.then(() =>
          finish(() => reject(new Error(`the worker reading ${name} stopped (exit code ${code}) before it was done`))),
        ),
    );
  });
}
