import assert from 'node:assert/strict';
import type { Database } from '../../../src/infra/database.js';
import { migrateDown, migrateUp, migrationStatus } from '../../../src/infra/migrations.js';
import { freshEmbedded, freshPostgres, postgresUnreachable, requireService, type TestDatabase } from '../../support/services.js';

async function userTables(database: Database): Promise<string[]> {
  const { rows } = await database.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'schema_migrations' ORDER BY 1",
  );
  return rows.map((row) => row.table_name);
}

function roundTrip(open: () => Promise<TestDatabase>) {
  let db: TestDatabase;
  before(async () => (db = await open()));
  after(() => db?.drop());

  it('applies every migration, undoes them one by one, and applies them again', async () => {
    const { database } = db;
    const before = await migrationStatus(database);
    assert.equal(before.current, 0);
    assert.ok(before.latest > 0, 'the project has migrations');

    const applied = await migrateUp(database);
    assert.deepEqual(applied, before.migrations.map((m) => m.version));
    const tables = await userTables(database);
    assert.ok(tables.length > 0);
    assert.deepEqual(await migrateUp(database), [], 'a second run applies nothing');

    for (let version = before.latest; version > 0; version = (await migrationStatus(database)).current) {
      assert.equal(await migrateDown(database), version);
    }
    assert.deepEqual(await userTables(database), [], 'every down migration removes what its up created');
    assert.equal(await migrateDown(database), undefined);

    await migrateUp(database);
    assert.deepEqual(await userTables(database), tables);
    assert.ok((await migrationStatus(database)).migrations.every((m) => m.applied));
  });

  it('lets concurrent migrators apply each migration exactly once', async () => {
    const { database } = db;
    while ((await migrationStatus(database)).current > 0) await migrateDown(database);
    const results = await Promise.all([migrateUp(database), migrateUp(database), migrateUp(database)]);
    const appliedVersions = results.flat().sort((a, b) => a - b);
    assert.deepEqual(appliedVersions, (await migrationStatus(database)).migrations.map((m) => m.version));
  });
}

describe('migrations on PostgreSQL', () => {
  requireService('PostgreSQL', postgresUnreachable);
  roundTrip(() => freshPostgres({ migrate: false }));
});

describe('migrations on the embedded PGlite', () => {
  roundTrip(() => freshEmbedded({ migrate: false }));
});
