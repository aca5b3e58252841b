import assert from 'node:assert/strict';
import type { Database } from '../../../src/infra/database.js';
import type { EventStore } from '../../../src/infra/eventstore/eventStore.js';
import { sqlEventStore } from '../../../src/infra/eventstore/sqlEventStore.js';
import { silentLogger } from '../../../src/infra/logger.js';
import { lineProgress } from '../../../src/projections/progress.js';
import type { Projection } from '../../../src/projections/projection.js';
import { ReplayError, runReplay, selectProjections } from '../../../src/projections/replay.js';
import { startProjectionRunner } from '../../../src/projections/runner.js';
import { freshEmbedded, freshPostgres, postgresUnreachable, requireService, type TestDatabase } from '../../support/services.js';
import { CREATE_TIP_TOTALS, appendTips, readTotals, tipTotals, waitForApplied, type Totals } from './tipTotals.js';

const projectionNamed = (name: string): Projection => ({ name, tables: [], apply: async () => undefined });

describe('replay: choosing projections', () => {
  const known = [projectionNamed('roster'), projectionNamed('dispatch')];
  it('selects one by name, or every one with "all"', () => {
    assert.deepEqual(selectProjections(known, ['dispatch']).map((p) => p.name), ['dispatch']);
    assert.deepEqual(selectProjections(known, ['all']).map((p) => p.name), ['roster', 'dispatch']);
  });
  it('refuses an unknown name and lists the known ones', () => {
    assert.throws(() => selectProjections(known, ['rooster']), (error: Error) => error instanceof ReplayError && /rooster.*roster, dispatch, or all/.test(error.message));
  });
});

describe('replay on PostgreSQL: rebuild into fresh tables and swap while serving', function () {
  requireService('PostgreSQL', postgresUnreachable);
  let test: TestDatabase;
  let database: Database;
  let store: EventStore;

  beforeEach(async () => {
    test = await freshPostgres();
    database = test.database;
    store = sqlEventStore(database);
    await database.query(CREATE_TIP_TOTALS);
    // Named as a migration would; later migrations may refer to these names.
    await database.query('CREATE INDEX tip_totals_by_total ON tip_totals (total) WHERE tips > 0');
    await database.query('ALTER TABLE tip_totals ADD CONSTRAINT tip_totals_tips_unique_per_total UNIQUE (stream_id, tips)');
  });
  afterEach(() => test.drop());

  const indexNames = async () =>
    (await database.query<{ name: string }>("SELECT indexname AS name FROM pg_indexes WHERE tablename = 'tip_totals' ORDER BY 1")).rows.map((row) => row.name);

  it('repairs a damaged read model while the runner, writers and readers keep going', async function () {
    this.timeout(30_000);
    const runner = startProjectionRunner({ database, eventStore: store, projection: tipTotals(), logger: silentLogger(), pollIntervalMs: 100 });
    try {
      const expected: Totals = await appendTips(store, 400, ['jar-a', 'jar-b', 'jar-c', 'jar-d']);
      await waitForApplied(database, 400);
      // A projector bug damaged the read model; the events are intact.
      await database.query("UPDATE tip_totals SET total = 0 WHERE stream_id = 'jar-b'");

      let writing = true;
      const writer = (async () => {
        while (writing) await appendTips(store, 5, ['jar-a', 'jar-e'], expected);
      })();
      let reads = 0;
      let reading = true;
      const readerErrors: unknown[] = [];
      const reader = (async () => {
        while (reading) {
          await database.query('SELECT count(*) FROM tip_totals').then(() => reads++, (error: unknown) => readerErrors.push(error));
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      })();

      const lines: string[] = [];
      const [result] = await runReplay({ database, eventStore: store, projections: [tipTotals()], names: ['tip_totals'], progress: lineProgress((line) => lines.push(line), 0), batchSize: 50 });
      writing = false;
      await writer;
      reading = false;
      await reader;

      assert.equal(readerErrors.length, 0, `reads failed during the replay: ${String(readerErrors[0])}`);
      assert.ok(reads > 10, 'the read model was queried throughout');
      assert.ok(result.events >= 400);
      assert.match(lines[0], /^replay tip_totals: starting, \d+ events to apply$/);
      assert.ok(lines.some((line) => /^replay tip_totals: \d+\/\d+ events \(\d+%\)$/.test(line)));
      assert.match(lines[lines.length - 1], /^replay tip_totals: done, \d+ events applied$/);

      const total = Object.values(expected).reduce((sum, jar) => sum + jar.tips, 0);
      await waitForApplied(database, total);
      assert.deepEqual(await readTotals(database), expected);
      assert.deepEqual(await indexNames(), ['tip_totals_by_total', 'tip_totals_pkey', 'tip_totals_tips_unique_per_total'], 'the rebuilt table keeps the index names');
      const { rows } = await database.query<{ n: number }>("SELECT count(*)::int AS n FROM information_schema.schemata WHERE schema_name LIKE 'replay_%'");
      assert.equal(rows[0].n, 0, 'the replay schema is gone');
    } finally {
      await runner.stop();
    }
  });
});

describe('replay on PGlite', () => {
  it('rebuilds and sets the checkpoint so a runner continues after it', async () => {
    const test = await freshEmbedded();
    try {
      const store = sqlEventStore(test.database);
      await test.database.query(CREATE_TIP_TOTALS);
      const expected = await appendTips(store, 50, ['jar-a', 'jar-b']);
      await test.database.query("INSERT INTO tip_totals VALUES ('jar-ghost', 1, 1)");
      const [result] = await runReplay({ database: test.database, eventStore: store, projections: [tipTotals()], names: ['all'], progress: lineProgress(() => undefined) });
      assert.equal(result.events, 50);
      assert.deepEqual(await readTotals(test.database), expected);
      const more = await appendTips(store, 10, ['jar-c'], expected);
      const runner = startProjectionRunner({ database: test.database, eventStore: store, projection: tipTotals(), logger: silentLogger(), pollIntervalMs: 50 });
      try {
        await waitForApplied(test.database, 60);
        assert.deepEqual(await readTotals(test.database), more);
      } finally {
        await runner.stop();
      }
    } finally {
      await test.drop();
    }
  });
});
