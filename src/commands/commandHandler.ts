// Command handling shared by every aggregate: decode (io-ts) → load the stream → pure decider →
// append with the version read. Every event gets the command's metadata; a command retried with
// the same idempotency key (or command id) returns its first result and appends nothing.
import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import type { DomainEvent, EventMetadata } from '../domain/events.js';
import { WrongExpectedVersionError, type EventStore, type JsonObject, type NewEvent, type RecordedEvent } from '../infra/eventstore/eventStore.js';
import { fold, type Decider } from './decider.js';
import type { StateCache } from './stateCache.js';
import { formatErrors, type FieldError } from '../domain/fieldErrors.js';
import { commandFingerprint, eventIdFor, type CommandResultStore, type StoredCommandResult } from './idempotency.js';

/** Everything the handler needs to know about one aggregate type. */
export interface Aggregate<Command, Event extends DomainEvent, State, Rejection> {
  /** Names the aggregate, e.g. `schedule`; part of the idempotency fingerprint. */
  readonly name: string;
  readonly commandCodec: t.Decoder<unknown, Command>;
  /** Encodes events to stored JSON data and decodes them back. */
  readonly eventCodec: t.Type<Event, unknown, unknown>;
  /** Encodes refusals so a retried command can return the first one. */
  readonly rejectionCodec: t.Type<Rejection, unknown, unknown>;
  readonly decider: Decider<Command, Event, State, Rejection>;
  /** The stream the command addresses, e.g. `schedule-${context.orgId}-${command.scheduleId}`. */
  streamId(command: Command, context: CommandContext): string;
  /** Schema version stored with an event (default 1). */
  schemaVersion?(event: Event): number;
}

/** Who sent a command, when, and how it relates to others; copied into every event's metadata. */
export interface CommandContext {
  readonly commandId: string;
  readonly orgId: string;
  readonly actorKeyId: string;
  /** When the command happened (ISO 8601); the decider's only notion of now. */
  readonly occurredAt: string;
  /** Defaults to the command id (the command starts a new flow). */
  readonly correlationId?: string;
  /** Defaults to the command id. */
  readonly causationId?: string;
  /** The Idempotency-Key header; the command id serves when absent. */
  readonly idempotencyKey?: string;
  /** From If-Match: act only if the stream is at exactly this version. */
  readonly expectedVersion?: number;
}

export type CommandOutcome<Event, Rejection> =
  | {
      readonly kind: 'accepted';
      readonly streamId: string;
      /** The stream's version after the command: the next ETag. */
      readonly version: number;
      readonly events: readonly Event[];
      readonly eventIds: readonly string[];
      /** True when this is the stored first result of an earlier attempt. */
      readonly replayed: boolean;
    }
  | { readonly kind: 'rejected'; readonly streamId: string; readonly version: number; readonly rejection: Rejection; readonly replayed: boolean }
  | { readonly kind: 'invalid'; readonly errors: readonly FieldError[] }
  | { readonly kind: 'conflict'; readonly streamId: string; readonly expectedVersion: number; readonly actualVersion: number }
  /** The idempotency key was used before for a different command. */
  | { readonly kind: 'key_reused'; readonly idempotencyKey: string };

export interface CommandHandlerDeps {
  readonly eventStore: EventStore;
  readonly results: CommandResultStore;
  /** Load-decide-append attempts when a concurrent writer moves the stream and no If-Match was given (default 3). */
  readonly maxAttempts?: number;
  /** Recently folded states, so a command reads only the newer events of its stream. */
  readonly states?: StateCache;
}

/** The stream's current state and version: the cached fold plus the events appended since. */
async function loadState<Command, Event extends DomainEvent, State, Rejection>(
  deps: CommandHandlerDeps,
  aggregate: Aggregate<Command, Event, State, Rejection>,
  streamId: string,
): Promise<{ state: State; version: number }> {
  const key = `${aggregate.name}\u0000${streamId}`;
  const cached = deps.states?.get(key) as { version: number; state: State } | undefined;
  const newer = await deps.eventStore.readStream(streamId, cached ? { fromVersion: cached.version + 1 } : undefined);
  const state = fold(aggregate.decider, decodeEvents(aggregate.eventCodec, newer), cached?.state ?? aggregate.decider.initialState);
  const version = newer.length ? newer[newer.length - 1].version : (cached?.version ?? 0);
  deps.states?.set(key, version, state);
  return { state, version };
}

// How a first result is kept in the CommandResultStore.
const StoredOutcome = t.union([
  t.type({ kind: t.literal('accepted'), streamId: t.string, version: t.number, events: t.array(t.unknown), eventIds: t.array(t.string) }),
  t.type({ kind: t.literal('rejected'), streamId: t.string, version: t.number, rejection: t.unknown }),
]);
type StoredOutcome = t.TypeOf<typeof StoredOutcome>;

function asJsonObject(value: unknown, what: string): JsonObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new TypeError(`${what} must encode to a JSON object`);
  return JSON.parse(JSON.stringify(value)) as JsonObject;
}

function decodeOrThrow<A>(codec: t.Decoder<unknown, A>, value: unknown, what: string): A {
  const decoded = codec.decode(value);
  if (isLeft(decoded)) {
    const paths = formatErrors(decoded.left).map((error) => error.path || '(root)');
    throw new Error(`${what} does not decode (${paths.join(', ')})`);
  }
  return decoded.right;
}

/** Decodes stored events for a decider; a stored event that no longer decodes is a bug, so it throws. */
export function decodeEvents<Event extends DomainEvent>(codec: t.Decoder<unknown, Event>, events: readonly RecordedEvent[]): Event[] {
  return events.map((event) => decodeOrThrow(codec, event.data, `event ${event.streamId}@${event.version} (${event.type})`));
}

