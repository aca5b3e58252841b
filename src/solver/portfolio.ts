// A portfolio of annealing runs in worker_threads, one seed each, meeting at epochs: after each
// epoch the best roster of all (ties: lowest thread) is handed to every thread that has not found
// as good a one. Epochs are counted in moves when a move budget is given, so that a run is
// deterministic for a fixed seed, thread count and budget; otherwise they last EPOCH_MS (MIP_EPOCH_MS
// when the last thread runs MIP neighbourhoods, see portfolioWorker.ts), and that thread keeps its
// own pace: it reports when its epoch (or its solve of the whole problem) is done.
import type { Worker } from 'node:worker_threads';
import { startModuleThread } from '../infra/workerThread.js';
import type { RosterProblem, Score } from '../domain/roster.js';
import type { AnnealingSettings, SearchScore, StopReason } from './localSearch.js';
import { better } from './localSearch.js';
import type { RunBounds } from './searchRun.js';
import { DEFAULT_TIME_LIMIT_MS } from './searchRun.js';

const EPOCH_MS = 500;
// A MIP neighbourhood takes up to seconds and must end with its epoch; longer epochs give it room.
const MIP_EPOCH_MS = 2000;
const EPOCHS_PER_BUDGET = 16;
const CANCEL_POLL_MS = 50;

/** Messages of the portfolio protocol (see portfolioWorker.ts). */
export interface PortfolioInit {
  problem: RosterProblem;
  seed: number;
  annealing: Partial<AnnealingSettings> | undefined;
  /** This thread re-plans MIP neighbourhoods of the best roster in the later part of the run. */
  mipNeighbourhoods: boolean;
  /** This thread solves a small problem whole by MIP on a clock (see portfolioWorker.ts). */
  mipWhole: boolean;
  /** Total moves per thread, or the wall-clock end (Date.now() clock) of the whole solve. */
  moveBudget: number | undefined;
  startWallMs: number;
  timeLimitMs: number | undefined;
  targetScore: SearchScore | undefined;
  cancelFlag: Int32Array;
}
export interface PortfolioEpoch {
  untilMoves: number | undefined;
  untilWallMs: number | undefined;
  adopt: Int16Array | undefined;
}
export interface PortfolioReport {
  best: Int16Array;
  score: SearchScore;
  moves: number;
  iterations: number;
  accepted: number;
  evaluations: number;
  mipSteps: number;
  mipImprovements: number;
  stopReason: StopReason;
  /** True when this thread reached a limit of the whole solve (not just the epoch's end). */
  finished: boolean;
}

export type PortfolioOutcome = Omit<PortfolioReport, 'finished'>;

export interface PortfolioSettings {
  annealing: Partial<AnnealingSettings> | undefined;
  /** Let the last thread (of two or more) run MIP neighbourhoods. */
  mipNeighbourhoods: boolean;
  onProgress: ((best: Score) => void) | undefined;
}

