// Entry of a dispatch solver thread (see dispatchThread.ts): solve, posting progress, then the result.
import { parentPort, workerData } from 'node:worker_threads';
import { solveDispatch } from '../solver/routing/index.js';
import type { DispatchThreadInput, DispatchThreadMessage } from './dispatchThread.js';

const input = workerData as DispatchThreadInput;
const post = (message: DispatchThreadMessage) => parentPort!.postMessage(message);
try {
  const outcome = solveDispatch(input.request, {
    timeLimitMs: input.timeLimitMs,
    unimprovedLimitMs: input.unimprovedLimitMs,
    seed: input.seed,
    cancelFlag: input.cancelFlag,
    onProgress: (progress) => post({ kind: 'progress', progress }),
  });
  post({ kind: 'done', outcome });
} catch (error) {
  post({ kind: 'error', message: (error as Error).message || String(error) });
}
