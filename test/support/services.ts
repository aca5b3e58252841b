// Real services for integration tests. Each suite gets a fresh PostgreSQL database (created from
// scratch, migrated, dropped afterwards) so suites never see each other's rows. When a server is
// unreachable the suite is skipped with the reason printed — except under CI=true, where that is
// a failure: CI must test against the real servers.
import pg from 'pg';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { connectPostgres, openEmbedded, type Database } from '../../src/infra/database.js';
import { migrateUp } from '../../src/infra/migrations.js';

export const PG = {
  host: process.env.TEST_DB_HOST ?? '127.0.0.1',
  port: Number(process.env.TEST_DB_PORT ?? 5432),
  user: process.env.TEST_DB_USER ?? 'postgres',
  password: process.env.TEST_DB_PASSWORD,
};
export const REDIS = { host: process.env.TEST_REDIS_HOST ?? '127.0.0.1', port: Number(process.env.TEST_REDIS_PORT ?? 6379) };

const inCI = process.env.CI === 'true';

async function reachable(check: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await check();
    return undefined;
  } catch (error) {
    return (error as Error).message || String(error);
  }
}

export async function postgresUnreachable(): Promise<string | undefined> {
  return reachable(async () => {
    const client = new pg.Client({ ...PG, database: 'postgres', connectionTimeoutMillis: 2000 });
    await client.connect();
    await client.end();
  });
}

export async function redisUnreachable(): Promise<string | undefined> {
  return reachable(async () => {
    const redis = new Redis({ ...REDIS, lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000, retryStrategy: () => null });
    try {
      await redis.connect();
      await redis.ping();
    } finally {
      redis.disconnect();
    }
  });
}

/**
 * Call at the top of a `describe` needing a server: skips the suite (printing why) when the server
 * is down, or fails it under CI=true.
 */
export function requireService(name: 'PostgreSQL' | 'Redis', probe: () => Promise<string | undefined>): void {
  before(async function () {
    const problem = await probe();
    if (!problem) return;
    if (inCI) throw new Error(`${name} is unreachable under CI=true: ${problem}`);
    console.log(`      skipped: ${name} is unreachable (${problem}); start it or run .ci/run`);
    this.skip();
  });
}

export interface TestDatabase {
  database: Database;
  name: string;
  drop(): Promise<void>;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ ...PG, database: 'postgres' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated PostgreSQL database of its own. */
export async function freshPostgres(options: { migrate?: boolean; maxConnections?: number } = {}): Promise<TestDatabase> {
  const name = `paiban_test_${randomBytes(5).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  const database = connectPostgres({ ...PG, database: name, maxConnections: options.maxConnections ?? 20, idleConnections: 1 });
  if (options.migrate !== false) await migrateUp(database);
  return {
    database,
    name,
    async drop() {
      await database.close().catch(() => undefined);
      await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/** A fresh, migrated in-memory PGlite database. */
export async function freshEmbedded(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const database = await openEmbedded('memory://');
  if (options.migrate !== false) await migrateUp(database);
  return { database, name: 'memory', drop: () => database.close() };
}

/** Connection settings of a fresh database, for tests that start the service as a process. */
export function postgresEnv(name: string): Record<string, string> {
  return { DB_HOST: PG.host, DB_PORT: String(PG.port), DB_NAME: name, DB_USER: PG.user, ...(PG.password ? { DB_PASSWORD: PG.password } : {}) };
}
