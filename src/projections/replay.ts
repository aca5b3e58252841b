// Rebuilds projections from the first event: replays into fresh copies of their tables in a schema
// of their own while the live tables keep serving, then swaps the copies in and sets the checkpoint
// in one short transaction. A running projection runner notices the moved checkpoint (its
// compare-and-set fails), rolls back whatever it was doing and continues from the replay's
// checkpoint on the new tables.
import type { Database, Queryable } from '../infra/database.js';
import { START, type Checkpoint, type EventStore } from '../infra/eventstore/eventStore.js';
import type { Logger } from '../infra/logger.js';
import { resetCheckpoint } from './checkpoints.js';
import { autoProgress, type ReplayProgress } from './progress.js';
import { applyEvents, type Projection } from './projection.js';

const REPLAY_LOCK_SPACE = 7014;
const TRY_LOCK = 'SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked';
const UNLOCK = 'SELECT pg_advisory_unlock($1, hashtext($2))';
const CURRENT_SCHEMA = 'SELECT current_schema() AS schema';
const DEADLOCK = '40P01';
const COUNT_CAP = 1_000_000_000;

export interface ReplayOptions {
  database: Database;
  eventStore: EventStore;
  /** Every projection the service knows. */
  projections: readonly Projection[];
  /** Projection names to rebuild, or `['all']`. */
  names: readonly string[];
  /** Progress display; default a bar on a terminal (stderr), plain lines otherwise. */
  progress?: ReplayProgress;
  logger?: Logger;
  /** Events per transaction while rebuilding (default 1000). */
  batchSize?: number;
}

export interface ReplayResult {
  readonly projection: string;
  readonly events: number;
  readonly durationMs: number;
  readonly checkpoint: Checkpoint;
}

export class ReplayError extends Error {
  override readonly name = 'ReplayError';
}

const quote = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;

/** Which projections `names` selects; throws ReplayError naming the unknown ones. */
export function selectProjections(projections: readonly Projection[], names: readonly string[]): Projection[] {
  if (names.includes('all')) return [...projections];
  const unknown = names.filter((name) => !projections.some((p) => p.name === name));
  if (unknown.length || names.length === 0) {
    const known = projections.map((p) => p.name).join(', ') || '(none)';
    throw new ReplayError(`unknown projection ${unknown.join(', ') || '(none given)'}; known: ${known}, or all`);
  }
  return projections.filter((p) => names.includes(p.name));
}

/** Rebuilds the selected projections one after another; `paiban replay <projection|all>`. */
export async function runReplay(options: ReplayOptions): Promise<ReplayResult[]> {
  const selected = selectProjections(options.projections, options.names);
  const progress = options.progress ?? autoProgress();
  const results: ReplayResult[] = [];
  for (const projection of selected) {
    results.push(await rebuild(options, projection, progress));
    options.logger?.info({ projection: projection.name, events: results[results.length - 1].events }, 'projection rebuilt');
  }
  return results;
}

async function rebuild(options: ReplayOptions, projection: Projection, progress: ReplayProgress): Promise<ReplayResult> {
  const { database } = options;
  return database.withConnection(async (lockConnection) => {
    const { rows } = await lockConnection.query<{ locked: boolean }>(TRY_LOCK, [REPLAY_LOCK_SPACE, projection.name]);
    if (!rows[0]?.locked) throw new ReplayError(`a replay of ${projection.name} is already running`);
    try {
      return await rebuildLocked(options, projection, progress);
    } finally {
      await lockConnection.query(UNLOCK, [REPLAY_LOCK_SPACE, projection.name]).catch(() => undefined);
    }
  });
}

