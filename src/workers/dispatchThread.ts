// Runs one dispatch solve in a worker thread, so the event loop of the process (HTTP,
// projections, leases) stays responsive however long the search takes.
import type { DispatchRequest } from '../domain/dispatch.js';
import { startModuleThread } from '../infra/workerThread.js';
import type { DispatchProgress, SolveDispatchOutcome } from '../solver/routing/index.js';

export interface DispatchThreadOptions {
  timeLimitMs: number;
  unimprovedLimitMs: number;
  seed: number;
  onProgress(progress: DispatchProgress): void;
  /** Aborting stops the search; the thread then returns its best plan so far. */
  signal: AbortSignal;
}

/** Messages from dispatchThreadMain.ts. */
export type DispatchThreadMessage =
  | { kind: 'progress'; progress: DispatchProgress }
  | { kind: 'done'; outcome: SolveDispatchOutcome }
  | { kind: 'error'; message: string };

export interface DispatchThreadInput {
  request: DispatchRequest;
  timeLimitMs: number;
  unimprovedLimitMs: number;
  seed: number;
  cancelFlag: Int32Array;
}

export function solveDispatchInThread(request: DispatchRequest, options: DispatchThreadOptions): Promise<SolveDispatchOutcome> {
  const cancelFlag = new Int32Array(new SharedArrayBuffer(4));
  const cancel = () => Atomics.store(cancelFlag, 0, 1);
  if (options.signal.aborted) cancel();
  options.signal.addEventListener('abort', cancel, { once: true });
  const input: DispatchThreadInput = { request, timeLimitMs: options.timeLimitMs, unimprovedLimitMs: options.unimprovedLimitMs, seed: options.seed, cancelFlag };
  const worker = startModuleThread(import.meta.url, './dispatchThreadMain', input);
  return new Promise<SolveDispatchOutcome>((resolve, reject) => {
    let settled = false;
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      options.signal.removeEventListener('abort', cancel);
      finish();
      void worker.terminate();
    };
    worker.on('message', (message: DispatchThreadMessage) => {
      switch (message.kind) {
        case 'progress':
          options.onProgress(message.progress);
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
    worker.on('exit', (code) => settle(() => reject(new Error(`dispatch thread exited with code ${code} before answering`))));
  });
}
