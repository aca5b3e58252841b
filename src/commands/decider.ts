// The shape of every aggregate's business rules: a pure decider. Time and ids arrive inside the
// command; a decider never reads a clock, a random source or the database.
import type { DomainEvent } from '../domain/events.js';

/** What a decider answers: the events that happen, or why the command is refused. */
export type Decision<Event, Rejection> =
  | { readonly ok: true; readonly events: readonly Event[] }
  | { readonly ok: false; readonly rejection: Rejection };

export const accept = <Event>(...events: Event[]): Decision<Event, never> => ({ ok: true, events });
export const reject = <Rejection>(rejection: Rejection): Decision<never, Rejection> => ({ ok: false, rejection });

export interface Decider<Command, Event extends DomainEvent, State, Rejection> {
  readonly initialState: State;
  evolve(state: State, event: Event): State;
  decide(command: Command, state: State): Decision<Event, Rejection>;
}

/** The state after `events`, starting from `state` (the decider's initial state by default). */
export function fold<Event extends DomainEvent, State>(
  decider: Pick<Decider<unknown, Event, State, unknown>, 'initialState' | 'evolve'>,
  events: Iterable<Event>,
  state: State = decider.initialState,
): State {
  let current = state;
  for (const event of events) current = decider.evolve(current, event);
  return current;
}
