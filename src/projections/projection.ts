// What a read model tells the runner and replay about itself.
import type { Queryable } from '../infra/database.js';
import type { RecordedEvent } from '../infra/eventstore/eventStore.js';

export interface Projection {
  /** Stable name: the checkpoint row, the advisory lock and the metric label. */
  readonly name: string;
  /**
   * The tables it owns, in the current schema. Replay builds fresh copies (`LIKE … INCLUDING ALL`)
   * and swaps them in, so no view or foreign key may point at them, and ids should be identity
   * columns or come from events (a `serial` column's sequence belongs to the old table).
   */
  readonly tables: readonly string[];
  /**
   * Writes one event's effect inside the batch transaction `tx`; ignores event types it does not
   * use. Use only `tx`, and never schema-qualify the owned tables: replay points search_path at
   * the fresh copies.
   */
  apply(tx: Queryable, event: RecordedEvent): Promise<void>;
  /**
   * Optional: writes a whole batch's effect at once (set-based SQL instead of a round trip per
   * event). When present the runner and replay call it instead of `apply`; same rules as `apply`.
   */
  applyBatch?(tx: Queryable, events: readonly RecordedEvent[]): Promise<void>;
  /** Runs after a batch commits (cache invalidation). A failure is logged; the batch stays applied. */
  afterCommit?(events: readonly RecordedEvent[]): Promise<void>;
}

/** Applies `events` in order through applyBatch when the projection has it, else one by one. */
export async function applyEvents(projection: Projection, tx: Queryable, events: readonly RecordedEvent[]): Promise<void> {
  if (projection.applyBatch) {
    await projection.applyBatch(tx, events);
    return;
  }
  for (const event of events) await projection.apply(tx, event);
}
