import assert from 'node:assert/strict';
import type { Database } from '../../../src/infra/database.js';
import type { EventStore, RecordedEvent } from '../../../src/infra/eventstore/eventStore.js';
import { sqlEventStore } from '../../../src/infra/eventstore/sqlEventStore.js';
import { silentLogger } from '../../../src/infra/logger.js';
import { registry } from '../../../src/infra/metrics.js';
import { startProjectionRunner, type ProjectionRunner } from '../../../src/projections/runner.js';
import { freshEmbedded, freshPostgres, postgresUnreachable, requireService, type TestDatabase } from '../../support/services.js';
import { CREATE_TIP_TOTALS, appendTips, readTotals, tipTotals, tipTotalsBatched, waitForApplied } from './tipTotals.js';

async function metricValue(name: string, projection: string): Promise<number | undefined> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  return metric?.values.find((v) => v.labels.projection === projection)?.value;
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function runnerSuite(label: string, open: () => Promise<TestDatabase>, options: { multiConnection: boolean }) {
  describe(`projection runner on ${label}`, function () {
    if (options.multiConnection) requireService('PostgreSQL', postgresUnreachable);
    let test: TestDatabase;
    let database: Database;
    let store: EventStore;
    const runners: ProjectionRunner[] = [];
    const start = (projection = tipTotals(), extra: { standbyRetryMs?: number; batchSize?: number } = {}) => {
      const runner = startProjectionRunner({ database, eventStore: store, projection, logger: silentLogger(), pollIntervalMs: 200, ...extra });
      runners.push(runner);
      return runner;
    };

    before(async function () {
      this.timeout(60_000);
      test = await open();
      database = test.database;
      store = sqlEventStore(database);
      await database.query(CREATE_TIP_TOTALS);
    });
    after(() => test?.drop());
    // One database per suite (creating one is slow); each test starts from empty tables.
    beforeEach(() => database.query('TRUNCATE events, event_streams, tip_totals, projection_checkpoints'));
    afterEach(async () => {
      await Promise.all(runners.splice(0).map((runner) => runner.stop()));
    });

    it('applies every event once with its checkpoint, reports metrics, then calls the after-commit hook', async () => {
      const committedBeforeHook: number[] = [];
      const hooked: RecordedEvent[] = [];
      const projection = tipTotals({
        afterCommit: async (events) => {
          // The hook must see the batch already committed (a cache refill would read it).
          const { rows } = await database.query<{ n: number | string }>("SELECT events_applied AS n FROM projection_checkpoints WHERE projection = 'tip_totals'");
          committedBeforeHook.push(Number(rows[0].n));
          hooked.push(...events);
        },
      });
      const expected = await appendTips(store, 120, ['jar-a', 'jar-b', 'jar-c']);
      start(projection, { batchSize: 50 });
      await waitForApplied(database, 120);
      await until(() => hooked.length === 120, 5000, 'after-commit hooks');
      assert.deepEqual(await readTotals(database), expected);
      assert.deepEqual(committedBeforeHook, [50, 100, 120]);
      // Live: an append is picked up without waiting for a restart.
      const more = await appendTips(store, 5, ['jar-a'], expected);
      await waitForApplied(database, 125);
      assert.deepEqual(await readTotals(database), more);
      const head = await store.head();
      await until(() => hooked.length === 125, 5000, 'after-commit hooks');
      assert.equal(await metricValue('projection_checkpoint', 'tip_totals'), head.position);
      assert.equal(await metricValue('projection_lag_events', 'tip_totals'), 0);
    });

    it('a projection with applyBatch gets each batch once, in one statement', async () => {
      const expected = await appendTips(store, 75, ['jar-a', 'jar-b']);
      start(tipTotalsBatched(), { batchSize: 20 });
      await waitForApplied(database, 75);
      assert.deepEqual(await readTotals(database), expected);
    });

    it('a batch that fails rolls back with its checkpoint and is applied once when retried', async () => {
      let failOnce = true;
      const projection = tipTotals({
        beforeApply: (event) => {
          if (event.version === 7 && failOnce) {
            failOnce = false;
            throw new Error('read model write failed');
          }
        },
      });
      const expected = await appendTips(store, 20, ['jar-x']);
      start(projection, { batchSize: 10 });
      await waitForApplied(database, 20);
      assert.equal(failOnce, false, 'the failure happened');
      assert.deepEqual(await readTotals(database), expected);
    });

    if (options.multiConnection) {
      it('one instance is active, the other a hot standby that takes over when it goes away', async () => {
        const first = start(tipTotals(), { standbyRetryMs: 100 });
        await until(() => first.role === 'active', 5000, 'an active runner');
        const second = start(tipTotals(), { standbyRetryMs: 100 });
        await until(() => second.role === 'standby', 5000, 'a standby');
        const expected = await appendTips(store, 60, ['jar-a', 'jar-b']);
        await waitForApplied(database, 60);
        assert.equal(second.role, 'standby');
        await first.stop();
        await until(() => second.role === 'active', 5000, 'the standby to take over');
        const more = await appendTips(store, 40, ['jar-b', 'jar-c'], expected);
        await waitForApplied(database, 100);
        assert.deepEqual(await readTotals(database), more);
      });

      it('a killed lock connection hands the projection to the standby without double-applying', async () => {
        const first = start(tipTotals(), { standbyRetryMs: 100 });
        await until(() => first.role === 'active', 5000, 'an active runner');
        const second = start(tipTotals(), { standbyRetryMs: 100 });
        await until(() => second.role === 'standby', 5000, 'a standby');
        const expected = await appendTips(store, 30, ['jar-a']);
        await waitForApplied(database, 30);
        // Kill the session holding the projection lock, as a network cut would.
        const killed = await database.query<{ done: boolean }>(
          `SELECT pg_terminate_backend(pid) AS done FROM pg_locks
            WHERE locktype = 'advisory' AND classid = 7013 AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        );
        assert.deepEqual(killed.rows, [{ done: true }], 'exactly one session held the projection lock');
        const more = await appendTips(store, 30, ['jar-a', 'jar-b'], expected);
        await waitForApplied(database, 60);
        await until(() => first.role === 'active' || second.role === 'active', 5000, 'a new active instance');
        assert.deepEqual(await readTotals(database), more);
      });
    }
  });
}

runnerSuite('PostgreSQL', () => freshPostgres(), { multiConnection: true });
runnerSuite('PGlite', () => freshEmbedded(), { multiConnection: false });
