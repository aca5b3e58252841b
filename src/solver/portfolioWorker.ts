// One portfolio thread: builds its own search from the problem and its seed, then runs one epoch
// per message and answers with its best roster (see portfolio.ts for the protocol).
import { parentPort, workerData } from 'node:worker_threads';
import { compileProblem } from './compiledProblem.js';
import type { PortfolioEpoch, PortfolioInit, PortfolioReport } from './portfolio.js';
import { annealingSettings, startSearch } from './searchRun.js';

const init = workerData as PortfolioInit;
const port = parentPort;
if (port === null) throw new Error('portfolioWorker must run in a worker thread');

const p = compileProblem(init.problem);
const search = startSearch(p, init.seed, annealingSettings(init.annealing));
// This thread's clock: performance.now() of the moment the whole solve started.
const startedAt = performance.now() - (Date.now() - init.startWallMs);
const cancelled = { get aborted(): boolean { return Atomics.load(init.cancelFlag, 0) !== 0; } } as AbortSignal;
const overallDeadline = init.timeLimitMs === undefined ? undefined : startedAt + init.timeLimitMs;

port.on('message', (epoch: PortfolioEpoch) => {
  if (epoch.adopt !== undefined) search.adopt(epoch.adopt);
  const epochDeadline = epoch.untilWallMs === undefined ? undefined : performance.now() + (epoch.untilWallMs - Date.now());
  const deadline = overallDeadline === undefined ? epochDeadline : epochDeadline === undefined ? overallDeadline : Math.min(overallDeadline, epochDeadline);
  const stopReason = search.run(
    { moveBudget: epoch.untilMoves, deadline, targetScore: init.targetScore, signal: cancelled },
    () => (init.moveBudget !== undefined ? search.moves / init.moveBudget : (performance.now() - startedAt) / (init.timeLimitMs ?? 1)),
  );
  // An epoch that ends on its own clock or move count is not the end of the solve.
  const finished =
    stopReason === 'cancelled' ||
    stopReason === 'target' ||
    stopReason === 'unimproved' ||
    stopReason === 'noMoves' ||
    (stopReason === 'timeLimit' && overallDeadline !== undefined && performance.now() >= overallDeadline) ||
    (stopReason === 'moveBudget' && init.moveBudget !== undefined && search.moves >= init.moveBudget);
  const report: PortfolioReport = {
    best: Int16Array.from(search.best),
    score: { ...search.bestScore },
    moves: search.moves,
    iterations: search.iterations,
    accepted: search.accepted,
    evaluations: search.evaluations,
    stopReason,
    finished,
  };
  port.postMessage(report);
});
