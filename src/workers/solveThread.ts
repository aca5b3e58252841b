// Runs one roster solve in a worker thread, so the event loop of the process (HTTP, projections,
// leases) stays responsive however long the search takes.
import type { RosterProblem, Score } from '../domain/roster.js';
import { startModuleThread } from '../infra/workerThread.js';
import type { SolveOutcome } from '../solver/solve.js';

export interface ThreadSolveOptions {
  timeLimitMs: number;
  unimprovedLimitMs: number;
  seed: number;
  onProgress(best: Score, elapsedMs: number): void;
  /** Aborting stops the search; the thread then returns its best roster so far. */
  signal: AbortSignal;
}

/** Messages from solveThreadMain.ts. */
export type ThreadMessage =
  | { kind: 'progress'; best: Score; elapsedMs: number }
  | { kind: 'done'; outcome: SolveOutcome }
  | { kind: 'error'; message: string };

export interface ThreadInput {
  problem: RosterProblem;
  timeLimitMs: number;
  unimprovedLimitMs: number;
  seed: number;
  cancelFlag: Int32Array;
}

export function solveInThread(problem: RosterProblem, options: ThreadSolveOptions): Promise<SolveOutcome> {
  const cancelFlag = new Int32Array(new SharedArrayBuffer(4));
  const cancel = () => Atomics.store(cancelFlag, 0, 1);
  if (options.signal.aborted) cancel();
  options.signal.addEventListener('abort', cancel, { once: true });
  const input: ThreadInput = { problem, timeLimitMs: options.timeLimitMs, unimprovedLimitMs: options.unimprovedLimitMs, seed: options.seed, cancelFlag };
  const worker = startModuleThread(import.meta.url, './solveThreadMain', input);
  return new Promise<SolveOutcome>((resolve, reject) => {
    let settled = false;
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      options.signal.removeEventListener('abort', cancel);
      finish();
      void worker.terminate();
    };
    worker.on('message', (message: ThreadMessage) => {
      switch (message.kind) {
        case 'progress':
          options.onProgress(message.best, message.elapsedMs);
          return;
        case 'done':
          return settle(() => resolve(message.outcome));
        case 'error':
          return settle(() => reject(new Error(message.message)));
        default: {
          const unknown: never = message;
          return unknown;
        }
      }
    });
    worker.on('error', (error) => settle(() => reject(error)));
    worker.on('exit', (code) => settle(() => reject(new Error(`solver thread exited with code ${code} before answering`))));
  });
}
