// The event store on SQL tables (migrations/001): the same statements run on a PostgreSQL server
// and on embedded PGlite. An append is one call of the eventstore_append() function, so it costs
// one round trip and one commit, like a bare INSERT.
import { randomUUID } from 'node:crypto';
import type { Database, Queryable } from '../database.js';
import {
  EventIdClashError,
  START,
  WrongExpectedVersionError,
  type AppendResult,
  type Checkpoint,
  type EventStore,
  type ExpectedVersion,
  type JsonObject,
  type NewEvent,
  type ReadStreamOptions,
  type RecordedEvent,
} from './eventStore.js';

/** The NOTIFY channel appends are announced on. */
export const APPEND_CHANNEL = 'paiban_events';
const NOTIFY = `SELECT pg_notify('${APPEND_CHANNEL}', '')`;

const UNIQUE_VIOLATION = '23505';

const APPEND = 'SELECT outcome, stream_version, versions FROM eventstore_append($1, $2, $3::jsonb)';

const EVENT_COLUMNS = `position, transaction_id::text AS commit, event_id, stream_id, version, type, data, metadata, recorded_at`;

const READ_STREAM = `
  SELECT ${EVENT_COLUMNS} FROM events
   WHERE stream_id = $1 AND version >= $2 AND version <= $3
   ORDER BY version`;

// Only events of transactions below the horizon: the oldest transaction still running in this
// database, or the next transaction id when none is. All those writers have finished, so no event
// can later appear before the last one returned (see migrations/001).
// The statement's own snapshot lists every running transaction of the server; those that
// pg_stat_activity attributes to another database are left out, since a session only ever writes
// to its own database. That keeps a long transaction elsewhere on the server (a migration, a
// report) from holding our readers back. Attribution can only miss (a session we may not inspect,
// a background worker, a prepared transaction): such a transaction stays in the horizon, which is
// then merely conservative. Using the snapshot's own list, not pg_stat_activity's, to decide what
// is running is what makes this safe: rows of every transaction below the horizon are in that
// same snapshot.
const HORIZON = `(
  SELECT coalesce(min(running.xid), pg_snapshot_xmax(pg_current_snapshot()))
    FROM pg_snapshot_xip(pg_current_snapshot()) AS running(xid)
   WHERE running.xid::xid NOT IN (
     SELECT backend_xid FROM pg_stat_activity
      WHERE backend_xid IS NOT NULL AND datid <> (SELECT oid FROM pg_database WHERE datname = current_database())))`;
const VISIBLE = `transaction_id < ${HORIZON}`;
const AFTER = '(transaction_id, position) > ($1::text::xid8, $2::bigint)';

const READ_ALL = `
  SELECT ${EVENT_COLUMNS} FROM events
   WHERE ${AFTER} AND ${VISIBLE}
   ORDER BY transaction_id, position
   LIMIT $3`;

const HEAD = `
  SELECT transaction_id::text AS commit, position FROM events
   WHERE ${VISIBLE}
   ORDER BY transaction_id DESC, position DESC
   LIMIT 1`;

const COUNT_AFTER = `
  SELECT count(*)::integer AS n FROM (SELECT 1 FROM events WHERE ${AFTER} AND ${VISIBLE} LIMIT $3) AS pending`;

const STREAM_VERSION = 'SELECT coalesce(max(version), 0) AS version FROM events WHERE stream_id = $1';

interface EventRow {
  position: number | string;
  commit: string;
  event_id: string;
  stream_id: string;
  version: number;
  type: string;
  data: JsonObject;
  metadata: JsonObject;
  recorded_at: Date | string;
}

interface AppendRow {
  outcome: 'appended' | 'duplicate' | 'conflict' | 'id_clash';
  stream_version: number;
  versions: number[] | null;
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    streamId: row.stream_id,
    version: row.version,
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    recordedAt: row.recorded_at instanceof Date ? row.recorded_at : new Date(row.recorded_at),
    checkpoint: { commit: Number(row.commit), position: Number(row.position) },
  };
}

function expectedAsText(expected: ExpectedVersion): string {
  if (typeof expected === 'string') return expected;
  if (!Number.isInteger(expected) || expected < 0) throw new RangeError(`expected version must be an integer >= 0, got ${expected}`);
  return String(expected);
}

