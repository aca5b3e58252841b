// The opening of every solve job (a schedule or a dispatch generation): read the aggregate's
// stream, skip a generation that was superseded or finished meanwhile, fail one whose workers
// died too often, else append the start. What follows — the solve and its results — differs per job.
import { decodeEvents, handleCommand, type Aggregate, type CommandOutcome } from '../commands/commandHandler.js';
import { fold } from '../commands/decider.js';
import type { DomainEvent } from '../domain/events.js';
import type { RecordedEvent } from '../infra/eventstore/eventStore.js';
import type { Job } from './jobQueue.js';
import { jobCommandContext, type JobOutcome, type JobRun } from './jobWorker.js';

/** The part of a generation-owning aggregate's state a job needs. */
export interface GenerationState {
  generation: number;
  status: string;
}

export interface GenerationStartOptions<Command, Event extends DomainEvent, State, Rejection> {
  aggregate: Aggregate<Command, Event, State, Rejection>;
  streamId: string;
  /** Event types that ask for a generation; the last one's flow is the flow of all we append. */
  triggers: ReadonlySet<string>;
  maxAttempts: number;
  startCommand: NoInfer<Command>;
  failCommand: (reason: string) => NoInfer<Command>;
}

export interface StartedGeneration<Command, Event, State, Rejection> {
  state: State;
  /** The stream's version after the start: the solve watches the stream from there. */
  version: number;
  /** Sends a command of this job (one idempotent command per step). */
  send: (command: Command, step: string) => Promise<CommandOutcome<Event, Rejection>>;
}

/** Starts the job's generation, or says how the job ended without a solve. */
export async function startGeneration<Command, Event extends DomainEvent, State extends GenerationState, Rejection>(
  job: Job,
  run: JobRun,
  options: GenerationStartOptions<Command, Event, State, Rejection>,
): Promise<StartedGeneration<Command, Event, State, Rejection> | JobOutcome> {
  const { commands, workerId } = run;
  const { aggregate, maxAttempts } = options;
  const recorded = await commands.eventStore.readStream(options.streamId);
  const state = fold(aggregate.decider, decodeEvents(aggregate.eventCodec, recorded));
  const trigger: RecordedEvent | undefined = [...recorded].reverse().find((e) => options.triggers.has(e.type));
  const send = (command: Command, step: string) => handleCommand(commands, aggregate, command, jobCommandContext(job, workerId, step, trigger));

  const pending = state.generation === job.generation && (state.status === 'requested' || state.status === 'generating');
  if (!pending) return 'skipped'; // superseded, cancelled or finished meanwhile
  if (job.attempts > maxAttempts) {
    await send(options.failCommand(`abandoned: ${maxAttempts} workers stopped before finishing`), 'fail');
    return 'error';
  }
  const started = await send(options.startCommand, 'start');
  if (started.kind !== 'accepted') return 'skipped';
  return { state, version: started.version, send };
}
