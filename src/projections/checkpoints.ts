// The projection_checkpoints table (migrations/003): where each projection has got to.
import type { Queryable } from '../infra/database.js';
import type { Checkpoint } from '../infra/eventstore/eventStore.js';

const ENSURE = 'INSERT INTO projection_checkpoints (projection) VALUES ($1) ON CONFLICT (projection) DO NOTHING';

const READ = 'SELECT commit_position, event_position, events_applied FROM projection_checkpoints WHERE projection = $1';

// Compare-and-set: moves only from the checkpoint this batch was read after. Zero rows updated
// means another instance (or a replay) moved it: the batch must roll back.
const ADVANCE = `
  UPDATE projection_checkpoints
     SET commit_position = $4, event_position = $5, events_applied = events_applied + $6, updated_at = now()
   WHERE projection = $1 AND commit_position = $2 AND event_position = $3`;

const RESET = `
  INSERT INTO projection_checkpoints (projection, commit_position, event_position, events_applied)
  VALUES ($1, $2, $3, $4)
  ON CONFLICT (projection) DO UPDATE
     SET commit_position = EXCLUDED.commit_position, event_position = EXCLUDED.event_position,
         events_applied = EXCLUDED.events_applied, updated_at = now()`;

export interface StoredCheckpoint {
  readonly checkpoint: Checkpoint;
  readonly eventsApplied: number;
}

/** The projection's checkpoint, creating it at the start when missing. */
export async function loadCheckpoint(database: Queryable, projection: string): Promise<StoredCheckpoint> {
  await database.query(ENSURE, [projection]);
  const { rows } = await database.query<{ commit_position: number; event_position: number; events_applied: number }>(READ, [projection]);
  const row = rows[0];
  return { checkpoint: { commit: Number(row.commit_position), position: Number(row.event_position) }, eventsApplied: Number(row.events_applied) };
}

/** Moves the checkpoint from `from` to `to` inside `tx`; false when it was no longer at `from`. */
export async function advanceCheckpoint(tx: Queryable, projection: string, from: Checkpoint, to: Checkpoint, events: number): Promise<boolean> {
  const { rowCount } = await tx.query(ADVANCE, [projection, from.commit, from.position, to.commit, to.position, events]);
  return rowCount === 1;
}

/** Sets the checkpoint unconditionally (replay's swap). */
export async function resetCheckpoint(tx: Queryable, projection: string, to: Checkpoint, eventsApplied: number): Promise<void> {
  await tx.query(RESET, [projection, to.commit, to.position, eventsApplied]);
}
