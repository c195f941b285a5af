/**
 * A workbook's zip archive, checked before exceljs opens it. exceljs (through JSZip) inflates every part of a
 * workbook into memory and trusts the sizes the archive declares, so a file of a megabyte can ask for gigabytes: a
 * zip bomb, whether it declares its size honestly or lies about it. Here the central directory is read first and
 * what it declares is held to limits; then every part is inflated once as a stream that is counted, checksummed
 * and thrown away, stopped at the first byte beyond what its part declared. Memory stays at a few stream buffers
 * whatever the archive holds. Only an archive that keeps its promises reaches exceljs.
 */
import { createReadStream } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import { FileRejected } from '../issues.ts';

const MiB = 2 ** 20;

/**
 * Why these numbers:
 * - `unzippedBytes`: a full Excel sheet (1,048,576 rows, Excel's own limit) of contract rows is about 230 MB of
 *   sheet XML, so 256 MiB admits every workbook Excel can save for us; exceljs then needs about 16 times the XML
 *   in memory (measured: 364 MiB RSS for a 100,000-row sheet of 21 MiB), so this is also about what it can read.
 * - `ratio`: real workbooks compress 2–13:1 (measured on exceljs output: 9.5:1 for varied rows, 12.5:1 for 100,000
 *   identical ones); deflate cannot exceed about 1,032:1. 100:1 leaves eight times the headroom of the worst real
 *   part while keeping what a file may ask for in proportion to its size. Parts under `ratioFloor` are exempt:
 *   small XML parts compress erratically and cannot hurt.
 * - `parts`: Excel writes about ten parts plus two per sheet; JSZip builds an object per part.
 */
export const WORKBOOK_LIMITS = { unzippedBytes: 256 * MiB, ratio: 100, ratioFloor: MiB, parts: 10_000 } as const;

/** The part exceljs reads the workbook from (its name is fixed in exceljs: a workbook elsewhere would not load). */
const WORKBOOK_PART = 'xl/workbook.xml';

export type WorkbookLimits = typeof WORKBOOK_LIMITS;

interface Part {
  name: string;
  flags: number;
  method: number;
  crc: number;
  compressed: number;
  unzipped: number;
  localHeader: number;
}

export function formatBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(1)} GiB`;
  if (n >= MiB) return `${(n / MiB).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}

/** Every problem here concerns the file as a whole: no line or column, and the file's name. */
function reject(file: string, message: string): never {
  throw new FileRejected([{ severity: 'error', file, line: null, col: null, column: null, message }]);
}

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const OLE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

/** What a file that is no zip at all most likely is, for the message. */
function notAZip(head: Buffer): string {
  if (head.subarray(0, 8).equals(OLE)) {
    return (
      'is an OLE compound file, as Excel 97–2003 (.xls) and password-protected workbooks are, not a zip ' +
      'archive; expected an unprotected Excel workbook (.xlsx): save it again as "Excel Workbook" without a ' +
      'password'
    );
  }
  const text = head.subarray(0, 512).every((b) => b === 9 || b === 10 || b === 13 || b >= 32);
  return text
    ? 'is text, not a zip archive, so not an Excel .xlsx workbook (a CSV file renamed .xlsx?); expected an Excel ' +
        'workbook, or name a CSV file .csv'
    : `is not a zip archive (it starts with the bytes ` +
        `${[...head.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ')}), so not an Excel .xlsx ` +
        `workbook; expected an Excel workbook (.xlsx)`;
}

/** Locates and reads the central directory: where it is, how long, how many parts (ZIP64 records included). */
async function directory(
  fh: FileHandle,
  size: number,
  file: string,
): Promise<{ offset: number; length: number; parts: number }> {
  const tailStart = Math.max(0, size - (22 + 0xffff));
  const tail = await readAt(fh, tailStart, size - tailStart);
  let at = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD) {
      at = i;
      break;
    }
  }
  if (at < 0)
    reject(
      file,
      'the zip archive has no end record: the file is truncated or damaged; expected a complete Excel .xlsx ' +
        'workbook (save or download it again)',
    );
  if (tail.readUInt16LE(at + 4) !== 0 || tail.readUInt16LE(at + 6) !== 0)
    reject(file, 'is one part of a split (multi-volume) zip archive; expected a single Excel .xlsx file');
  let parts = tail.readUInt16LE(at + 10);
  let length = tail.readUInt32LE(at + 12);
  let offset = tail.readUInt32LE(at + 16);
  if (parts === 0xffff || length === 0xffffffff || offset === 0xffffffff) {
    // ZIP64: the real figures are in a record the locator, just before the end record, points to.
    const locator = at - 20;
    if (locator < 0 || tail.readUInt32LE(locator) !== ZIP64_LOCATOR)
      reject(
        file,
        "the zip archive's end record points to a ZIP64 record that is missing: the file is damaged; expected a " +
          'complete Excel .xlsx workbook',
      );
    const record = await readAt(fh, Number(tail.readBigUInt64LE(locator + 8)), 56);
    if (record.length < 56 || record.readUInt32LE(0) !== ZIP64_EOCD)
      reject(file, "the zip archive's ZIP64 end record is damaged; expected a complete Excel .xlsx workbook");
    parts = Number(record.readBigUInt64LE(32));
    length = Number(record.readBigUInt64LE(40));
    offset = Number(record.readBigUInt64LE(48));
  }
  if (offset + length > size)
    reject(
      file,
      `the zip archive's directory lies beyond the end of the file (at ${offset} of ${size} bytes): the file is ` +
        `truncated or damaged; expected a complete Excel .xlsx workbook`,
    );
  return { offset, length, parts };
}

