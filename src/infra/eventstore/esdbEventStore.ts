// The event store on EventStoreDB (@eventstore/db-client), selected by an `esdb://` URL.
// Mapping: stream revision = our version - 1, and version 0 (no stream) is NO_STREAM; checkpoints
// are $all positions (commit, prepare). System events ($-prefixed types or streams) are hidden.
import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START as ESDB_START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError as EsdbWrongExpectedVersionError,
  excludeSystemEvents,
  jsonEvent,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type ReadPosition,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.js';
import {
  START,
  WrongExpectedVersionError,
  compareCheckpoints,
  type Checkpoint,
  type EventStore,
  type ExpectedVersion,
  type JsonObject,
  type RecordedEvent,
} from './eventStore.js';

/** How many $all records to fetch per page while skipping system events. */
const PAGE = 500;

function expectedRevision(expected: ExpectedVersion): AppendExpectedRevision {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'exists':
      return STREAM_EXISTS;
    default:
      if (!Number.isInteger(expected) || expected < 0) throw new RangeError(`expected version must be an integer >= 0, got ${expected}`);
      return expected === 0 ? NO_STREAM : BigInt(expected - 1);
  }
}

function isSystem(streamId: string, type: string): boolean {
  return streamId.startsWith('$') || type.startsWith('$');
}

function asObject(value: unknown): JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Uint8Array) ? (value as JsonObject) : {};
}

function toRecordedEvent(resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent | undefined {
  const event = resolved.event;
  if (!event || isSystem(event.streamId, event.type)) return undefined;
  return {
    id: event.id,
    streamId: event.streamId,
    version: Number(event.revision) + 1,
    type: event.type,
    data: asObject(event.data),
    metadata: asObject(event.metadata),
    recordedAt: event.created,
    checkpoint: event.position ? { commit: Number(event.position.commit), position: Number(event.position.prepare) } : START,
  };
}

function readPosition(checkpoint: Checkpoint): ReadPosition {
  return compareCheckpoints(checkpoint, START) === 0 ? ESDB_START : { commit: BigInt(checkpoint.commit), prepare: BigInt(checkpoint.position) };
}

/** Connects to EventStoreDB at `url` (esdb://host:2113?tls=false). */
export function esdbEventStore(url: string, logger: Logger): EventStore {
  const client = EventStoreDBClient.connectionString(url);

  /** Non-system events after `after` in $all order, until `visit` returns false or the log ends. */
  async function scanAll(after: Checkpoint, visit: (event: RecordedEvent) => boolean): Promise<void> {
    let from = after;
    for (;;) {
      let records = 0;
      let lastSeen: Checkpoint | undefined;
      for await (const resolved of client.readAll({ fromPosition: readPosition(from), maxCount: PAGE, direction: FORWARDS })) {
        records += 1;
        const position = resolved.event?.position;
        if (!position) continue;
        const checkpoint = { commit: Number(position.commit), position: Number(position.prepare) };
        // The read starts AT `from` (inclusive): skip what the caller has already seen.
        if (compareCheckpoints(checkpoint, after) <= 0) continue;
        lastSeen = checkpoint;
        const event = toRecordedEvent(resolved);
        if (event && !visit(event)) return;
      }
      if (records < PAGE || !lastSeen) return;
      from = lastSeen;
    }
  }

  return {
    kind: 'esdb',

    async append(streamId, events, { expectedVersion }) {
      const data = events.map((event) => jsonEvent({ id: event.id ?? randomUUID(), type: event.type, data: event.data, metadata: event.metadata }));
      try {
        const result = await client.appendToStream(streamId, data, { expectedRevision: expectedRevision(expectedVersion) });
        const version = Number(result.nextExpectedRevision) + 1;
        // EventStoreDB acknowledges an idempotent retry like a fresh write, so `duplicate` cannot be known here.
        return { streamId, version, versions: events.map((_, index) => version - events.length + 1 + index), duplicate: false };
      } catch (error) {
        if (error instanceof EsdbWrongExpectedVersionError) {
          const actual = error.actualVersion;
          throw new WrongExpectedVersionError(streamId, expectedVersion, typeof actual === 'bigint' ? Number(actual) + 1 : 0);
        }
        throw error;
      }
    },

    async readStream(streamId, options = {}) {
      const from = options.fromVersion ?? 1;
      const to = options.toVersion ?? Number.MAX_SAFE_INTEGER;
      if (to < from) return [];
      const events: RecordedEvent[] = [];
      try {
        const reading = client.readStream(streamId, { fromRevision: BigInt(Math.max(from, 1) - 1), direction: FORWARDS, maxCount: to - from + 1 });
        for await (const resolved of reading) {
          const event = toRecordedEvent(resolved);
          if (event) events.push(event);
        }
      } catch (error) {
        if (error instanceof StreamNotFoundError) return [];
        throw error;
      }
      return events;
    },

    async streamVersion(streamId) {
      try {
        for await (const resolved of client.readStream(streamId, { fromRevision: END, direction: BACKWARDS, maxCount: 1 })) {
          if (resolved.event) return Number(resolved.event.revision) + 1;
        }
      } catch (error) {
        if (error instanceof StreamNotFoundError) return 0;
        throw error;
      }
      return 0;
    },

    async readAll(after, maxCount) {
      const events: RecordedEvent[] = [];
      if (maxCount <= 0) return events;
      await scanAll(after, (event) => {
        events.push(event);
        return events.length < maxCount;
      });
      return events;
    },

    async head() {
      for await (const resolved of client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: PAGE })) {
        const event = toRecordedEvent(resolved);
        if (event) return event.checkpoint;
      }
      return START;
    },

    async countAfter(after, cap) {
      let count = 0;
      if (cap <= 0) return 0;
      await scanAll(after, () => ++count < cap);
      return count;
    },

    async onAppend(onAppend) {
      const subscription = client.subscribeToAll({ fromPosition: END, filter: excludeSystemEvents() });
      subscription.on('data', () => onAppend());
      // A dropped subscription only loses hints; readers keep polling.
      subscription.on('error', (error) => logger.warn({ err: error }, 'EventStoreDB wake-up subscription failed; relying on polling'));
      return async () => {
        await subscription.unsubscribe().catch(() => undefined);
      };
    },

    async ping() {
      for await (const _ of client.readAll({ fromPosition: ESDB_START, direction: FORWARDS, maxCount: 1 })) break;
    },

    close: () => client.dispose(),
  };
}
