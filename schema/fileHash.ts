import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/**
 * The SHA-256 of a file's bytes (hex), read in 1 MiB chunks: a report or a backup file may be gigabytes. The same
 * hash names a loaded file (a file loaded twice is recognised) and checks a backup's files against its manifest.
 */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