export async function runPortfolio(
  problem: RosterProblem,
  threads: number,
  seed: number,
  bounds: RunBounds,
  settings: PortfolioSettings,
): Promise<PortfolioOutcome> {
  const { annealing, onProgress } = settings;
  const mipThread = settings.mipNeighbourhoods && threads > 1 ? threads - 1 : -1;
  const epochMs = mipThread >= 0 ? MIP_EPOCH_MS : EPOCH_MS;
  const startWallMs = Date.now();
  const timeLimitMs = bounds.timeLimitMs ?? (bounds.moveBudget === undefined ? DEFAULT_TIME_LIMIT_MS : undefined);
  const cancelFlag = new Int32Array(new SharedArrayBuffer(4));
  const onAbort = (): void => void Atomics.store(cancelFlag, 0, 1);
  bounds.signal?.addEventListener('abort', onAbort);
  // A signal aborted already will fire no event.
  if (bounds.signal?.aborted === true) onAbort();
  // A caller's flag has no event: watch it, so threads deep in a MIP solve hear of it too.
  const callerFlag = bounds.cancelFlag;
  const watch = callerFlag === undefined ? undefined : setInterval(() => Atomics.load(callerFlag, 0) !== 0 && onAbort(), CANCEL_POLL_MS);
  const workers = Array.from({ length: threads }, (_, i) => {
    const init: PortfolioInit = {
      problem,
      // Well-separated seeds per thread; thread 0 keeps the caller's seed. Every thread runs the
      // same strategy: a thread with a fixed high hard weight, tried here before, tended to lead
      // early and pull the other into its basin (Instance5: 1243 against 1147, bench/RESULTS.md).
      seed: seed + i * 7919,
      annealing,
      mipNeighbourhoods: i === mipThread,
      mipWhole: mipThread >= 0,
      moveBudget: bounds.moveBudget,
      startWallMs,
      timeLimitMs,
      targetScore: bounds.targetScore,
      cancelFlag,
    };
    return new EpochWorker(init);
  });
  try {
    let global: PortfolioReport | undefined;
    let lastImprovementWallMs = Date.now();
    const epochMoves = bounds.moveBudget === undefined ? undefined : Math.max(1, Math.ceil(bounds.moveBudget / EPOCHS_PER_BUDGET));
    // Per thread: its latest report taken in, the epoch it is running (undefined: waiting for one),
    // and a report it sent that is not yet taken in.
    const reports: (PortfolioReport | undefined)[] = new Array<PortfolioReport | undefined>(threads).fill(undefined);
    const running: (Promise<void> | undefined)[] = new Array<Promise<void> | undefined>(threads).fill(undefined);
    const fresh: (PortfolioReport | undefined)[] = new Array<PortfolioReport | undefined>(threads).fill(undefined);
    let failure: unknown;
    // Under a move budget all threads keep step, so the run is deterministic. On a clock the MIP
    // thread does not hold the others up: a whole-problem MIP can take the rest of the run, and its
    // roster joins the portfolio's whenever it reports.
    const detached = epochMoves === undefined ? mipThread : -1;
    const start = (i: number, epoch: number): void => {
      running[i] = workers[i]!.run({
        untilMoves: epochMoves === undefined ? undefined : Math.min(bounds.moveBudget!, epoch * epochMoves),
        untilWallMs: epochMoves === undefined ? Date.now() + epochMs : undefined,
        adopt: global !== undefined && reports[i] !== undefined && better(global.score, reports[i]!.score) ? global.best : undefined,
      }).then(
        (report) => {
          fresh[i] = report;
          running[i] = undefined;
        },
        (error: unknown) => {
          failure ??= error;
          running[i] = undefined;
        },
      );
    };
    const collect = (): PortfolioReport[] => {
      if (failure !== undefined) throw failure;
      const collected: PortfolioReport[] = [];
      fresh.forEach((report, i) => {
        if (report === undefined) return;
        reports[i] = report;
        fresh[i] = undefined;
        collected.push(report);
        if (global === undefined || better(report.score, global.score)) {
          global = report;
          lastImprovementWallMs = Date.now();
          onProgress?.({ ...global.score });
        }
      });
      return collected;
    };
    // Epoch numbers count only under a move budget, where every thread finishes each epoch.
    for (let epoch = 1; ; epoch++) {
      workers.forEach((_, i) => {
        if (running[i] === undefined) start(i, epoch);
      });
      const inStep = Promise.all(running.filter((_, i) => i !== detached));
      // A detached thread that reports is handed the best roster and goes on at once.
      await (detached >= 0 ? Promise.race([inStep, running[detached]]) : inStep);
      const stop = stopReasonOf(collect(), bounds, lastImprovementWallMs);
      if (stop === undefined) continue;
      // Threads still at work stop by the same clock, or are told to stop (a proof, a target, a
      // cancellation): wait for their rosters and counts, so the totals cover the whole run.
      if (stop !== 'timeLimit') onAbort();
      await Promise.all(running);
      collect();
      const latest = reports.filter((r): r is PortfolioReport => r !== undefined);
      return { ...totals(latest), best: global!.best, score: global!.score, stopReason: stop };
    }
  } finally {
    bounds.signal?.removeEventListener('abort', onAbort);
    clearInterval(watch);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

function stopReasonOf(reports: readonly PortfolioReport[], bounds: RunBounds, lastImprovementWallMs: number): StopReason | undefined {
  if (bounds.signal?.aborted === true || (bounds.cancelFlag !== undefined && Atomics.load(bounds.cancelFlag, 0) !== 0)) return 'cancelled';
  for (const reason of ['cancelled', 'target', 'optimal', 'timeLimit', 'moveBudget', 'noMoves'] as const) {
    if (reports.some((r) => r.finished && r.stopReason === reason)) return reason;
  }
  if (bounds.unimprovedLimitMs !== undefined && Date.now() - lastImprovementWallMs >= bounds.unimprovedLimitMs) return 'unimproved';
  return undefined;
}

function totals(reports: readonly PortfolioReport[]): Omit<PortfolioReport, 'best' | 'score' | 'stopReason' | 'finished'> {
  return {
    moves: reports.reduce((s, r) => s + r.moves, 0),
    iterations: reports.reduce((s, r) => s + r.iterations, 0),
    accepted: reports.reduce((s, r) => s + r.accepted, 0),
    evaluations: reports.reduce((s, r) => s + r.evaluations, 0),
    mipSteps: reports.reduce((s, r) => s + r.mipSteps, 0),
    mipImprovements: reports.reduce((s, r) => s + r.mipImprovements, 0),
  };
}

/** One worker thread answering one epoch at a time. */
class EpochWorker {
  private readonly worker: Worker;
  private pending: { resolve: (r: PortfolioReport) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;

  constructor(init: PortfolioInit) {
    this.worker = startModuleThread(import.meta.url, './portfolioWorker', init);
    this.worker.on('message', (report: PortfolioReport) => {
      const pending = this.pending;
      this.pending = undefined;
      pending?.resolve(report);
    });
    const fail = (error: Error): void => {
      this.failure = error;
      const pending = this.pending;
      this.pending = undefined;
      pending?.reject(error);
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => {
      if (this.pending !== undefined) fail(new Error(`portfolio worker exited with code ${code}`));
    });
  }

  run(epoch: PortfolioEpoch): Promise<PortfolioReport> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage(epoch);
    });
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }
}
