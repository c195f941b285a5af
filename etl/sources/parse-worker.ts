/**
 * The worker thread that turns a JSON or XLSX report into rows (see ./parse.ts): it reads the file named in its
 * workerData, posts its rows in batches, waiting whenever BATCHES_AHEAD batches are not yet staged, then posts the
 * reader's result, or the file's problems.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { FileRejected } from '../issues.ts';
import type { SourceRow } from '../stage.ts';
import { BATCHES_AHEAD, type FromWorker, type ParseJob, STAGED } from './parse.ts';

const port = parentPort!;
const job = workerData as ParseJob;
const post = (m: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

let ahead = 0;
let wake: (() => void) | null = null;
port.on('message', (m) => {
  if (m !== STAGED) return;
  ahead--;
  wake?.();
});

async function emit(rows: SourceRow[]): Promise<void> {
  if (!rows.length) return;
  post({ kind: 'rows', rows });
  ahead++;
  while (ahead >= BATCHES_AHEAD) await new Promise<void>((resolve) => (wake = resolve));
  wake = null;
}

/** The typed arrays of a result, handed over rather than copied. */
function buffersOf(result: object): ArrayBuffer[] {
  return Object.values(result)
    .filter((v): v is Int32Array | Float64Array => ArrayBuffer.isView(v))
    .map((v) => v.buffer as ArrayBuffer)
    .filter((b, i, all) => all.indexOf(b) === i);
}

try {
  const result =
    job.format === 'json'
      ? await (await import('./json.ts')).parseJson(job.path, job.name, emit)
      : await (await import('./xlsx.ts')).parseXlsx(job.path, job.name, emit);
  post({ kind: 'done', result }, buffersOf(result));
} catch (e) {
  if (e instanceof FileRejected) post({ kind: 'rejected', issues: e.issues });
  else post({ kind: 'failed', message: (e as Error).message, stack: (e as Error).stack });
}