export async function handleCommand<Command, Event extends DomainEvent, State, Rejection>(
  deps: CommandHandlerDeps,
  aggregate: Aggregate<Command, Event, State, Rejection>,
  input: unknown,
  context: CommandContext,
): Promise<CommandOutcome<Event, Rejection>> {
  const decoded = aggregate.commandCodec.decode(input);
  if (isLeft(decoded)) return { kind: 'invalid', errors: formatErrors(decoded.left) };
  const command = decoded.right;

  const key = context.idempotencyKey ?? context.commandId;
  // Only a command sent with an idempotency key can be retried, so only its first result is kept
  // (and looked up). Without one nothing is stored for it, not even a refusal: a rejected request
  // writes nothing. Event ids derive from the key either way, so a repeated append is a no-op.
  const retryable = context.idempotencyKey !== undefined;
  const fingerprint = commandFingerprint(aggregate.name, input);
  const previous = retryable ? await deps.results.find(context.orgId, key) : undefined;
  if (previous) return replayed(aggregate, previous, fingerprint, key);

  const streamId = aggregate.streamId(command, context);
  const attempts = context.expectedVersion === undefined ? Math.max(1, deps.maxAttempts ?? 3) : 1;
  let conflict: CommandOutcome<Event, Rejection> | undefined;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const { state, version } = await loadState(deps, aggregate, streamId);
    if (context.expectedVersion !== undefined && context.expectedVersion !== version) {
      return { kind: 'conflict', streamId, expectedVersion: context.expectedVersion, actualVersion: version };
    }
    const decision = aggregate.decider.decide(command, state);

    if (!decision.ok) {
      const outcome: StoredOutcome = { kind: 'rejected', streamId, version, rejection: aggregate.rejectionCodec.encode(decision.rejection) };
      return keepFirst(deps, aggregate, context, key, fingerprint, outcome);
    }

    const newEvents: NewEvent[] = decision.events.map((event, index) => ({
      id: eventIdFor(context.orgId, key, index),
      type: event.type,
      data: asJsonObject(aggregate.eventCodec.encode(event), `event ${event.type}`),
      metadata: metadataFor(context, aggregate.schemaVersion?.(event) ?? 1),
    }));
    try {
      const appended = newEvents.length
        ? await deps.eventStore.append(streamId, newEvents, { expectedVersion: version })
        : { version, versions: [] };
      const outcome: StoredOutcome = {
        kind: 'accepted',
        streamId,
        version: appended.version,
        events: newEvents.map((event) => event.data),
        eventIds: newEvents.map((event) => event.id as string),
      };
      return keepFirst(deps, aggregate, context, key, fingerprint, outcome);
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
      conflict = { kind: 'conflict', streamId, expectedVersion: version, actualVersion: error.actualVersion };
    }
  }
  return conflict as CommandOutcome<Event, Rejection>;
}

function metadataFor(context: CommandContext, schemaVersion: number): JsonObject {
  const metadata: EventMetadata = {
    commandId: context.commandId,
    correlationId: context.correlationId ?? context.commandId,
    causationId: context.causationId ?? context.commandId,
    actorKeyId: context.actorKeyId,
    orgId: context.orgId,
    occurredAt: context.occurredAt,
    schemaVersion,
  };
  return { ...metadata };
}

/** Saves the outcome unless a concurrent attempt saved one first, and returns the one kept. */
async function keepFirst<Command, Event extends DomainEvent, State, Rejection>(
  deps: CommandHandlerDeps,
  aggregate: Aggregate<Command, Event, State, Rejection>,
  context: CommandContext,
  key: string,
  fingerprint: string,
  outcome: StoredOutcome,
): Promise<CommandOutcome<Event, Rejection>> {
  if (context.idempotencyKey === undefined) return toOutcome(aggregate, outcome, false);
  const { kept, saved } = await deps.results.save(context.orgId, key, { commandId: context.commandId, fingerprint, result: asJsonObject(outcome, 'command result') });
  return saved ? toOutcome(aggregate, outcome, false) : replayed(aggregate, kept, fingerprint, key);
}

function replayed<Command, Event extends DomainEvent, State, Rejection>(
  aggregate: Aggregate<Command, Event, State, Rejection>,
  stored: StoredCommandResult,
  fingerprint: string,
  key: string,
): CommandOutcome<Event, Rejection> {
  if (stored.fingerprint !== fingerprint) return { kind: 'key_reused', idempotencyKey: key };
  return toOutcome(aggregate, decodeOrThrow(StoredOutcome, stored.result, `stored result of ${key}`), true);
}

function toOutcome<Command, Event extends DomainEvent, State, Rejection>(
  aggregate: Aggregate<Command, Event, State, Rejection>,
  outcome: StoredOutcome,
  wasReplayed: boolean,
): CommandOutcome<Event, Rejection> {
  switch (outcome.kind) {
    case 'accepted':
      return {
        kind: 'accepted',
        streamId: outcome.streamId,
        version: outcome.version,
        events: outcome.events.map((data) => decodeOrThrow(aggregate.eventCodec, data, `stored event of ${outcome.streamId}`)),
        eventIds: outcome.eventIds,
        replayed: wasReplayed,
      };
    case 'rejected':
      return {
        kind: 'rejected',
        streamId: outcome.streamId,
        version: outcome.version,
        rejection: decodeOrThrow(aggregate.rejectionCodec, outcome.rejection, `stored rejection of ${outcome.streamId}`),
        replayed: wasReplayed,
      };
    default: {
      const unexpected: never = outcome;
      throw new Error(`unknown stored outcome ${JSON.stringify(unexpected)}`);
    }
  }
}