/**
 * Appends through `connection`, which may be a transaction the caller holds open (the events then
 * commit with it); the append must then be that transaction's first write, and its only append,
 * which keeps each stream's versions in commit order (see migrations/001).
 * Throws WrongExpectedVersionError or EventIdClashError.
 */
export async function appendWith(
  connection: Queryable,
  streamId: string,
  events: readonly NewEvent[],
  expectedVersion: ExpectedVersion,
): Promise<AppendResult> {
  const batch = events.map((event) => ({ id: event.id ?? randomUUID(), type: event.type, data: event.data, metadata: event.metadata }));
  let row: AppendRow;
  try {
    ({ rows: [row] } = await connection.query<AppendRow>(APPEND, [streamId, expectedAsText(expectedVersion), JSON.stringify(batch)]));
  } catch (error) {
    // Two writers storing the same event id in different streams at once: the unique index decides.
    if ((error as { code?: string }).code === UNIQUE_VIOLATION) throw new EventIdClashError(streamId);
    throw error;
  }
  switch (row.outcome) {
    case 'appended':
    case 'duplicate':
      return { streamId, version: row.stream_version, versions: row.versions ?? [], duplicate: row.outcome === 'duplicate' };
    case 'conflict':
      throw new WrongExpectedVersionError(streamId, expectedVersion, row.stream_version);
    case 'id_clash':
      throw new EventIdClashError(streamId);
    default: {
      const unexpected: never = row.outcome;
      throw new Error(`eventstore_append returned an unknown outcome ${String(unexpected)}`);
    }
  }
}

/**
 * Announces appends on APPEND_CHANNEL after they commit, at most one NOTIFY in flight: appends
 * finishing meanwhile are covered by one more NOTIFY sent after it. A NOTIFY inside the append
 * would hold PostgreSQL's global notify lock across the append's commit flush and serialise all
 * writers; a NOTIFY-only statement writes no WAL, so its commit is not flushed and stays cheap.
 */
function appendAnnouncer(database: Database): () => void {
  let inFlight = false;
  let again = false;
  const send = () => {
    inFlight = true;
    database
      .query(NOTIFY)
      .catch(() => undefined) // a lost hint only delays readers until their next poll
      .finally(() => {
        inFlight = false;
        if (again) {
          again = false;
          send();
        }
      });
  };
  return () => {
    if (inFlight) again = true;
    else send();
  };
}

/**
 * The SQL event store over `database` (migrated to at least 001). Appends made through
 * `appendWith` in a caller's transaction are not announced; subscribers find them by polling.
 */
export function sqlEventStore(database: Database): EventStore {
  const announce = appendAnnouncer(database);
  return {
    kind: database.kind,
    async append(streamId, events, { expectedVersion }) {
      const result = await appendWith(database, streamId, events, expectedVersion);
      if (!result.duplicate && result.versions.length > 0) announce();
      return result;
    },

    async readStream(streamId: string, options: ReadStreamOptions = {}) {
      const { rows } = await database.query<EventRow>(READ_STREAM, [streamId, options.fromVersion ?? 1, options.toVersion ?? 2 ** 31 - 1]);
      return rows.map(toRecordedEvent);
    },

    async streamVersion(streamId) {
      const { rows } = await database.query<{ version: number }>(STREAM_VERSION, [streamId]);
      return rows[0]?.version ?? 0;
    },

    async readAll(after: Checkpoint, maxCount: number) {
      const { rows } = await database.query<EventRow>(READ_ALL, [String(after.commit), after.position, maxCount]);
      return rows.map(toRecordedEvent);
    },

    async head() {
      const { rows } = await database.query<{ commit: string; position: number | string }>(HEAD);
      const row = rows[0];
      return row ? { commit: Number(row.commit), position: Number(row.position) } : START;
    },

    async countAfter(after, cap) {
      const { rows } = await database.query<{ n: number }>(COUNT_AFTER, [String(after.commit), after.position, cap]);
      return rows[0]?.n ?? 0;
    },

    onAppend: (onAppend) => database.listen(APPEND_CHANNEL, () => onAppend()),

    async ping() {
      await database.query('SELECT 1 FROM events LIMIT 1');
    },

    // The database belongs to the caller, who closes it.
    close: async () => undefined,
  };
}
