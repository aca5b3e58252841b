// Event store benchmark on a PostgreSQL server (a fresh database of its own, dropped afterwards).
//   npm run bench:eventstore [-- --seconds 6 --slice 0.5 --lag-seconds 10 --rate 500]
// Measures append throughput (events/s) for 1 and 8 concurrent writers at batch sizes 1 and 10,
// beside a bare single-row INSERT loop into an equivalent table through the same pool in the same
// run (the machine's physical limit), and the end-to-end projection lag (append acknowledged →
// read-model batch committed) at a steady event rate. The machine is shared and its commit
// latency swings by 10× within seconds, so the cases run in short interleaved slices (each case
// sees the same conditions) and each rate is its events over its time across all slices.
// During the lag runs it also records how long transactions held an xid, in this database and in
// the server's others: readers only see events below the oldest running transaction of the server.
// Prints a table and, last, one JSON line.
// Connection: DB_HOST / DB_PORT / DB_USER / DB_PASSWORD (default 127.0.0.1:5432, postgres).
import { Command } from 'commander';
import { execSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import pg from 'pg';
import { connectPostgres, type Database } from '../src/infra/database.js';
import type { EventStore, RecordedEvent } from '../src/infra/eventstore/eventStore.js';
import { sqlEventStore } from '../src/infra/eventstore/sqlEventStore.js';
import { silentLogger } from '../src/infra/logger.js';
import { migrateUp } from '../src/infra/migrations.js';
import { resetCheckpoint } from '../src/projections/checkpoints.js';
import type { Projection } from '../src/projections/projection.js';
import { startProjectionRunner } from '../src/projections/runner.js';

const options = new Command()
  .option('--seconds <s>', 'total duration of each throughput case', '6')
  .option('--slice <s>', 'duration of one interleaved slice', '0.5')
  .option('--lag-seconds <s>', 'duration of the projection lag run', '10')
  .option('--rate <n>', 'events per second during the lag run', '500')
  .parse()
  .opts<{ seconds: string; slice: string; lagSeconds: string; rate: string }>();

const server = {
  host: process.env.DB_HOST ?? '127.0.0.1',
  port: Number(process.env.DB_PORT ?? 5432),
  user: process.env.DB_USER ?? 'postgres',
  password: process.env.DB_PASSWORD,
};

// The events table's shape without the store's logic: what one INSERT per event costs here.
const CREATE_BARE = `
  CREATE TABLE bare_events (
    position bigserial PRIMARY KEY,
    transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
    event_id uuid NOT NULL UNIQUE,
    stream_id text NOT NULL,
    version integer NOT NULL,
    type text NOT NULL,
    data jsonb NOT NULL,
    metadata jsonb NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (stream_id, version)
  );
  CREATE INDEX bare_events_commit_order ON bare_events (transaction_id, position);`;
const BARE_INSERT = 'INSERT INTO bare_events (event_id, stream_id, version, type, data, metadata) VALUES ($1, $2, $3, $4, $5, $6)';

// The lag run's read model, written two ways: a round trip per event (apply), and one set-based
// statement per batch (applyBatch).
const createLagModel = (table: string) => `CREATE TABLE ${table} (stream_id text PRIMARY KEY, events integer NOT NULL)`;
const countEvent = (table: string) => `
  INSERT INTO ${table} (stream_id, events) VALUES ($1, 1)
  ON CONFLICT (stream_id) DO UPDATE SET events = ${table}.events + 1`;
const countEvents = (table: string) => `
  INSERT INTO ${table} (stream_id, events) SELECT stream_id, count(*) FROM unnest($1::text[]) AS e(stream_id) GROUP BY stream_id
  ON CONFLICT (stream_id) DO UPDATE SET events = ${table}.events + EXCLUDED.events`;

const metadata = () => ({
  commandId: randomUUID(),
  correlationId: randomUUID(),
  causationId: randomUUID(),
  actorKeyId: 'bench-key',
  orgId: 'bench-org',
  occurredAt: new Date().toISOString(),
  schemaVersion: 1,
});

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
};

