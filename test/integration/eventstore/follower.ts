// A test reader that follows all events through subscribeToAll and records what it saw.
import type { Checkpoint, EventStore, RecordedEvent } from '../../../src/infra/eventstore/eventStore.js';
import { subscribeToAll } from '../../../src/infra/eventstore/subscription.js';

export interface Follower {
  readonly seen: RecordedEvent[];
  /** Resolves once `count` events were seen; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function follow(store: EventStore, after: Checkpoint, options: { pollIntervalMs?: number; batchSize?: number } = {}): Promise<Follower> {
  const seen: RecordedEvent[] = [];
  const errors: unknown[] = [];
  const subscription = await subscribeToAll(
    store,
    after,
    async (events) => {
      seen.push(...events);
    },
    { pollIntervalMs: options.pollIntervalMs ?? 50, batchSize: options.batchSize ?? 200, onError: (error) => errors.push(error) },
  );
  return {
    seen,
    async waitFor(count, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (seen.length < count) {
        if (errors.length) throw errors[0];
        if (Date.now() > deadline) throw new Error(`follower saw ${seen.length} of ${count} events within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    stop: () => subscription.stop(),
  };
}