/** The central directory's records. Sizes the ZIP64 extra field carries replace their 0xFFFFFFFF placeholders. */
function readParts(cd: Buffer, count: number, file: string): Part[] {
  const parts: Part[] = [];
  let p = 0;
  for (let n = 0; n < count; n++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== CENTRAL)
      reject(
        file,
        `the zip archive's directory is damaged (record ${n + 1} of ${count} is unreadable); expected a complete ` +
          `Excel .xlsx workbook`,
      );
    const flags = cd.readUInt16LE(p + 8);
    const nameLength = cd.readUInt16LE(p + 28);
    const extraLength = cd.readUInt16LE(p + 30);
    const commentLength = cd.readUInt16LE(p + 32);
    const nameBytes = cd.subarray(p + 46, p + 46 + nameLength);
    const part: Part = {
      // Bit 11: UTF-8 names; otherwise CP437, of which workbook part names use only the ASCII half.
      name: nameBytes.toString(flags & 0x800 ? 'utf8' : 'latin1'),
      flags,
      method: cd.readUInt16LE(p + 10),
      crc: cd.readUInt32LE(p + 16),
      compressed: cd.readUInt32LE(p + 20),
      unzipped: cd.readUInt32LE(p + 24),
      localHeader: cd.readUInt32LE(p + 42),
    };
    const extra = cd.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength);
    for (let e = 0; e + 4 <= extra.length; e += 4 + extra.readUInt16LE(e + 2)) {
      if (extra.readUInt16LE(e) !== 0x0001) continue;
      let q = e + 4;
      const next = () => {
        if (q + 8 > extra.length)
          reject(
            file,
            `part ${part.name}'s ZIP64 sizes are cut short: the archive is damaged; expected a complete Excel .xlsx ` +
              `workbook`,
          );
        const v = Number(extra.readBigUInt64LE(q));
        q += 8;
        return v;
      };
      if (part.unzipped === 0xffffffff) part.unzipped = next();
      if (part.compressed === 0xffffffff) part.compressed = next();
      if (part.localHeader === 0xffffffff) part.localHeader = next();
    }
    parts.push(part);
    p += 46 + nameLength + extraLength + commentLength;
  }
  return parts;
}