interface Measured {
  events: number;
  seconds: number;
}

/** Runs `writers` loops of `step` for `seconds`. */
async function throughput(writers: number, seconds: number, step: (writer: number) => Promise<number>): Promise<Measured> {
  const deadline = Date.now() + seconds * 1000;
  const started = process.hrtime.bigint();
  const counts = await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      let events = 0;
      while (Date.now() < deadline) events += await step(writer);
      return events;
    }),
  );
  return { events: counts.reduce((a, b) => a + b, 0), seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

function appendCase(store: EventStore, writers: number, batch: number, seconds: number, run: number): Promise<Measured> {
  const versions = new Array<number>(writers).fill(0);
  return throughput(writers, seconds, async (writer) => {
    const events = Array.from({ length: batch }, (_, i) => ({ type: 'BenchEvent', data: { n: versions[writer] + i }, metadata: metadata() }));
    await store.append(`bench-${run}-${writers}x${batch}-${writer}`, events, { expectedVersion: versions[writer] });
    versions[writer] += batch;
    return batch;
  });
}

function bareCase(database: Database, writers: number, seconds: number, run: number): Promise<Measured> {
  const versions = new Array<number>(writers).fill(0);
  return throughput(writers, seconds, async (writer) => {
    versions[writer] += 1;
    await database.query(BARE_INSERT, [randomUUID(), `bare-${run}-${writers}-${writer}`, versions[writer], 'BenchEvent', JSON.stringify({ n: versions[writer] }), JSON.stringify(metadata())]);
    return 1;
  });
}

type Projector = 'per_event' | 'batched';

// The longest-running transactions holding an xid, in this database and in the server's others:
// readers only see events below the oldest running transaction of the whole server.
const XID_AGES = `
  SELECT coalesce(max(extract(epoch FROM clock_timestamp() - xact_start)) FILTER (WHERE datname = current_database()) * 1000, 0)::float8 AS own_ms,
         coalesce(max(extract(epoch FROM clock_timestamp() - xact_start)) FILTER (WHERE datname <> current_database()) * 1000, 0)::float8 AS other_ms
    FROM pg_stat_activity WHERE backend_xid IS NOT NULL`;

interface XidHeld {
  max_ms: number;
  over_100ms_share: number;
}

/** Samples XID_AGES every 50 ms until stopped; returns each side's maximum and share of samples over 100 ms. */
function watchTransactions(database: Database): () => Promise<{ this_database: XidHeld; other_databases: XidHeld }> {
  const own: number[] = [];
  const other: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const { rows } = await database.query<{ own_ms: number; other_ms: number }>(XID_AGES).catch(() => ({ rows: [{ own_ms: 0, other_ms: 0 }] }));
      own.push(rows[0].own_ms);
      other.push(rows[0].other_ms);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  const summary = (samples: number[]): XidHeld => ({
    max_ms: Math.round(Math.max(0, ...samples)),
    over_100ms_share: Number((samples.filter((ms) => ms > 100).length / Math.max(1, samples.length)).toFixed(3)),
  });
  return async () => {
    running = false;
    await loop;
    return { this_database: summary(own), other_databases: summary(other) };
  };
}

interface LagFigures {
  projector: Projector;
  events: number;
  p50: number;
  p99: number;
  max: number;
  /** Appends that started more than 50 ms after their scheduled time (the writer could not keep the rate). */
  appends_started_late: number;
  /** Transactions holding an xid (and so the readers' horizon), sampled every 50 ms during the run. */
  xid_held: { this_database: XidHeld; other_databases: XidHeld };
}

/** Appends at `rate` events/s for `seconds` with a projection running; lag = append acknowledged → batch committed. */
async function projectionLag(database: Database, store: EventStore, projector: Projector, rate: number, seconds: number): Promise<LagFigures> {
  const table = `lag_${projector}`;
  await database.query(createLagModel(table));
  const appendedAt = new Map<string, number>();
  const lags: number[] = [];
  const afterCommit = async (events: readonly RecordedEvent[]) => {
    const now = performance.now();
    for (const event of events) {
      const at = appendedAt.get(event.id);
      if (at !== undefined) lags.push(now - at);
    }
  };
  const projection: Projection = {
    name: table,
    tables: [table],
    async apply(tx, event) {
      await tx.query(countEvent(table), [event.streamId]);
    },
    applyBatch:
      projector === 'batched'
        ? async (tx, events) => {
            await tx.query(countEvents(table), [events.map((event) => event.streamId)]);
          }
        : undefined,
    afterCommit,
  };
  // Live lag, not catch-up: the projection starts at the head (the throughput cases appended tens
  // of thousands of events it must not replay first).
  await resetCheckpoint(database, table, await store.head(), 0);
  const runner = startProjectionRunner({ database, eventStore: store, projection, logger: silentLogger(), batchSize: 200, pollIntervalMs: 1000 });
  // Start after the runner is active, so start-up is not measured.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const total = Math.round(rate * seconds);
  const intervalMs = 1000 / rate;
  const stopWatching = watchTransactions(database);
  const start = performance.now();
  const inFlight = new Set<Promise<void>>();
  let late = 0;
  for (let i = 0; i < total; i++) {
    const due = start + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    else if (wait < -50) late += 1;
    const id = randomUUID();
    const append = store
      .append(`${table}-${i % 50}`, [{ id, type: 'BenchEvent', data: { n: i }, metadata: metadata() }], { expectedVersion: 'any' })
      .then(() => void appendedAt.set(id, performance.now()));
    inFlight.add(append);
    void append.finally(() => inFlight.delete(append));
    if (inFlight.size >= 32) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  const deadline = Date.now() + 60_000;
  while (lags.length < total && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  await runner.stop();
  const xidHeld = await stopWatching();
  if (lags.length < total) throw new Error(`projection applied only ${lags.length} of ${total} events`);
  const round = (n: number) => Number(n.toFixed(1));
  return {
    projector,
    events: lags.length,
    p50: round(percentile(lags, 50)),
    p99: round(percentile(lags, 99)),
    max: round(Math.max(...lags)),
    appends_started_late: late,
    xid_held: xidHeld,
  };
}

function machine() {
  const cpu = os.cpus()[0]?.model ?? 'unknown';
  let postgres = 'unknown';
  try {
    postgres = execSync(`psql -h ${server.host} -p ${server.port} -U ${server.user} -Atc 'show server_version'`, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // psql missing: the version is read through the pool below instead.
  }
  return { date: new Date().toISOString(), nproc: os.availableParallelism(), cpu, node: process.version, postgres, loadavg: os.loadavg().map((l) => Number(l.toFixed(2))) };
}

async function admin(sql: string) {
  const client = new pg.Client({ ...server, database: 'postgres' });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function main() {
  const seconds = Number(options.seconds);
  const slice = Number(options.slice);
  const slices = Math.max(1, Math.round(seconds / slice));
  const rate = Number(options.rate);
  const name = `paiban_bench_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const database = connectPostgres({ ...server, database: name, maxConnections: 20, idleConnections: 5 });
  try {
    await migrateUp(database);
    await database.query(CREATE_BARE);
    const store = sqlEventStore(database);
    const info = machine();
    if (info.postgres === 'unknown') info.postgres = (await database.query<{ v: string }>('SHOW server_version')).rows[0].v ?? 'unknown';
    const settings = (await database.query<{ name: string; setting: string }>("SELECT name, setting FROM pg_settings WHERE name IN ('synchronous_commit', 'fsync', 'wal_sync_method')")).rows;

    const cases = [
      { key: 'bare_1w', label: 'bare INSERT, 1 writer', run: (r: number) => bareCase(database, 1, slice, r) },
      { key: 'append_1w_b1', label: 'append, 1 writer, batch 1', run: (r: number) => appendCase(store, 1, 1, slice, r) },
      { key: 'append_1w_b10', label: 'append, 1 writer, batch 10', run: (r: number) => appendCase(store, 1, 10, slice, r) },
      { key: 'bare_8w', label: 'bare INSERT, 8 writers', run: (r: number) => bareCase(database, 8, slice, r) },
      { key: 'append_8w_b1', label: 'append, 8 writers, batch 1', run: (r: number) => appendCase(store, 8, 1, slice, r) },
      { key: 'append_8w_b10', label: 'append, 8 writers, batch 10', run: (r: number) => appendCase(store, 8, 10, slice, r) },
    ];
    const totals = new Map<string, Measured>(cases.map((c) => [c.key, { events: 0, seconds: 0 }]));
    const sliceRates = new Map<string, number[]>(cases.map((c) => [c.key, []]));
    for (let round = 0; round < slices; round++) {
      for (const c of cases) {
        const measured = await c.run(round);
        const total = totals.get(c.key) as Measured;
        total.events += measured.events;
        total.seconds += measured.seconds;
        sliceRates.get(c.key)?.push(measured.events / measured.seconds);
      }
    }
    const rates = Object.fromEntries(cases.map((c) => [c.key, Math.round((totals.get(c.key)?.events ?? 0) / (totals.get(c.key)?.seconds ?? 1))]));
    const spread = Object.fromEntries(
      cases.map((c) => {
        const values = sliceRates.get(c.key) ?? [0];
        return [c.key, { min: Math.round(Math.min(...values)), median: Math.round(median(values)), max: Math.round(Math.max(...values)) }];
      }),
    );
    const lagSeconds = Number(options.lagSeconds);
    const lag = {
      per_event: await projectionLag(database, store, 'per_event', rate, lagSeconds),
      batched: await projectionLag(database, store, 'batched', rate, lagSeconds),
    };
    const figures = {
      benchmark: 'eventstore',
      ...info,
      settings: Object.fromEntries(settings.map((s) => [s.name, s.setting])),
      seconds_per_case: seconds,
      slice_seconds: slice,
      events_per_second: rates,
      per_slice_events_per_second: spread,
      append_vs_bare: {
        writers_1: Number((rates.append_1w_b1 / rates.bare_1w).toFixed(3)),
        writers_8: Number((rates.append_8w_b1 / rates.bare_8w).toFixed(3)),
      },
      projection_lag_ms: { rate_events_per_second: rate, seconds: lagSeconds, ...lag },
      targets: {
        single_event_append_at_least_half_of_bare: rates.append_1w_b1 >= rates.bare_1w / 2 && rates.append_8w_b1 >= rates.bare_8w / 2,
        projection_lag_p99_at_most_100ms: { per_event: lag.per_event.p99 <= 100, batched: lag.batched.p99 <= 100 },
      },
    };

    console.log(`event store benchmark — ${info.date}, ${info.nproc} cores (${info.cpu}), node ${info.node}, PostgreSQL ${info.postgres}, load ${info.loadavg.join(' ')}`);
    console.log('');
    console.log(`case                          events/s   per ${slice} s slice: min / median / max`);
    for (const c of cases) {
      const { min, median: mid, max } = spread[c.key];
      console.log(`${c.label.padEnd(30)}${String(rates[c.key]).padStart(8)}   ${min} / ${mid} / ${max}`);
    }
    console.log('');
    console.log(`append ÷ bare INSERT (batch 1): 1 writer ${figures.append_vs_bare.writers_1}, 8 writers ${figures.append_vs_bare.writers_8} (target ≥ 0.5)`);
    for (const figures of Object.values(lag)) {
      console.log(
        `projection lag (${figures.projector} projector) at ${rate} events/s over ${figures.events} events: ` +
          `p50 ${figures.p50} ms, p99 ${figures.p99} ms, max ${figures.max} ms, ${figures.appends_started_late} appends started late (target p99 ≤ 100 ms); ` +
          `longest transaction holding an xid: this database ${figures.xid_held.this_database.max_ms} ms, ` +
          `other databases ${figures.xid_held.other_databases.max_ms} ms (> 100 ms in ${(figures.xid_held.other_databases.over_100ms_share * 100).toFixed(1)}% of samples)`,
      );
    }
    console.log(JSON.stringify(figures));
  } finally {
    await database.close();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
