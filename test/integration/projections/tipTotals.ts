// A test read model with a deliberately non-idempotent apply (counters are incremented), so any
// event applied twice or skipped shows up as a wrong total.
import type { Queryable } from '../../../src/infra/database.js';
import type { EventStore, RecordedEvent } from '../../../src/infra/eventstore/eventStore.js';
import type { Projection } from '../../../src/projections/projection.js';

export const CREATE_TIP_TOTALS = `
  CREATE TABLE IF NOT EXISTS tip_totals (
    stream_id text PRIMARY KEY,
    tips integer NOT NULL,
    total bigint NOT NULL
  )`;

const ADD_TIP = `
  INSERT INTO tip_totals (stream_id, tips, total) VALUES ($1, 1, $2)
  ON CONFLICT (stream_id) DO UPDATE SET tips = tip_totals.tips + 1, total = tip_totals.total + EXCLUDED.total`;

export interface TipTotalsOptions {
  /** Called inside the batch transaction, before each event is applied (crash test hook). */
  beforeApply?: (event: RecordedEvent) => Promise<void> | void;
  afterCommit?: (events: readonly RecordedEvent[]) => Promise<void>;
}

export function tipTotals(options: TipTotalsOptions = {}): Projection {
  return {
    name: 'tip_totals',
    tables: ['tip_totals'],
    async apply(tx: Queryable, event: RecordedEvent) {
      await options.beforeApply?.(event);
      if (event.type !== 'TipAdded') return;
      await tx.query(ADD_TIP, [event.streamId, Number(event.data.amount)]);
    },
    afterCommit: options.afterCommit,
  };
}

// The same model written set-based: one statement per batch.
const ADD_TIPS = `
  INSERT INTO tip_totals (stream_id, tips, total)
  SELECT stream_id, count(*), sum(amount) FROM unnest($1::text[], $2::bigint[]) AS tip(stream_id, amount) GROUP BY stream_id
  ON CONFLICT (stream_id) DO UPDATE SET tips = tip_totals.tips + EXCLUDED.tips, total = tip_totals.total + EXCLUDED.total`;

/** tip_totals through applyBatch (apply is never called and fails if it is). */
export function tipTotalsBatched(): Projection {
  return {
    name: 'tip_totals',
    tables: ['tip_totals'],
    apply: async () => {
      throw new Error('apply must not be called when applyBatch exists');
    },
    async applyBatch(tx, events) {
      const tips = events.filter((event) => event.type === 'TipAdded');
      await tx.query(ADD_TIPS, [tips.map((event) => event.streamId), tips.map((event) => Number(event.data.amount))]);
    },
  };
}

export type Totals = Record<string, { tips: number; total: number }>;

export async function readTotals(database: Queryable): Promise<Totals> {
  const { rows } = await database.query<{ stream_id: string; tips: number; total: number | string }>('SELECT stream_id, tips, total FROM tip_totals ORDER BY stream_id');
  return Object.fromEntries(rows.map((row) => [row.stream_id, { tips: row.tips, total: Number(row.total) }]));
}

/** Appends `count` tips spread over `streams` jars, amounts 1..9; returns the totals they imply. */
export async function appendTips(store: EventStore, count: number, streams: string[], expected: Totals = {}): Promise<Totals> {
  for (let i = 0; i < count; i++) {
    const streamId = streams[i % streams.length];
    const amount = (i % 9) + 1;
    await store.append(streamId, [{ type: 'TipAdded', data: { amount }, metadata: {} }], { expectedVersion: 'any' });
    const current = expected[streamId] ?? { tips: 0, total: 0 };
    expected[streamId] = { tips: current.tips + 1, total: current.total + amount };
  }
  return expected;
}

/** Resolves once the projection's stored checkpoint has applied `count` events in total. */
export async function waitForApplied(database: Queryable, count: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await database.query<{ events_applied: number | string }>("SELECT events_applied FROM projection_checkpoints WHERE projection = 'tip_totals'");
    const applied = Number(rows[0]?.events_applied ?? 0);
    if (applied >= count) return;
    if (Date.now() > deadline) throw new Error(`projection applied ${applied} of ${count} events within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
