// One search run, in-process and synchronous: construction, then annealing until a limit. Used
// directly by `solveSync` and, per thread, by the portfolio workers.
import type { CompiledProblem } from './compiledProblem.js';
import { constructRoster } from './construction.js';
import type { AnnealingSettings, SearchLimits, SearchScore, StopReason } from './localSearch.js';
import { DEFAULT_ANNEALING, RosterSearch } from './localSearch.js';

/** What bounds one run; everything optional except that some bound must exist (see defaults). */
export interface RunBounds {
  timeLimitMs?: number;
  unimprovedLimitMs?: number;
  targetScore?: SearchScore;
  moveBudget?: number;
  signal?: AbortSignal;
  /** A shared flag another thread sets (Atomics.store(flag, 0, 1)) to cancel a synchronous run. */
  cancelFlag?: Int32Array;
}

/** Used when neither a time limit nor a move budget is given. */
export const DEFAULT_TIME_LIMIT_MS = 10_000;

export function annealingSettings(overrides: Partial<AnnealingSettings> | undefined): AnnealingSettings {
  return { ...DEFAULT_ANNEALING, ...overrides };
}

/** Creates the search from the constructed roster; the construction ends early once the run's time
 * is up or it is cancelled (a very large request can take longer than its limit to fill). */
export function startSearch(p: CompiledProblem, seed: number, settings: AnnealingSettings, bounds: RunBounds, startedAt: number): RosterSearch {
  const { limits } = limitsFor(bounds, startedAt);
  const stopped = (): boolean => (limits.deadline !== undefined && performance.now() >= limits.deadline) || limits.signal?.aborted === true;
  // Built with the final (high) hard weight: leave a cell unfilled rather than break a hard rule.
  const initial = constructRoster(p, settings.finalHardWeight, settings.mediumWeight, stopped);
  return new RosterSearch(p, seed, initial, settings);
}

/** Effective limits from the bounds, measured from `startedAt` (performance.now()). */
export function limitsFor(bounds: RunBounds, startedAt: number): { limits: SearchLimits; progress: (search: RosterSearch) => number } {
  const timeLimit = bounds.timeLimitMs ?? (bounds.moveBudget === undefined ? DEFAULT_TIME_LIMIT_MS : undefined);
  const signal = bounds.cancelFlag === undefined ? bounds.signal : flagSignal(bounds.cancelFlag, bounds.signal);
  const limits: SearchLimits = {
    moveBudget: bounds.moveBudget,
    deadline: timeLimit === undefined ? undefined : startedAt + timeLimit,
    unimprovedMs: bounds.unimprovedLimitMs,
    targetScore: bounds.targetScore,
    signal,
  };
  const progress = (search: RosterSearch): number => {
    // With a move budget, cooling follows moves only, so the run is reproducible.
    if (bounds.moveBudget !== undefined) return search.moves / bounds.moveBudget;
    return (performance.now() - startedAt) / (timeLimit ?? DEFAULT_TIME_LIMIT_MS);
  };
  return { limits, progress };
}

// An AbortSignal look-alike over a shared flag, read by the search's periodic check.
function flagSignal(flag: Int32Array, signal: AbortSignal | undefined): AbortSignal {
  return {
    get aborted(): boolean {
      return Atomics.load(flag, 0) !== 0 || signal?.aborted === true;
    },
  } as AbortSignal;
}

export function runSearch(search: RosterSearch, bounds: RunBounds, startedAt: number, onImprove?: (best: SearchScore) => void): StopReason {
  const { limits, progress } = limitsFor(bounds, startedAt);
  return search.run(limits, () => progress(search), onImprove);
}
