/**
 * Quoting for the few statements Kysely cannot say and DuckDB takes no parameter in: the path of `read_csv` or of
 * `COPY … TO`, a `read_csv` column list, a table name of our own. Only for text we control (our paths, our names);
 * values from users always travel as parameters (docs/architecture.md, the SQL rule).
 */

/** A SQL string literal: `it's` → `'it''s'`. */
export function sqlLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** A quoted SQL identifier: `my "table"` → `"my ""table"""`. */
export function sqlIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
