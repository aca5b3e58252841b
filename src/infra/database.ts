// The one small interface every SQL user goes through, with two adapters: a `pg` pool for a real
// PostgreSQL server, and PGlite (PostgreSQL compiled to WASM) in-process for a first run without
// servers. The same SQL runs on both.
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { mkdirSync } from 'node:fs';

export interface QueryResult<Row> {
  rows: Row[];
  rowCount: number;
}

/** Anything SQL can be sent to: the database itself, a transaction, or one dedicated connection. */
export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>>;
}

export interface Database extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `work` in one transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Runs `work` on one connection held for its whole duration, for session state such as
   * advisory locks. On PGlite there is only one session, so this is the database itself.
   */
  withConnection<T>(work: (connection: Queryable) => Promise<T>): Promise<T>;
  /** Calls `onNotify` for each NOTIFY on `channel`; resolves to a function that stops listening. */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface PostgresOptions {
  host: string;
  port: number;
  database: string;
  user: string;
  password?: string;
  maxConnections: number;
  idleConnections: number;
  /** Give up connecting after this long, so a dead server fails a query instead of hanging it. */
  connectTimeoutMs?: number;
  /** Per-statement limit; 0 disables. */
  statementTimeoutMs?: number;
}

// Postgres returns int8 and numeric as strings to avoid precision loss. Our int8 values (global
// positions, transaction ids, counts) stay far below 2^53, so parse them as numbers everywhere.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export function connectPostgres(options: PostgresOptions): Database {
  const pool = new pg.Pool({
    host: options.host,
    port: options.port,
    database: options.database,
    user: options.user,
    password: options.password,
    max: options.maxConnections,
    // pg keeps every connection until idle for idleTimeoutMillis; there is no "min idle" setting,
    // so idle_connections maps to how long an idle connection is kept (longer for more).
    idleTimeoutMillis: Math.max(1, options.idleConnections) * 1000,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    statement_timeout: options.statementTimeoutMs || undefined,
  });
  // An idle client that loses its server emits 'error' on the pool; without a listener the
  // process would crash. The next query reconnects, so there is nothing more to do here.
  pool.on('error', () => undefined);

  const asQueryable = (client: pg.Pool | pg.PoolClient): Queryable => ({
    async query<Row>(sql: string, params?: readonly unknown[]) {
      const result = await client.query(sql, params as unknown[] | undefined);
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
    },
  });

  // A checked-out client whose server goes away emits 'error'; unhandled, that would crash the
  // process. The query in flight fails anyway, which is how the caller learns of it.
  const guarded = new WeakSet<pg.PoolClient>();
  const withClient = async <T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    if (!guarded.has(client)) {
      guarded.add(client);
      client.on('error', () => undefined);
    }
    let broken: Error | undefined;
    try {
      return await work(client);
    } catch (error) {
      broken = error as Error;
      throw error;
    } finally {
      // A client whose work failed may be mid-transaction or disconnected: discard it.
      client.release(broken);
    }
  };

  return {
    kind: 'postgres',
    query: asQueryable(pool).query,
    transaction: (work) =>
      withClient(async (client) => {
        await client.query('BEGIN');
        try {
          const result = await work(asQueryable(client));
          await client.query('COMMIT');
          return result;
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
      }),
    withConnection: (work) => withClient((client) => work(asQueryable(client))),
    async listen(channel, onNotify) {
      const client = new pg.Client({
        host: options.host,
        port: options.port,
        database: options.database,
        user: options.user,
        password: options.password,
        connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      });
      client.on('error', () => undefined);
      await client.connect();
      client.on('notification', (message) => {
        if (message.channel === channel) onNotify(message.payload ?? '');
      });
      await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      return async () => {
        await client.end().catch(() => undefined);
      };
    },
    close: () => pool.end(),
  };
}

/** Serialises async work: PGlite has one session, so one statement or transaction at a time. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

/** Opens the embedded database persisted under `dataDir` (`memory://` keeps it in memory). */
export async function openEmbedded(dataDir: string): Promise<Database> {
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const lite = await PGlite.create(dataDir);
  const mutex = new Mutex();

  // PGlite's query() takes one statement with parameters; a migration file has many statements
  // and no parameters, which is what exec() runs.
  type Runner = Pick<PGlite, 'query' | 'exec'>;
  const query = async <Row>(runner: Runner, sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> => {
    if ((!params || params.length === 0) && /;\s*\S/.test(sql)) {
      const results = await runner.exec(sql);
      const last = results[results.length - 1];
      return { rows: (last?.rows ?? []) as Row[], rowCount: last?.affectedRows ?? 0 };
    }
    const result = await runner.query<Row>(sql, params as unknown[] | undefined);
    return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
  };

  const database: Database = {
    kind: 'pglite',
    query: (sql, params) => mutex.run(() => query(lite, sql, params)),
    transaction: (work) =>
      mutex.run(() =>
        lite.transaction((tx) => work({ query: (sql, params) => query(tx, sql, params) })),
      ),
    withConnection: (work) => work(database),
    async listen(channel, onNotify) {
      const unsubscribe = await lite.listen(channel, onNotify);
      return async () => {
        await unsubscribe();
      };
    },
    close: () => mutex.run(() => lite.close()),
  };
  return database;
}
