// Entry of the solver thread (see solverThread.ts): solves each task it is sent, posting progress
// and then the outcome. The thread is sent one task at a time (SolverThread refuses a second).
import { parentPort, workerData } from 'node:worker_threads';
import { solveDispatch } from '../solver/routing/index.js';
import { solve } from '../solver/solve.js';
import type { ThreadData, ThreadReply, ThreadRequest, SolveTask } from './solverThread.js';

const port = parentPort;
if (port === null) throw new Error('solverThreadMain must run in a worker thread');
const { rosterThreads } = workerData as ThreadData;
const post = (reply: ThreadReply) => port.postMessage(reply);

port.on('message', ({ task, cancelFlag }: ThreadRequest) => {
  run(task, cancelFlag).then(
    (outcome) => post({ kind: 'done', outcome }),
    (error: unknown) => post({ kind: 'error', message: (error as Error).message || String(error) }),
  );
});

async function run(task: SolveTask, cancelFlag: Int32Array): Promise<unknown> {
  const startedAt = performance.now();
  switch (task.kind) {
    case 'roster':
      // One thread anneals here, synchronously; more run the portfolio's threads from here.
      return solve(task.problem, {
        ...task.limits,
        threads: rosterThreads,
        cancelFlag,
        // A roster without any penalty cannot be improved: stop there instead of at a limit.
        targetScore: { hard: 0, medium: 0, soft: 0 },
        onProgress: (best) => post({ kind: 'progress', progress: { best, elapsedMs: Math.round(performance.now() - startedAt) } }),
      });
    case 'dispatch':
      return solveDispatch(task.request, { ...task.limits, cancelFlag, onProgress: (progress) => post({ kind: 'progress', progress }) });
    default: {
      const unknown: never = task;
      return unknown;
    }
  }
}