async function rebuildLocked(options: ReplayOptions, projection: Projection, progress: ReplayProgress): Promise<ReplayResult> {
  const { database, eventStore } = options;
  const batchSize = options.batchSize ?? 1000;
  const started = Date.now();
  const live = (await database.query<{ schema: string }>(CURRENT_SCHEMA)).rows[0].schema;
  const shadow = `replay_${projection.name.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`;
  const searchPath = `SET LOCAL search_path TO ${quote(shadow)}, ${quote(live)}`;

  await database.transaction(async (tx) => {
    await tx.query(`DROP SCHEMA IF EXISTS ${quote(shadow)} CASCADE`);
    await tx.query(`CREATE SCHEMA ${quote(shadow)}`);
    for (const table of projection.tables) {
      await tx.query(`CREATE TABLE ${quote(shadow)}.${quote(table)} (LIKE ${quote(live)}.${quote(table)} INCLUDING ALL)`);
    }
  });

  let total = await eventStore.countAfter(START, COUNT_CAP);
  let done = 0;
  let checkpoint = START;
  progress.start(projection.name, total);
  for (;;) {
    const events = await eventStore.readAll(checkpoint, batchSize);
    if (events.length === 0) break;
    await database.transaction(async (tx) => {
      await tx.query(searchPath);
      await applyEvents(projection, tx, events);
    });
    checkpoint = events[events.length - 1].checkpoint;
    done += events.length;
    total = Math.max(total, done);
    progress.update(done, total);
    if (events.length < batchSize) break;
  }

  // Events appended from here on are applied by the runner after the swap: it resumes from
  // `checkpoint` on the new tables.
  await withDeadlockRetry(() => database.transaction((tx) => swap(tx, projection, live, shadow, checkpoint, done)));
  progress.finish(done);
  return { projection: projection.name, events: done, durationMs: Date.now() - started, checkpoint };
}

// A table's indexes with what makes them what they are (uniqueness, method, columns, predicate),
// so the fresh copy's indexes can take the live ones' names.
const INDEXES = `
  SELECT ix.relname AS name, i.indisunique AS is_unique, regexp_replace(pg_get_indexdef(i.indexrelid), '^.* USING ', '') AS shape
    FROM pg_index i
    JOIN pg_class ix ON ix.oid = i.indexrelid
    JOIN pg_class t ON t.oid = i.indrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace
   WHERE n.nspname = $1 AND t.relname = $2
   ORDER BY ix.relname`;

interface IndexRow {
  name: string;
  is_unique: boolean;
  shape: string;
}

async function swap(tx: Queryable, projection: Projection, live: string, shadow: string, checkpoint: Checkpoint, eventsApplied: number): Promise<void> {
  // Tables first, then the checkpoint row: the same order as a runner's batch, so they queue
  // behind each other instead of deadlocking.
  const liveTables = projection.tables.map((table) => `${quote(live)}.${quote(table)}`).join(', ');
  if (liveTables) await tx.query(`LOCK TABLE ${liveTables} IN ACCESS EXCLUSIVE MODE`);
  for (const table of projection.tables) {
    const liveIndexes = (await tx.query<IndexRow>(INDEXES, [live, table])).rows;
    const freshIndexes = (await tx.query<IndexRow>(INDEXES, [shadow, table])).rows;
    await tx.query(`DROP TABLE ${quote(live)}.${quote(table)}`);
    await tx.query(`ALTER TABLE ${quote(shadow)}.${quote(table)} SET SCHEMA ${quote(live)}`);
    await keepIndexNames(tx, live, liveIndexes, freshIndexes);
  }
  await tx.query(`DROP SCHEMA ${quote(shadow)}`);
  await resetCheckpoint(tx, projection.name, checkpoint, eventsApplied);
}

/**
 * LIKE … INCLUDING ALL names the copied indexes (and the constraints they back) by the default
 * scheme; give them back the live names, which later migrations may refer to. Two passes through
 * temporary names, since a default name can equal another index's live name.
 */
async function keepIndexNames(tx: Queryable, schema: string, liveIndexes: IndexRow[], freshIndexes: IndexRow[]): Promise<void> {
  const unmatched = [...freshIndexes];
  const renames: { from: string; to: string }[] = [];
  for (const index of liveIndexes) {
    const at = unmatched.findIndex((fresh) => fresh.shape === index.shape && fresh.is_unique === index.is_unique);
    if (at < 0) continue;
    const [fresh] = unmatched.splice(at, 1);
    if (fresh.name !== index.name) renames.push({ from: fresh.name, to: index.name });
  }
  const temporary = (i: number) => `paiban_replay_index_${i}`;
  for (const [i, rename] of renames.entries()) await tx.query(`ALTER INDEX ${quote(schema)}.${quote(rename.from)} RENAME TO ${quote(temporary(i))}`);
  for (const [i, rename] of renames.entries()) await tx.query(`ALTER INDEX ${quote(schema)}.${quote(temporary(i))} RENAME TO ${quote(rename.to)}`);
}

async function withDeadlockRetry<T>(work: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if ((error as { code?: string }).code !== DEADLOCK || attempt >= attempts) throw error;
    }
  }
}
