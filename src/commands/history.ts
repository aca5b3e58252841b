// Audit history and time travel over any stream: who changed what, when, through which command
// and flow; and the state a decider would have seen as of a version or a moment.
import { isRight } from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { EventMetadataCodec, type DomainEvent, type EventMetadata } from '../domain/events.js';
import type { EventStore, JsonObject } from '../infra/eventstore/eventStore.js';
import { decodeEvents } from './commandHandler.js';
import { fold, type Decider } from './decider.js';

export interface HistoryEntry {
  readonly eventId: string;
  readonly version: number;
  readonly type: string;
  readonly data: JsonObject;
  readonly recordedAt: Date;
  /** Undefined only for events written without the standard metadata (e.g. by hand). */
  readonly metadata: EventMetadata | undefined;
}

/** A stream's events with their metadata, oldest first. */
export async function streamHistory(
  store: EventStore,
  streamId: string,
  range: { fromVersion?: number; toVersion?: number } = {},
): Promise<HistoryEntry[]> {
  const events = await store.readStream(streamId, range);
  return events.map((event) => {
    const metadata = EventMetadataCodec.decode(event.metadata);
    return {
      eventId: event.id,
      version: event.version,
      type: event.type,
      data: event.data,
      recordedAt: event.recordedAt,
      metadata: isRight(metadata) ? metadata.right : undefined,
    };
  });
}

/** As of a stream version (inclusive), or as of a moment: the events recorded up to then. */
export type AsOf = { readonly version: number } | { readonly at: Date };

export interface StateAsOf<State> {
  readonly state: State;
  /** The version the state includes (0: before the first event). */
  readonly version: number;
  /** When the last included event was recorded. */
  readonly recordedAt: Date | undefined;
}

/**
 * Folds a stream with `decider` up to a version or a moment (by the store's recorded time; the
 * command's own `occurredAt` is in each event's metadata for business-time questions).
 */
export async function stateAsOf<Event extends DomainEvent, State>(
  store: EventStore,
  streamId: string,
  model: { decider: Pick<Decider<unknown, Event, State, unknown>, 'initialState' | 'evolve'>; eventCodec: t.Decoder<unknown, Event> },
  asOf: AsOf,
): Promise<StateAsOf<State>> {
  const read = await store.readStream(streamId, 'version' in asOf ? { toVersion: asOf.version } : {});
  const included = 'at' in asOf ? read.filter((event) => event.recordedAt.getTime() <= asOf.at.getTime()) : read;
  const last = included[included.length - 1];
  return {
    state: fold(model.decider, decodeEvents(model.eventCodec, included)),
    version: last?.version ?? 0,
    recordedAt: last?.recordedAt,
  };
}
