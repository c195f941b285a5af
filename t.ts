import { openWarehouse } from './schema/warehouse.ts';
import { loadFiles } from './etl/load.ts';
import { formatIssue } from './etl/issues.ts';
const w = await openWarehouse('/tmp/l1.duckdb');
for (let k = 0; k < 2; k++) {
const r = await loadFiles(w, ['/tmp/l1'], { baseDir: '/tmp' });
console.log({ ...r, files: undefined });
for (const f of r.files) { console.log(f.name, f.status, f.rows, f.errors); for (const i of f.issues) console.log('  ', formatIssue(i)); }
}
console.log(await w.sql('select * from facts'));
await w.close();
