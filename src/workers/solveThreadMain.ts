// Entry of a solver thread (see solveThread.ts): solve, posting each new best score, then the result.
import { parentPort, workerData } from 'node:worker_threads';
import { solveSync } from '../solver/solve.js';
import type { ThreadInput, ThreadMessage } from './solveThread.js';

const input = workerData as ThreadInput;
const post = (message: ThreadMessage) => parentPort!.postMessage(message);
const startedAt = performance.now();
try {
  const outcome = solveSync(input.problem, {
    timeLimitMs: input.timeLimitMs,
    unimprovedLimitMs: input.unimprovedLimitMs,
    seed: input.seed,
    cancelFlag: input.cancelFlag,
    // A roster without any penalty cannot be improved: stop there instead of at a limit.
    targetScore: { hard: 0, medium: 0, soft: 0 },
    onProgress: (best) => post({ kind: 'progress', best, elapsedMs: Math.round(performance.now() - startedAt) }),
  });
  post({ kind: 'done', outcome });
} catch (error) {
  post({ kind: 'error', message: (error as Error).message || String(error) });
}
