// One warm worker thread that runs roster and dispatch solves, one at a time, off the event loop
// of the process (HTTP, projections, leases). Starting a thread and loading the solver takes
// hundreds of milliseconds, so a job worker keeps its thread for all its jobs; a thread that dies
// is replaced at the next solve. With more than one roster thread, a roster solve runs the solver's
// portfolio (solve.ts) from this thread: its search threads start per solve, and the last of them
// dives by column generation and re-plans by MIP — what the benchmark's rosters come from.
import type { Worker } from 'node:worker_threads';
import type { DispatchRequest } from '../domain/dispatch.js';
import type { RosterProblem, Score } from '../domain/roster.js';
import { startModuleThread } from '../infra/workerThread.js';
import type { DispatchProgress, SolveDispatchOutcome } from '../solver/routing/index.js';
import type { SolveOutcome } from '../solver/solve.js';

export interface SolveLimits {
  timeLimitMs: number;
  unimprovedLimitMs: number;
  seed: number;
}

/** What the thread solves; each kind has its progress and outcome types. */
export type SolveTask =
  | { kind: 'roster'; problem: RosterProblem; limits: SolveLimits }
  | { kind: 'dispatch'; request: DispatchRequest; limits: SolveLimits };

interface Results {
  roster: { progress: { best: Score; elapsedMs: number }; outcome: SolveOutcome };
  dispatch: { progress: DispatchProgress; outcome: SolveDispatchOutcome };
}

/** Messages to and from solverThreadMain.ts. */
export interface ThreadData {
  rosterThreads: number;
}
export interface ThreadRequest {
  task: SolveTask;
  cancelFlag: Int32Array;
}
export type ThreadReply = { kind: 'progress'; progress: unknown } | { kind: 'done'; outcome: unknown } | { kind: 'error'; message: string };

export class SolverThread {
  private worker: Worker | undefined;
  private busy = false;

  /** `rosterThreads`: threads (cores) one roster solve uses; dispatch solves use one. */
  constructor(private readonly rosterThreads = 1) {}

  /** Solves `task`; aborting `signal` makes the thread return its best result so far. */
  run<K extends SolveTask['kind']>(
    task: Extract<SolveTask, { kind: K }>,
    onProgress: (progress: Results[K]['progress']) => void,
    signal: AbortSignal,
  ): Promise<Results[K]['outcome']> {
    if (this.busy) return Promise.reject(new Error('the solver thread is already solving'));
    this.busy = true;
    const worker = (this.worker ??= startModuleThread(import.meta.url, './solverThreadMain', { rosterThreads: this.rosterThreads } satisfies ThreadData));
    const cancelFlag = new Int32Array(new SharedArrayBuffer(4));
    const cancel = () => Atomics.store(cancelFlag, 0, 1);
    if (signal.aborted) cancel();
    signal.addEventListener('abort', cancel, { once: true });

    return new Promise<Results[K]['outcome']>((resolve, reject) => {
      const settle = (finish: () => void) => {
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
        signal.removeEventListener('abort', cancel);
        this.busy = false;
        finish();
      };
      const onMessage = (reply: ThreadReply) => {
        switch (reply.kind) {
          case 'progress':
            return onProgress(reply.progress as Results[K]['progress']);
          case 'done':
            return settle(() => resolve(reply.outcome as Results[K]['outcome']));
          case 'error':
            return settle(() => reject(new Error(reply.message)));
          default: {
            const unknown: never = reply;
            return unknown;
          }
        }
      };
      const onError = (error: Error) => {
        this.worker = undefined;
        void worker.terminate();
        settle(() => reject(error));
      };
      const onExit = (code: number) => {
        this.worker = undefined;
        settle(() => reject(new Error(`solver thread exited with code ${code} before answering`)));
      };
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
      worker.postMessage({ task, cancelFlag } satisfies ThreadRequest);
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }
}
