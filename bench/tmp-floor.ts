import { rmSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { expandPaths } from '../etl/load.ts';
const files = expandPaths(['/tmp/bx/official/sample']);
const list = `[${files.map((f) => `'${f}'`).join(', ')}]`;
const cols = `{'unit_code': 'VARCHAR', 'period': 'VARCHAR', 'indicator': 'VARCHAR', 'sex': 'VARCHAR', 'age_group': 'VARCHAR', 'value': 'BIGINT', 'submitted_on': 'DATE'}`;
const variants: Record<string, string[]> = {
  typed_checkpoint: [`CREATE TABLE raw AS SELECT * FROM read_csv(${list}, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', columns = ${cols})`, 'CHECKPOINT'],
  typed_nocheckpoint: [`CREATE TABLE raw AS SELECT * FROM read_csv(${list}, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', columns = ${cols})`],
  varchar: [`CREATE TABLE raw AS SELECT * FROM read_csv(${list}, header = true, all_varchar = true)`, 'CHECKPOINT'],
  memory_count: [`SELECT count(*) FROM read_csv(${list}, header = true, auto_detect = false, columns = ${cols})`],
};
for (const [name, stmts] of Object.entries(variants)) {
  const path = '/tmp/bx/floor-test.duckdb';
  rmSync(path, { force: true }); rmSync(path + '.wal', { force: true });
  const inst = await DuckDBInstance.create(path);
  const c = await inst.connect();
  const t = performance.now();
  for (const s of stmts) await c.run(s);
  console.log(name, ((performance.now() - t) / 1000).toFixed(1), 's');
  c.closeSync(); inst.closeSync();
}
rmSync('/tmp/bx/floor-test.duckdb', { force: true });
