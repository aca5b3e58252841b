import assert from 'node:assert/strict';
import bunyan from 'bunyan';
import { connectPostgres, type Database } from '../../../src/infra/database.js';
import { sqlEventStore } from '../../../src/infra/eventstore/sqlEventStore.js';
import { silentLogger, type Logger } from '../../../src/infra/logger.js';
import { registry } from '../../../src/infra/metrics.js';
import { loadConfig } from '../../../src/infra/config.js';
import {
  DEFAULT_RETENTION,
  nextDailyRun,
  parseDailyAt,
  runRetention,
  runRetentionCommand,
  runRetentionExclusive,
  startRetentionJob,
  type RetentionJob,
  type TableOutcome,
} from '../../../src/workers/retention.js';
import { PG, freshPostgres, postgresEnv, postgresUnreachable, requireService, type TestDatabase } from '../../support/services.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const NOW = new Date('2026-11-27T12:00:00Z');
const POLICY = { assignmentsDays: 365, serviceOrdersDays: 182 };

const INSERT_ASSIGNMENT = `
  INSERT INTO assignments (org_id, schedule_id, employee_id, day, date, shift_id, starts_at, ends_at, pinned, source, created_at)
  VALUES ('org-1', $1, $2, 0, '2025-01-01', 'early', '2025-01-01T06:00', '2025-01-01T14:00', false, 'solver', $3)`;

async function addAssignments(database: Database, schedule: string, count: number, ageDays: number, now = NOW): Promise<void> {
  for (let i = 0; i < count; i++) await database.query(INSERT_ASSIGNMENT, [schedule, `e${i}`, new Date(now.getTime() - ageDays * DAY_MS)]);
}