/** What the directory declares, held to the limits before a single byte is inflated. */
function checkDeclared(parts: Part[], file: string, limits: WorkbookLimits): void {
  const cap = formatBytes(limits.unzippedBytes);
  let total = 0;
  for (const part of parts) {
    total += part.unzipped;
    if (total > limits.unzippedBytes) {
      const largest = parts.reduce((a, b) => (b.unzipped > a.unzipped ? b : a));
      reject(
        file,
        `expands to more than ${cap} once unzipped (${largest.name} alone declares ` +
          `${formatBytes(largest.unzipped)}); expected an Excel workbook of reasonable size (at most ${cap} ` +
          `unzipped, about one full sheet of report rows: split larger reports, or send them as CSV)`,
      );
    }
    if (part.unzipped > limits.ratioFloor && part.unzipped > limits.ratio * Math.max(part.compressed, 1)) {
      const ratio = Math.round(part.unzipped / Math.max(part.compressed, 1));
      reject(
        file,
        `part ${part.name} would expand ${ratio.toLocaleString('en-US')} times (from ${formatBytes(part.compressed)} ` +
          `to ${formatBytes(part.unzipped)}), as a zip bomb does; expected an Excel workbook of reasonable size ` +
          `(real workbooks compress about 2–15 times; at most ${limits.ratio} is accepted)`,
      );
    }
    if (part.flags & 0x1) reject(file, `part ${part.name} is encrypted; expected an unprotected Excel workbook`);
    if (part.method !== 0 && part.method !== 8)
      reject(
        file,
        `part ${part.name} uses zip compression method ${part.method}, which Excel never writes; expected an Excel ` +
          `workbook (parts stored or deflated)`,
      );
  }
  const names = new Set(parts.map((q) => q.name.replace(/^\//, '')));
  if (!names.has(WORKBOOK_PART)) {
    const some = parts
      .slice(0, 3)
      .map((q) => q.name)
      .join(', ');
    reject(
      file,
      `is a zip archive without ${WORKBOOK_PART}, so not an Excel workbook ` +
        `(${parts.length ? `it holds ${some}${parts.length > 3 ? ', …' : ''}` : 'it is empty'}: a .docx, .ods or ` +
        `plain .zip renamed .xlsx?); expected an Excel .xlsx workbook`,
    );
  }
}

/** Inflates one part as a stream, counting and checksumming; stops at the first byte beyond what it declares. */
async function verifyPart(path: string, fh: FileHandle, size: number, part: Part, file: string): Promise<void> {
  const damaged = (why: string) =>
    reject(
      file,
      `part ${part.name} is damaged (${why}); expected an intact Excel .xlsx workbook (save or download it again)`,
    );
  const header = await readAt(fh, part.localHeader, 30);
  if (header.length < 30 || header.readUInt32LE(0) !== LOCAL) damaged('its local header is missing');
  const start = part.localHeader + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  if (start + part.compressed > size) damaged('its data runs past the end of the file');
  if (part.method === 8 && part.compressed === 0) damaged('it holds no deflate data');

  let bytes = 0;
  let crc = 0;
  class Overflow extends Error {}
  const count = new Writable({
    write(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > part.unzipped) return done(new Overflow());
      crc = crc32(chunk, crc);
      done();
    },
  });
  const source =
    part.compressed > 0 ? createReadStream(path, { start, end: start + part.compressed - 1 }) : Readable.from([]);
  try {
    if (part.method === 8) await pipeline(source, zlib.createInflateRaw(), count);
    else await pipeline(source, count);
  } catch (e) {
    if (e instanceof Overflow) {
      reject(
        file,
        `part ${part.name} holds more than the ${formatBytes(part.unzipped)} its directory declares (stopped ` +
          `there): the archive is crafted to hide its size or damaged; expected an Excel workbook of reasonable ` +
          `size`,
      );
    }
    damaged((e as Error).message);
  }
  if (bytes !== part.unzipped) damaged(`it declares ${part.unzipped} bytes but holds ${bytes}`);
  if (crc >>> 0 !== part.crc) damaged('its checksum does not match its content');
}

/** Node ≥ 20.15 computes CRC-32 natively; the table below serves the Node 20 releases before it. */
const CRC_TABLE = Int32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});

export function crc32Portable(data: Uint8Array, previous = 0): number {
  let c = ~previous;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

const crc32: (data: Uint8Array, previous: number) => number =
  typeof zlib.crc32 === 'function' ? zlib.crc32 : crc32Portable;

/**
 * Throws FileRejected, naming the file and what was expected, unless `path` is a zip archive holding an Excel
 * workbook whose parts unzip, all together, within the limits, and hold exactly what they declare.
 */
export async function checkWorkbookZip(
  path: string,
  file: string,
  limits: WorkbookLimits = WORKBOOK_LIMITS,
): Promise<void> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    if (size === 0) reject(file, 'the file is empty; expected an Excel .xlsx workbook');
    const head = await readAt(fh, 0, 512);
    const signature = head.length >= 4 ? head.readUInt32LE(0) : 0;
    if (signature !== LOCAL && signature !== EOCD) reject(file, notAZip(head));
    if (size > limits.unzippedBytes)
      reject(
        file,
        `is ${formatBytes(size)}; expected an Excel workbook of reasonable size (at most ` +
          `${formatBytes(limits.unzippedBytes)}): split larger reports, or send them as CSV`,
      );
    const { offset, length, parts: count } = await directory(fh, size, file);
    if (count > limits.parts)
      reject(
        file,
        `holds ${count.toLocaleString('en-US')} zip parts; expected an Excel workbook of reasonable size (at most ` +
          `${limits.parts.toLocaleString('en-US')} parts)`,
      );
    const parts = readParts(await readAt(fh, offset, length), count, file);
    checkDeclared(parts, file, limits);
    for (const part of parts) await verifyPart(path, fh, size, part, file);
  } finally {
    await fh.close();
  }
}
