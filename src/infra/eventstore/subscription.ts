// Catch-up-then-live subscription to all events, on any EventStore: read pages after the
// checkpoint until there is nothing more, then wait for an append hint or the poll interval.
// Polling is the safety net for lost hints; the store's readAll guarantees commit order.
import type { Checkpoint, EventStore, RecordedEvent } from './eventStore.js';
import { IdleBackoff, Wakeup } from './wakeup.js';

export interface SubscribeOptions {
  /** Events per readAll call (default 500). */
  batchSize?: number;
  /** Longest wait between reads when no hint arrives (default 1000 ms). */
  pollIntervalMs?: number;
  /** Called when a read or the handler fails; the subscription retries after the poll interval. */
  onError?: (error: unknown) => void;
}

export interface Subscription {
  /** The checkpoint of the last event handled. */
  readonly checkpoint: Checkpoint;
  stop(): Promise<void>;
}

/**
 * Calls `handle` with each batch of events after `after`, in commit order; the next batch is read
 * only after `handle` resolves. A failed batch is offered again.
 */
export async function subscribeToAll(
  store: EventStore,
  after: Checkpoint,
  handle: (events: readonly RecordedEvent[]) => Promise<void>,
  options: SubscribeOptions = {},
): Promise<Subscription> {
  const batchSize = options.batchSize ?? 500;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const wakeup = new Wakeup();
  const backoff = new IdleBackoff(pollIntervalMs);
  const stopListening = await store.onAppend(() => wakeup.signal());
  let checkpoint = after;
  let running = true;

  const loop = (async () => {
    while (running) {
      let full = false;
      try {
        const events = await store.readAll(checkpoint, batchSize);
        if (events.length > 0 && running) {
          await handle(events);
          checkpoint = events[events.length - 1].checkpoint;
          backoff.reset();
        }
        full = events.length === batchSize;
      } catch (error) {
        options.onError?.(error);
      }
      if (!full && running && (await wakeup.wait(backoff.next()))) backoff.reset();
    }
  })();

  return {
    get checkpoint() {
      return checkpoint;
    },
    async stop() {
      running = false;
      wakeup.signal();
      await loop;
      await stopListening();
    },
  };
}
