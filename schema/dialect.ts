/**
 * A small Kysely dialect over `@duckdb/node-api`: Postgres' SQL compiler and adapter (DuckDB speaks its `$1`
 * parameters and `RETURNING`), and a pool of connections on one DuckDB instance. `kysely-duckdb` opens a
 * connection per query; keeping them measured faster here (docs/architecture.md).
 *
 * Values come back JSON-safe, converted once here rather than in every resolver: BIGINT and DECIMAL as numbers,
 * DATE as `YYYY-MM-DD`, TIMESTAMP as ISO strings.
 */
import type { DuckDBConnection, DuckDBInstance, DuckDBValue } from '@duckdb/node-api';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';

export function toJsValue(value: unknown, typeName: string): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) {
    // Inside a LIST or STRUCT the type name is the container's; a date at midnight UTC is taken as a DATE.
    const iso = value.toISOString();
    return typeName === 'DATE' || (typeName !== 'TIMESTAMP' && iso.endsWith('T00:00:00.000Z')) ? iso.slice(0, 10) : iso;
  }
  if (Array.isArray(value)) return value.map((v) => toJsValue(v, typeName));
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, toJsValue(v, typeName)]),
    );
  }
  return value;
}

/** Runs one statement and returns its rows as plain objects. Shared by the Kysely driver and raw bulk SQL. */
const TRACE = Boolean(process.env.PCMBN_TRACE);

export async function runRows<R = Record<string, unknown>>(
  conn: DuckDBConnection,
  sql: string,
  params: readonly unknown[] = [],
): Promise<{ rows: R[]; changed: number }> {
  const started = TRACE ? performance.now() : 0;
  const result = await conn.runAndReadAll(sql, params.length ? (params as DuckDBValue[]) : undefined);
  // PCMBN_TRACE=1 prints every statement's time to stderr: the first tool when a load or a query is slow.
  if (TRACE)
    process.stderr.write(
      `[sql ${(performance.now() - started).toFixed(1)} ms] ${sql.replace(/\s+/g, ' ').slice(0, 100)}\n`,
    );
  const names = result.columnNames();
  const types = result.columnTypes().map(String);
  const raw = result.getRowsJS();
  const rows = raw.map((r) => {
    const o: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) o[names[i]] = toJsValue(r[i], types[i]);
    return o as R;
  });
  return { rows, changed: Number(result.rowsChanged ?? 0) };
}

class DuckDBKyselyConnection implements DatabaseConnection {
  constructor(readonly conn: DuckDBConnection) {}

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const { rows, changed } = await runRows<R>(this.conn, compiled.sql, compiled.parameters.map(toDuckParam));
    const kind = compiled.query.kind;
    const isWrite =
      kind === 'InsertQueryNode' ||
      kind === 'UpdateQueryNode' ||
      kind === 'DeleteQueryNode' ||
      kind === 'MergeQueryNode';
    // A raw statement (`sql\`…\`.execute`) may be a write too: the bulk statements of a load count what they changed.
    return isWrite || kind === 'RawNode' ? { rows, numAffectedRows: BigInt(changed) } : { rows };
  }

  async *streamQuery<R>(compiled: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    yield await this.executeQuery<R>(compiled);
  }
}

function toDuckParam(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string' || typeof v === 'bigint' || v === null)
    return v;
  if (v === undefined) return null;
  return JSON.stringify(v);
}

/** A fixed-size pool: DuckDB connections are cheap, but each holds its own transaction state. */
class DuckDBDriver implements Driver {
  private idle: DuckDBKyselyConnection[] = [];
  private waiting: ((c: DuckDBKyselyConnection) => void)[] = [];
  private created = 0;

  constructor(
    private readonly instance: DuckDBInstance,
    private readonly size: number,
  ) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const idle = this.idle.pop();
    if (idle) return idle;
    if (this.created < this.size) {
      this.created++;
      return new DuckDBKyselyConnection(await this.instance.connect());
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const next = this.waiting.shift();
    if (next) next(connection as DuckDBKyselyConnection);
    else this.idle.push(connection as DuckDBKyselyConnection);
  }

  async beginTransaction(connection: DatabaseConnection, _settings: TransactionSettings): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('BEGIN TRANSACTION'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('COMMIT'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('ROLLBACK'));
  }

  async destroy(): Promise<void> {
    for (const c of this.idle) c.conn.closeSync();
    this.idle = [];
  }
}

export class DuckDBDialect implements Dialect {
  constructor(
    private readonly instance: DuckDBInstance,
    private readonly poolSize = 8,
  ) {}
  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver() {
    return new DuckDBDriver(this.instance, this.poolSize);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
  createIntrospector(db: Kysely<any>) {
    return new PostgresIntrospector(db);
  }
}

/**
 * Always the one connection it was made with: the load's statements share a transaction and connection-local work
 * tables (the stage, the roll-up's work), so they cannot go through a pool.
 */
class OneConnectionDriver implements Driver {
  private readonly connection: DuckDBKyselyConnection;

  constructor(conn: DuckDBConnection) {
    this.connection = new DuckDBKyselyConnection(conn);
  }

  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    return this.connection;
  }
  async releaseConnection(): Promise<void> {}
  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('BEGIN TRANSACTION'));
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('COMMIT'));
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    // A failed COMMIT has ended the transaction already: the error to report is the one that got here, not this.
    await connection.executeQuery(CompiledQuery.raw('ROLLBACK')).catch(() => undefined);
  }
  /** The connection belongs to whoever opened it: closing it is theirs. */
  async destroy(): Promise<void> {}
}

/** A Kysely handle on one DuckDB connection (its transaction, its temp tables); the caller closes the connection. */
export function kyselyOn<DB>(conn: DuckDBConnection): Kysely<DB> {
  return new Kysely<DB>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new OneConnectionDriver(conn),
      createQueryCompiler: () => new PostgresQueryCompiler(),
      createIntrospector: (db) => new PostgresIntrospector(db),
    },
  });
}
