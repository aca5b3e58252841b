// The envelope every stored event travels in, independent of what the event says. Deciders produce
// bare domain events ({ type, ... }); the command handler wraps them with this metadata so the
// audit history can always answer who did what, when, through which command and in which flow.
import * as t from 'io-ts';

/** Who caused an event and in which flow; stored beside every event. */
export const EventMetadataCodec = t.type({
  /** The command that produced the event. */
  commandId: t.string,
  /** The first command or request of the flow this event belongs to. */
  correlationId: t.string,
  /** The command or event that directly caused this one. */
  causationId: t.string,
  /** Key id of the API key (or service) that sent the command. */
  actorKeyId: t.string,
  orgId: t.string,
  /** When the command said it happened (ISO 8601); time comes with the command, never from a clock inside a decider. */
  occurredAt: t.string,
  /** Version of the event's data shape, so old events can be upcast when shapes change. */
  schemaVersion: t.number,
});
export type EventMetadata = t.TypeOf<typeof EventMetadataCodec>;

/** A domain event: a discriminated union member with a past-tense `type`. */
export interface DomainEvent {
  readonly type: string;
}

/** A domain event as read back from the store, with its place in the stream and its metadata. */
export interface EventEnvelope<Event extends DomainEvent> {
  readonly eventId: string;
  readonly streamId: string;
  /** 1 for the first event of a stream. */
  readonly version: number;
  readonly event: Event;
  readonly metadata: EventMetadata;
  /** When the store committed it. */
  readonly recordedAt: Date;
}
