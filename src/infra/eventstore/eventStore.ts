// The event store port. Adapters: SQL tables on PostgreSQL or embedded PGlite (sqlEventStore.ts)
// and EventStoreDB (esdbEventStore.ts). Versions count events: a new stream is at version 0 and its
// first event has version 1.

/** JSON values as stored in event data and metadata. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** What an append expects of the stream: any state, absent, present, or exactly at a version. */
export type ExpectedVersion = 'any' | 'no_stream' | 'exists' | number;

/**
 * A place in the global commit order, compared as a pair. SQL store: (writer's transaction id,
 * event position); EventStoreDB: (commit position, prepare position). `START` is before everything.
 */
export interface Checkpoint {
  readonly commit: number;
  readonly position: number;
}

export const START: Checkpoint = Object.freeze({ commit: 0, position: 0 });

/** -1, 0 or 1 as `a` is before, at or after `b` in commit order. */
export function compareCheckpoints(a: Checkpoint, b: Checkpoint): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.position !== b.position) return a.position < b.position ? -1 : 1;
  return 0;
}

export interface NewEvent {
  /** A UUID; appending an id that is already stored in the stream is a no-op. Generated when absent. */
  readonly id?: string;
  readonly type: string;
  readonly data: JsonObject;
  readonly metadata: JsonObject;
}

export interface RecordedEvent {
  readonly id: string;
  readonly streamId: string;
  readonly version: number;
  readonly type: string;
  readonly data: JsonObject;
  readonly metadata: JsonObject;
  readonly recordedAt: Date;
  /** This event's place in the global order; a reader resumes after it. */
  readonly checkpoint: Checkpoint;
}

export interface AppendResult {
  readonly streamId: string;
  /** The stream's version after the append. */
  readonly version: number;
  /** Versions given to the events of this append, in order. */
  readonly versions: readonly number[];
  /** True when every event id was already stored: nothing was written (an idempotent retry). */
  readonly duplicate: boolean;
}

/** The stream was not at the expected version. */
export class WrongExpectedVersionError extends Error {
  override readonly name = 'WrongExpectedVersionError';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedVersion,
    /** The stream's version when the append was refused (0: no stream). */
    readonly actualVersion: number,
  ) {
    super(`stream ${streamId}: expected version ${String(expected)}, actual ${actualVersion}`);
  }
}

/** Some of the appended event ids are already stored, but not exactly this batch in this stream. */
export class EventIdClashError extends Error {
  override readonly name = 'EventIdClashError';
  constructor(readonly streamId: string) {
    super(`stream ${streamId}: some event ids are already stored elsewhere or in another batch`);
  }
}

export interface ReadStreamOptions {
  /** First version to return (inclusive, default 1). */
  readonly fromVersion?: number;
  /** Last version to return (inclusive, default: the head). */
  readonly toVersion?: number;
}

/** The event store port. */
export interface EventStore {
  readonly kind: 'postgres' | 'pglite' | 'esdb';
  /** Appends in order, atomically; throws WrongExpectedVersionError or EventIdClashError. */
  append(streamId: string, events: readonly NewEvent[], options: { expectedVersion: ExpectedVersion }): Promise<AppendResult>;
  /** A stream's events in version order (empty for a stream that does not exist). */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** The stream's head version; 0 when it does not exist. */
  streamVersion(streamId: string): Promise<number>;
  /**
   * Up to `maxCount` events strictly after `after`, in commit order. Never returns an event that a
   * later call could place before one already returned, so a reader may resume from the last one.
   */
  readAll(after: Checkpoint, maxCount: number): Promise<RecordedEvent[]>;
  /** The checkpoint of the last event readAll can currently return (START when there is none). */
  head(): Promise<Checkpoint>;
  /** How many events readAll would return after `after`, counting at most `cap`. */
  countAfter(after: Checkpoint, cap: number): Promise<number>;
  /**
   * Calls `onAppend` soon after events are appended (by any process). A hint only: it may be
   * late, merged or lost, so readers poll too. Resolves to a function that stops it.
   */
  onAppend(onAppend: () => void): Promise<() => Promise<void>>;
  /** Throws when the store cannot be reached; for /health. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
