// Entry of the solver thread (see solverThread.ts): solves each task it is sent, posting progress
// and then the outcome. Solves are synchronous, so tasks run one after another.
import { parentPort } from 'node:worker_threads';
import { solveDispatch } from '../solver/routing/index.js';
import { solveSync } from '../solver/solve.js';
import type { ThreadReply, ThreadRequest } from './solverThread.js';

const port = parentPort;
if (port === null) throw new Error('solverThreadMain must run in a worker thread');
const post = (reply: ThreadReply) => port.postMessage(reply);

port.on('message', ({ task, cancelFlag }: ThreadRequest) => {
  const startedAt = performance.now();
  try {
    switch (task.kind) {
      case 'roster':
        return post({
          kind: 'done',
          outcome: solveSync(task.problem, {
            ...task.limits,
            cancelFlag,
            // A roster without any penalty cannot be improved: stop there instead of at a limit.
            targetScore: { hard: 0, medium: 0, soft: 0 },
            onProgress: (best) => post({ kind: 'progress', progress: { best, elapsedMs: Math.round(performance.now() - startedAt) } }),
          }),
        });
      case 'dispatch':
        return post({
          kind: 'done',
          outcome: solveDispatch(task.request, { ...task.limits, cancelFlag, onProgress: (progress) => post({ kind: 'progress', progress }) }),
        });
      default: {
        const unknown: never = task;
        return unknown;
      }
    }
  } catch (error) {
    post({ kind: 'error', message: (error as Error).message || String(error) });
  }
});
