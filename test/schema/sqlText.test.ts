/**
 * The quoting of SQL text Kysely cannot say, and a file's SHA-256: what DuckDB reads back is exactly the text quoted,
 * whatever quotes it holds, and the hash of a file of several chunks is the hash of its bytes.
 */
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { sha256File } from '../../schema/fileHash.ts';
import { sqlIdentifier, sqlLiteral } from '../../schema/sqlText.ts';
import { cleanupTemp, freshWarehouse, tempDir, writeFile } from '../helpers.ts';

afterAll(cleanupTemp);

describe('SQL text', () => {
  it('a literal and an identifier holding quotes, backslashes and Vietnamese read back unchanged in DuckDB', async () => {
    const w = await freshWarehouse();
    for (const text of ["it's", "''", '"quoted"', 'a\\b', 'Đồng Nai; DROP TABLE facts; --', '/tmp/x y/báo cáo.csv']) {
      const rows = await w.sql<Record<string, string>>(`SELECT ${sqlLiteral(text)} AS ${sqlIdentifier(text)}`);
      expect(rows).toEqual([{ [text]: text }]);
    }
  });
});

describe('sha256File', () => {
  it('is the SHA-256 of the bytes, for an empty file and one of several 1 MiB chunks', async () => {
    const dir = tempDir();
    const big = Buffer.alloc(3 * (1 << 20) + 7, 'báo cáo ');
    for (const [name, bytes] of [
      ['empty', Buffer.alloc(0)],
      ['big', big],
    ] as const) {
      expect(await sha256File(writeFile(dir, name, bytes))).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
  });
});
