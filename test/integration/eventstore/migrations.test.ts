import assert from 'node:assert/strict';
import { migrateDown, migrateUp } from '../../../src/infra/migrations.js';
import { freshPostgres, postgresUnreachable, requireService, type TestDatabase } from '../../support/services.js';

const OWN_TABLES = ['event_streams', 'events', 'command_results', 'projection_checkpoints'];

async function tables(test: TestDatabase): Promise<string[]> {
  const { rows } = await test.database.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ANY($1) ORDER BY 1`,
    [OWN_TABLES],
  );
  return rows.map((row) => row.name);
}

describe('event store migrations (001-003)', () => {
  requireService('PostgreSQL', postgresUnreachable);
  it('go down step by step to nothing and up again', async function () {
    this.timeout(60_000);
    const test = await freshPostgres();
    try {
      assert.deepEqual(await tables(test), [...OWN_TABLES].sort());
      while ((await migrateDown(test.database)) !== undefined);
      assert.deepEqual(await tables(test), []);
      const { rows } = await test.database.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_proc WHERE proname = 'eventstore_append'");
      assert.equal(rows[0].n, 0, 'the append function is dropped too');
      await migrateUp(test.database);
      assert.deepEqual(await tables(test), [...OWN_TABLES].sort());
    } finally {
      await test.drop();
    }
  });
});
