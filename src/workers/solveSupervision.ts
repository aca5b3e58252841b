// What a job does around a running solve: it records the solver's progress at most once per
// interval (always the latest, in order), and watches the subject's stream for an event that ends
// the generation (a cancellation, a newer generation), stopping the solve when one appears.
import type { EventStore } from '../infra/eventstore/eventStore.js';
import type { Logger } from '../infra/logger.js';

export interface SupervisionOptions<Progress> {
  eventStore: EventStore;
  streamId: string;
  /** The stream version the solve started at; only later events are watched. */
  fromVersion: number;
  /** Event types that end this generation. */
  stopOn: ReadonlySet<string>;
  /** Aborted from outside (worker stopping, lease lost): stop too. */
  outer: AbortSignal;
  progressIntervalMs: number;
  checkIntervalMs: number;
  /** Appends one progress event; `step` is unique per write (it names the command). */
  writeProgress(progress: Progress, step: string): Promise<unknown>;
  logger: Logger;
}

export interface Supervision<Progress> {
  /** Aborted when the solve should stop. */
  readonly signal: AbortSignal;
  /** The solver's progress callback. */
  offer(progress: Progress): void;
  /** Stops watching and waits for the progress already being written. */
  finish(): Promise<void>;
}

export function superviseSolve<Progress>(options: SupervisionOptions<Progress>): Supervision<Progress> {
  const stop = new AbortController();
  const onOuterAbort = () => stop.abort();
  options.outer.addEventListener('abort', onOuterAbort, { once: true });
  if (options.outer.aborted) stop.abort();

  let version = options.fromVersion;
  let pending: Progress | undefined;
  let lastWriteAt = 0;
  let writes = 0;
  let written = Promise.resolve();
  const flush = () => {
    if (pending === undefined) return;
    const progress = pending;
    pending = undefined;
    lastWriteAt = performance.now();
    const step = `progress-${++writes}`;
    written = written
      .then(() => options.writeProgress(progress, step))
      .then(() => undefined, (error: unknown) => options.logger.warn({ err: error }, 'progress not recorded'));
  };
  const due = () => performance.now() - lastWriteAt >= options.progressIntervalMs;

  const watch = setInterval(() => {
    if (due()) flush();
    options.eventStore.readStream(options.streamId, { fromVersion: version + 1 }).then(
      (newer) => {
        if (newer.length) version = newer[newer.length - 1].version;
        if (newer.some((event) => options.stopOn.has(event.type))) stop.abort();
      },
      (error: unknown) => options.logger.warn({ err: error }, 'could not watch the stream'),
    );
  }, options.checkIntervalMs);

  return {
    signal: stop.signal,
    offer(progress) {
      pending = progress;
      if (due()) flush();
    },
    async finish() {
      clearInterval(watch);
      options.outer.removeEventListener('abort', onOuterAbort);
      await written;
    },
  };
}