async function count(database: Database, sql: string): Promise<number> {
  const { rows } = await database.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${sql}) AS q`);
  return rows[0].n;
}

async function prunedMetric(table: string): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === 'retention_rows_pruned_total');
  return metric?.values.find((v) => v.labels.table === table)?.value ?? 0;
}

function outcome(tables: TableOutcome[], table: string): TableOutcome {
  const found = tables.find((t) => t.table === table);
  assert.ok(found, `no outcome for ${table}`);
  return found;
}

/** A logger whose records the test can read. */
function capturingLogger(): { logger: Logger; records: Array<Record<string, unknown>> } {
  const records: Array<Record<string, unknown>> = [];
  const logger = bunyan.createLogger({ name: 'test', level: 'info', streams: [{ type: 'raw', stream: { write: (r: object) => void records.push(r as Record<string, unknown>) } }] });
  return { logger, records };
}

describe('retention (PostgreSQL)', function () {
  requireService('PostgreSQL', postgresUnreachable);
  let test: TestDatabase;
  let database: Database;

  before(async function () {
    this.timeout(60_000);
    test = await freshPostgres();
    database = test.database;
  });
  after(() => test?.drop());
  beforeEach(() => database.query('TRUNCATE assignments, service_orders, events, event_streams CASCADE'));

  it('prunes assignments older than the policy in batches, keeps newer ones, and never touches events', async () => {
    await addAssignments(database, 'old', 7, 400);
    await addAssignments(database, 'edge', 2, 364);
    await addAssignments(database, 'new', 3, 10);
    await sqlEventStore(database).append('schedule-old', [{ type: 'ScheduleRequested', data: { orgId: 'org-1' }, metadata: {} }], { expectedVersion: 'no_stream' });
    const before = await prunedMetric('assignments');
    const { logger, records } = capturingLogger();

    const report = await runRetention({ database, logger, policy: POLICY, batchSize: 3, now: NOW });

    assert.deepEqual(outcome(report.tables, 'assignments'), {
      table: 'assignments',
      status: 'pruned',
      rows: 7,
      batches: 3, // 3 + 3 + 1: the short batch ends the loop
      cutoff: new Date(NOW.getTime() - 365 * DAY_MS).toISOString(),
    });
    assert.deepEqual(
      (await database.query<{ schedule_id: string; n: number }>('SELECT schedule_id, count(*)::int AS n FROM assignments GROUP BY 1 ORDER BY 1')).rows,
      [
        { schedule_id: 'edge', n: 2 },
        { schedule_id: 'new', n: 3 },
      ],
    );
    assert.equal(await count(database, 'SELECT 1 FROM events'), 1, 'events are never pruned');
    assert.equal((await prunedMetric('assignments')) - before, 7);
    const runLines = records.filter((r) => r.msg === 'retention run: rows pruned');
    assert.equal(runLines.length, 1, 'one summary line per run');
    assert.deepEqual(runLines[0].rows, { assignments: 7, service_orders: 0 });
  });

  it('prunes service orders older than 182 days', async () => {
    await database.query(
      `INSERT INTO service_orders (org_id, order_id, status, priority, location, time_windows, service_duration, required_skills, demand, version, created_at, updated_at)
       SELECT 'org-1', 'o' || i, 'completed', 1, '{"x":0,"y":0}', '[]', 30, '{}', 1, 1, $1::timestamptz - make_interval(days => i * 30), $1
         FROM generate_series(0, 9) AS i`,
      [NOW],
    );
    const report = await runRetention({ database, logger: silentLogger(), policy: POLICY, now: NOW });
    // Ages 0, 30, … 270 days: 210, 240 and 270 are past 182 days; 180 is not.
    assert.equal((outcome(report.tables, 'service_orders') as { rows: number }).rows, 3);
    assert.equal(await count(database, 'SELECT 1 FROM service_orders'), 7);
  });

  it('skips a missing table with a log line and still prunes the others', async () => {
    await addAssignments(database, 'old', 2, 400);
    // A database migrated before the dispatch read models existed.
    await database.query('ALTER TABLE service_orders RENAME TO service_orders_hidden');
    try {
      const { logger, records } = capturingLogger();
      const report = await runRetention({ database, logger, policy: POLICY, now: NOW });
      assert.deepEqual(outcome(report.tables, 'service_orders'), { table: 'service_orders', status: 'missing' });
      assert.ok(records.some((r) => r.table === 'service_orders' && String(r.msg).includes('does not exist')));
      assert.equal((outcome(report.tables, 'assignments') as { rows: number }).rows, 2);
    } finally {
      await database.query('ALTER TABLE service_orders_hidden RENAME TO service_orders');
    }
  });

  it('honours a configured age', async () => {
    await addAssignments(database, 'month-old', 4, 40);
    const report = await runRetention({ database, logger: silentLogger(), policy: { assignmentsDays: 30, serviceOrdersDays: 182 }, now: NOW });
    assert.equal((outcome(report.tables, 'assignments') as { rows: number }).rows, 4);
    assert.equal(await count(database, 'SELECT 1 FROM assignments'), 0);
  });

  it('dry run counts what would go and deletes nothing', async () => {
    await addAssignments(database, 'old', 5, 500);
    await addAssignments(database, 'new', 2, 1);
    const before = await prunedMetric('assignments');
    const report = await runRetention({ database, logger: silentLogger(), policy: POLICY, now: NOW, dryRun: true });
    assert.equal(report.dryRun, true);
    assert.equal(outcome(report.tables, 'assignments').status, 'would-prune');
    assert.equal((outcome(report.tables, 'assignments') as { rows: number }).rows, 5);
    assert.equal(await count(database, 'SELECT 1 FROM assignments'), 7);
    assert.equal(await prunedMetric('assignments'), before);
  });

  it('leaves rows another transaction holds locked for the next run instead of waiting on them', async function () {
    this.timeout(10_000);
    await addAssignments(database, 'old', 4, 400);
    await database.withConnection(async (holder) => {
      await holder.query('BEGIN');
      await holder.query("SELECT 1 FROM assignments WHERE employee_id = 'e0' FOR UPDATE");
      try {
        const started = Date.now();
        const report = await runRetention({ database, logger: silentLogger(), policy: POLICY, now: NOW });
        assert.ok(Date.now() - started < 3000, 'the run did not wait for the lock');
        assert.equal((outcome(report.tables, 'assignments') as { rows: number }).rows, 3);
      } finally {
        await holder.query('ROLLBACK');
      }
    });
    const next = await runRetention({ database, logger: silentLogger(), policy: POLICY, now: NOW });
    assert.equal((outcome(next.tables, 'assignments') as { rows: number }).rows, 1);
  });

  it('runs exclusively: a second runner skips while the first holds the lock', async () => {
    await addAssignments(database, 'old', 2, 400);
    const other = connectPostgres({ ...PG, database: test.name, maxConnections: 2, idleConnections: 1 });
    try {
      await other.withConnection(async (connection) => {
        await connection.query("SELECT pg_advisory_lock(7014, hashtext('retention'))");
        const skipped = await runRetentionExclusive({ database, logger: silentLogger(), policy: POLICY, now: NOW });
        assert.deepEqual(skipped, { ran: false, reason: 'another-runner' });
        assert.equal(await count(database, 'SELECT 1 FROM assignments'), 2);
        await connection.query("SELECT pg_advisory_unlock(7014, hashtext('retention'))");
      });
      const ran = await runRetentionExclusive({ database, logger: silentLogger(), policy: POLICY, now: NOW });
      assert.equal(ran.ran, true);
      assert.equal(await count(database, 'SELECT 1 FROM assignments'), 0);
    } finally {
      await other.close();
    }
  });

  it('daily job: two pods fire at the configured time, exactly one prunes the rows (the other skips or finds none left)', async function () {
    this.timeout(10_000);
    // A clock 150 ms before 03:30 UTC, moving with real time.
    const offset = Date.parse('2026-11-27T03:29:59.850Z') - Date.now();
    const clock = () => new Date(Date.now() + offset);
    await addAssignments(database, 'old', 5, 400, clock());
    const second = connectPostgres({ ...PG, database: test.name, maxConnections: 2, idleConnections: 1 });
    const pods = [capturingLogger(), capturingLogger()];
    const jobs: RetentionJob[] = [];
    try {
      jobs.push(startRetentionJob({ database, logger: pods[0].logger, policy: POLICY, dailyAt: '03:30', now: clock }));
      jobs.push(startRetentionJob({ database: second, logger: pods[1].logger, policy: POLICY, dailyAt: '03:30', now: clock }));
      assert.equal(jobs[0].nextRunAt.toISOString(), '2026-11-27T03:30:00.000Z');
      const settled = () => pods.every((pod) => pod.records.some((r) => /^retention( run|: another)/.test(String(r.msg))));
      const rescheduled = () => jobs.every((job) => job.nextRunAt.toISOString() === '2026-11-28T03:30:00.000Z');
      const deadline = Date.now() + 5000;
      while (!(settled() && rescheduled()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      const ran = pods.filter((pod) => pod.records.some((r) => r.msg === 'retention run: rows pruned'));
      const skippedOrLate = pods.filter((pod) => !ran.includes(pod));
      assert.ok(ran.length >= 1, 'someone ran');
      // Whoever ran second (if the first finished before it fired) found nothing left to prune.
      const pruned = ran.map((pod) => (pod.records.find((r) => r.msg === 'retention run: rows pruned')?.rows as { assignments: number }).assignments);
      assert.deepEqual(pruned.filter((n) => n > 0), [5]);
      assert.equal(ran.length + skippedOrLate.length, 2);
      assert.equal(await count(database, 'SELECT 1 FROM assignments'), 0);
      assert.equal(jobs[0].nextRunAt.toISOString(), '2026-11-28T03:30:00.000Z', 'rescheduled for the next day');
    } finally {
      await Promise.all(jobs.map((job) => job.stop()));
      await second.close();
    }
  });

  it('paiban retention run: prunes with the configured ages, logs the counts, exits 0; exits 1 when the database is unreachable', async function () {
    this.timeout(15_000);
    await addAssignments(database, 'old', 3, 400, new Date());
    await addAssignments(database, 'recent', 2, 100, new Date());
    const config = { ...loadConfig({ env: { ...postgresEnv(test.name), REDIS_HOST: '' } }), retention: { ...DEFAULT_RETENTION, assignments_days: 200 } };
    const { logger, records } = capturingLogger();
    assert.equal(await runRetentionCommand(config, logger, { dryRun: true }), 0);
    assert.equal(await count(database, 'SELECT 1 FROM assignments'), 5, 'dry run deletes nothing');
    assert.equal(await runRetentionCommand(config, logger, { dryRun: false }), 0);
    assert.equal(await count(database, 'SELECT 1 FROM assignments'), 2, 'the 100-day-old rows are inside the configured 200 days');
    assert.deepEqual(
      records.filter((r) => String(r.msg).startsWith('retention') && r.rows).map((r) => [r.msg, r.rows]),
      [
        ['retention dry run: rows that would be pruned', { assignments: 3, service_orders: 0 }],
        ['retention run: rows pruned', { assignments: 3, service_orders: 0 }],
      ],
    );

    const unreachable = { ...config, database: { ...config.database, port: 1 } };
    assert.equal(await runRetentionCommand(unreachable, silentLogger(), { dryRun: false }), 1);
  });
});

describe('retention schedule', () => {
  it('parses HH:MM and rejects anything else', () => {
    assert.deepEqual(parseDailyAt('03:30'), { hour: 3, minute: 30 });
    for (const bad of ['3:30', '24:00', '03:60', '0330', '']) assert.equal(parseDailyAt(bad), undefined, bad);
    assert.throws(() => startRetentionJob({ database: {} as Database, logger: silentLogger(), policy: POLICY, dailyAt: '25:00' }), /HH:MM/);
  });

  it('runs next today when the time is still ahead, tomorrow otherwise', () => {
    const at = { hour: 3, minute: 30 };
    assert.equal(nextDailyRun(new Date('2026-11-27T01:00:00Z'), at).toISOString(), '2026-11-27T03:30:00.000Z');
    assert.equal(nextDailyRun(new Date('2026-11-27T03:30:00Z'), at).toISOString(), '2026-11-28T03:30:00.000Z');
    assert.equal(nextDailyRun(new Date('2026-12-31T23:59:00Z'), at).toISOString(), '2027-01-01T03:30:00.000Z');
  });
});
