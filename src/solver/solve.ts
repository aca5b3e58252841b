// The roster solver's entry points. `solveSync` runs one search in the calling thread (what a
// service worker thread calls); `solve` does the same off the caller's stack, or with
// `threads > 1` runs a portfolio of searches with different seeds in worker_threads that share
// their best roster at fixed move (or time) epochs — deterministic for a fixed seed, thread count
// and move budget. In a portfolio the last thread also re-plans large neighbourhoods of the best
// roster exactly by mixed-integer programming (mipNeighbourhood.ts) where the rules allow it, or,
// on a clock and for a small problem, the whole problem, and may prove the roster optimal.
import type { Assignment, FieldError, RosterProblem, Score } from '../domain/roster.js';
import type { CompiledProblem } from './compiledProblem.js';
import { compileProblem } from './compiledProblem.js';
import type { Explanation } from './explain.js';
import { explain } from './explain.js';
import type { AnnealingSettings, StopReason } from './localSearch.js';
import { annealingSettings, runSearch, startSearch, type RunBounds } from './searchRun.js';
import { assignmentsFromRoster } from './rosterConversion.js';
import { validateProblem } from './validateProblem.js';
import { runPortfolio } from './portfolio.js';

const PROGRESS_INTERVAL_MS = 100;

export interface SolveOptions {
  /** Wall-clock limit for the search (default 10 s when no moveBudget is given). */
  timeLimitMs?: number;
  /** Stop when the best score has not improved for this long. */
  unimprovedLimitMs?: number;
  /** Stop as soon as the best score is at least this good. */
  targetScore?: Score;
  /** Seed of the search's random choices (default 1). */
  seed?: number;
  /** Stop after this many evaluated moves (per thread); with it, cooling follows moves, so the
   * result depends only on the problem, seed, thread count and budget. */
  moveBudget?: number;
  /** 1 = search in this thread; more = portfolio in worker threads. Only `solve` honours > 1. */
  threads?: number;
  /** Called with improving best scores: at most every 100 ms, and once with the final best
   * (in a portfolio: at the end of each epoch that improved it). */
  onProgress?: (best: Score) => void;
  signal?: AbortSignal;
  /** A shared Int32Array flag; a non-zero first element cancels (for synchronous callers). */
  cancelFlag?: Int32Array;
  /** Search tuning; the defaults suit most problems. */
  annealing?: Partial<AnnealingSettings>;
  /** With threads > 1, the last thread re-plans neighbourhoods of the best roster exactly by
   * mixed-integer programming once a quarter of the run has passed (mipNeighbourhood.ts), where
   * the problem's rules allow it (mipModel.ts). Under a time limit it dives by column generation
   * instead (columnGeneration.ts; each dive's last employees re-planned by MIP) unless the problem
   * is too large for that, and the other threads
   * solve a small problem whole by MIP; a proof of optimality ends the solve early (stopReason
   * 'optimal'). Default true. */
  mipNeighbourhoods?: boolean;
}

export interface SolveStats {
  movesEvaluated: number;
  iterations: number;
  acceptedMoves: number;
  durationMs: number;
  constraintEvaluations: number;
  stopReason: StopReason;
  threads: number;
  /** MIP neighbourhoods re-planned, and how many of them gave a better roster (portfolio only). */
  mipSteps: number;
  mipImprovements: number;
}

export interface SolveResult {
  assignments: Assignment[];
  score: Score;
  explanation: Explanation;
  stats: SolveStats;
}

export type SolveOutcome = { ok: true; result: SolveResult } | { ok: false; errors: FieldError[] };

/** Solves in the calling thread. */
export function solveSync(problem: RosterProblem, options: SolveOptions = {}): SolveOutcome {
  const errors = validateProblem(problem);
  if (errors.length > 0) return { ok: false, errors };
  const startedAt = performance.now();
  const p = compileProblem(problem);
  const bounds = boundsOf(options);
  const search = startSearch(p, options.seed ?? 1, annealingSettings(options.annealing), bounds, startedAt);
  // Progress is throttled: early in a search the best improves thousands of times a second.
  let lastReport = -Infinity;
  let reported: Score | undefined;
  const report = (best: Score): void => {
    reported = { ...best };
    lastReport = performance.now();
    options.onProgress?.(reported);
  };
  const stopReason = runSearch(search, bounds, startedAt, (best) => {
    if (performance.now() - lastReport >= PROGRESS_INTERVAL_MS) report(best);
  });
  const final = search.bestScore;
  if (reported === undefined || reported.hard !== final.hard || reported.medium !== final.medium || reported.soft !== final.soft) report(final);
  return {
    ok: true,
    result: finish(p, search.best, {
      movesEvaluated: search.moves,
      iterations: search.iterations,
      acceptedMoves: search.accepted,
      durationMs: performance.now() - startedAt,
      constraintEvaluations: search.evaluations,
      stopReason,
      threads: 1,
      mipSteps: 0,
      mipImprovements: 0,
    }),
  };
}

/** Solves without blocking the caller's event loop when `threads > 1`; see SolveOptions. */
export async function solve(problem: RosterProblem, options: SolveOptions = {}): Promise<SolveOutcome> {
  const threads = Math.max(1, Math.floor(options.threads ?? 1));
  if (threads === 1) {
    await Promise.resolve(); // never run the search before the caller's synchronous code finishes
    return solveSync(problem, options);
  }
  const errors = validateProblem(problem);
  if (errors.length > 0) return { ok: false, errors };
  const startedAt = performance.now();
  const p = compileProblem(problem);
  const outcome = await runPortfolio(problem, threads, options.seed ?? 1, boundsOf(options), {
    annealing: options.annealing,
    mipNeighbourhoods: options.mipNeighbourhoods ?? true,
    onProgress: options.onProgress,
  });
  return {
    ok: true,
    result: finish(p, outcome.best, {
      movesEvaluated: outcome.moves,
      iterations: outcome.iterations,
      acceptedMoves: outcome.accepted,
      durationMs: performance.now() - startedAt,
      constraintEvaluations: outcome.evaluations,
      stopReason: outcome.stopReason,
      threads,
      mipSteps: outcome.mipSteps,
      mipImprovements: outcome.mipImprovements,
    }),
  };
}

function boundsOf(options: SolveOptions): RunBounds {
  return {
    timeLimitMs: options.timeLimitMs,
    unimprovedLimitMs: options.unimprovedLimitMs,
    targetScore: options.targetScore,
    moveBudget: options.moveBudget,
    signal: options.signal,
    cancelFlag: options.cancelFlag,
  };
}

function finish(p: CompiledProblem, best: Int16Array, stats: SolveStats): SolveResult {
  const assignments = assignmentsFromRoster(p, best);
  const explanation = explain(p.problem, assignments);
  return { assignments, score: explanation.score, explanation, stats };
}
