// Schema migrations: ordered SQL files in migrations/ (`NNN.do.<name>.sql` up and
// `NNN.undo.<name>.sql` down), applied by postgrator. The whole run happens in one transaction
// holding an advisory lock, so two pods starting together migrate once, and a failing migration
// leaves the schema exactly as it was (PostgreSQL DDL is transactional).
import Postgrator from 'postgrator';
import path from 'node:path';
import type { Database, Queryable } from './database.js';
import { projectRoot } from './projectRoot.js';

/** Arbitrary but fixed: the advisory lock key every instance takes before migrating. */
const MIGRATION_LOCK_KEY = 7012_0001;

export interface MigrationStatus {
  current: number;
  latest: number;
  migrations: { version: number; name: string; applied: boolean }[];
}

function postgratorOn(connection: Queryable): Postgrator {
  return new Postgrator({
    driver: 'pg',
    schemaTable: 'schema_migrations',
    migrationPattern: path.join(projectRoot(), 'migrations', '*.sql'),
    execQuery: (sql) => connection.query(sql),
    execSqlScript: async (sql) => {
      await connection.query(sql);
    },
  });
}

async function locked<T>(database: Database, work: (migrator: Postgrator) => Promise<T>): Promise<T> {
  return database.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    return work(postgratorOn(tx));
  });
}

/** Applies every pending migration; returns the versions applied. */
export async function migrateUp(database: Database): Promise<number[]> {
  return locked(database, async (migrator) => (await migrator.migrate('max')).map((m) => m.version));
}

/** Undoes the most recent migration (one step); returns the version undone, if any. */
export async function migrateDown(database: Database): Promise<number | undefined> {
  return locked(database, async (migrator) => {
    const current = await migrator.getDatabaseVersion();
    if (current === 0) return undefined;
    const versions = [...new Set((await migrator.getMigrations()).map((m) => m.version))].sort((a, b) => a - b);
    const previous = versions.filter((v) => v < current).pop() ?? 0;
    await migrator.migrate(String(previous).padStart(3, '0'));
    return current;
  });
}

export async function migrationStatus(database: Database): Promise<MigrationStatus> {
  return locked(database, async (migrator) => {
    const current = await migrator.getDatabaseVersion();
    const ups = (await migrator.getMigrations()).filter((m) => m.action === 'do').sort((a, b) => a.version - b.version);
    return {
      current,
      latest: ups.length ? ups[ups.length - 1].version : 0,
      migrations: ups.map((m) => ({ version: m.version, name: m.name, applied: m.version <= current })),
    };
  });
}
