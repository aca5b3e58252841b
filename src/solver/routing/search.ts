// The search: a greedy construction, then (when technicians cost something) a fleet phase that
// deletes whole routes and ruins-and-recreates until their orders fit elsewhere, then simulated
// annealing over ruin-and-recreate moves on the full objective.
import type { StopReason } from '../../domain/dispatchResult.js';
import type { RoutingModel } from './model.js';
import { Random } from './random.js';
import { recreate } from './recreate.js';
import { ruin } from './ruin.js';
import { Solution } from './solution.js';

export interface SearchProgress {
  readonly iteration: number;
  readonly elapsedMs: number;
  readonly phase: 'construction' | 'fleet' | 'travel';
  readonly unassigned: number;
  readonly techniciansUsed: number;
  readonly distance: number;
}

export interface SearchOptions {
  readonly seed: number;
  /** Wall-clock limit; the search also stops at iterationBudget when given. */
  readonly timeLimitMs: number;
  /** With an iteration budget the run is deterministic: phases and temperature follow iterations, not time. */
  readonly iterationBudget?: number;
  /** Stop when the best plan has not improved for this long. */
  readonly unimprovedLimitMs?: number;
  readonly signal?: AbortSignal;
  /** A shared Int32Array flag; a non-zero first element cancels (for callers in another thread). */
  readonly cancelFlag?: Int32Array;
  readonly onProgress?: (progress: SearchProgress) => void;
  /** performance.now() when the caller's clock started (so compiling counts against the limit). */
  readonly startedAt?: number;
}

export interface SearchOutcome {
  readonly best: Solution;
  readonly iterations: number;
  readonly fleetIterations: number;
  readonly improvements: number;
  readonly stopReason: StopReason;
}

/** Progress goes out on improvements at most this often, and at least this often regardless. */
const PROGRESS_MIN_INTERVAL_MS = 100;
const PROGRESS_MAX_INTERVAL_MS = 1000;
/** Share of the budget the fleet phase may use before travel minimisation starts. */
const FLEET_SHARE = 0.4;
const BLINK_RATE = 0.01;
/** Annealing temperature from/to, in multiples of the average leg of the first plan. */
const START_TEMPERATURE = 1;
const END_TEMPERATURE = 0.01;

class Budget {
  iterations = 0;
  stopReason: StopReason | undefined;
  private lastImprovementMs = 0;
  private readonly startedAt: number;

  constructor(private readonly options: SearchOptions) {
    this.startedAt = options.startedAt ?? performance.now();
  }

  elapsedMs(): number {
    return performance.now() - this.startedAt;
  }

  /** Fraction of the budget spent, by iterations when there is an iteration budget. */
  progress(): number {
    const { iterationBudget, timeLimitMs } = this.options;
    if (iterationBudget !== undefined) return this.iterations / iterationBudget;
    return this.elapsedMs() / timeLimitMs;
  }

  improved(): void {
    this.lastImprovementMs = this.elapsedMs();
  }

  /** No better plan for unimprovedLimitMs. */
  stale(): boolean {
    const limit = this.options.unimprovedLimitMs;
    return limit !== undefined && this.elapsedMs() - this.lastImprovementMs >= limit;
  }

  /**
   * Out of budget. Staleness ends the search only in the travel phase (`staleStops`): a stale
   * fleet phase just hands over, or a long route-removal attempt would end the search before
   * travel was ever optimised.
   */
  exhausted(staleStops = true): boolean {
    if (this.stopReason !== undefined) return true;
    const { signal, cancelFlag } = this.options;
    if (signal?.aborted === true || (cancelFlag !== undefined && Atomics.load(cancelFlag, 0) !== 0)) {
      this.stopReason = 'cancelled';
    } else if (staleStops && this.stale()) {
      this.stopReason = 'unimproved';
    } else if (this.options.iterationBudget !== undefined && this.iterations >= this.options.iterationBudget) {
      this.stopReason = 'iterationBudget';
    } else if (this.elapsedMs() >= this.options.timeLimitMs) this.stopReason = 'timeLimit';
    return this.stopReason !== undefined;
  }
}

function fleetLowerBound(m: RoutingModel): number {
  let demand = 0;
  for (const i of m.freeOrders) demand += m.demand[i];
  let maxCapacity = 0;
  for (const c of m.capacity) maxCapacity = Math.max(maxCapacity, c);
  const byCapacity = Number.isFinite(maxCapacity) && maxCapacity > 0 ? Math.ceil(demand / maxCapacity - 1e-9) : 1;
  return Math.max(1, byCapacity);
}

function fleetMatters(m: RoutingModel): boolean {
  return m.weights.mode === 'hierarchical' && m.fixedCost.some((c) => c > 0);
}

export function search(m: RoutingModel, options: SearchOptions): SearchOutcome {
  const rng = new Random(options.seed);
  const budget = new Budget(options);
  let improvements = 0;
  let lastReportMs = -Infinity;
  const report = (phase: SearchProgress['phase'], sol: Solution): void => {
    lastReportMs = budget.elapsedMs();
    options.onProgress?.({
      iteration: budget.iterations,
      elapsedMs: lastReportMs,
      phase,
      unassigned: sol.unassigned.length,
      techniciansUsed: sol.usedCount(m),
      distance: sol.distance(m),
    });
  };
  // Reporting costs the caller (a worker posts a message), so improvements are throttled.
  const maybeReport = (phase: SearchProgress['phase'], sol: Solution, improved: boolean): void => {
    if (options.onProgress === undefined) return;
    const since = budget.elapsedMs() - lastReportMs;
    if (since >= PROGRESS_MAX_INTERVAL_MS || (improved && since >= PROGRESS_MIN_INTERVAL_MS)) report(phase, sol);
  };

  let best = Solution.empty(m);
  recreate(m, best, rng, { blinkRate: 0, maxUsed: Infinity });
  report('construction', best);
  // The construction tried every order on every technician's empty route: if none fits, no
  // search can place one, so stop instead of burning the time limit.
  if (best.unassigned.length === m.freeOrders.length) {
    return { best, iterations: 0, fleetIterations: 0, improvements, stopReason: 'nothingToDo' };
  }

  if (fleetMatters(m)) {
    const lowerBound = fleetLowerBound(m);
    while (!budget.exhausted(false) && !budget.stale() && budget.progress() < FLEET_SHARE && best.usedCount(m) > lowerBound) {
      const fewer = removeOneRoute(m, best, rng, budget, (current) => maybeReport('fleet', current, false));
      if (fewer === undefined) break;
      best = fewer;
      improvements++;
      budget.improved();
      maybeReport('fleet', best, true);
    }
  }
  const fleetIterations = budget.iterations;
  budget.improved(); // the travel phase gets its own unimproved allowance

  let current = best.clone();
  let currentCost = current.cost(m);
  let bestCost = currentCost;
  const assignedCount = m.freeOrders.length - best.unassigned.length;
  const averageLeg = best.distance(m) / Math.max(1, assignedCount + best.usedCount(m));
  const scale = Math.max(averageLeg * m.weights.travel, 1e-9);
  const startProgress = budget.progress();
  while (!budget.exhausted()) {
    const phaseProgress = Math.min(1, (budget.progress() - startProgress) / Math.max(1e-9, 1 - startProgress));
    const temperature = scale * START_TEMPERATURE * (END_TEMPERATURE / START_TEMPERATURE) ** phaseProgress;
    const candidate = current.clone();
    ruin(m, candidate, rng);
    recreate(m, candidate, rng, { blinkRate: BLINK_RATE, maxUsed: Infinity });
    budget.iterations++;
    const candidateCost = candidate.cost(m);
    if (candidateCost < currentCost - temperature * Math.log(1 - rng.next())) {
      current = candidate;
      currentCost = candidateCost;
      if (candidateCost < bestCost - 1e-9) {
        best = candidate.clone();
        bestCost = candidateCost;
        improvements++;
        budget.improved();
        maybeReport('travel', best, true);
        continue;
      }
    }
    maybeReport('travel', best, false);
  }
  report('travel', best);
  return {
    best,
    iterations: budget.iterations,
    fleetIterations,
    improvements,
    stopReason: budget.stopReason ?? 'timeLimit',
  };
}

/**
 * Deletes one route and ruins-and-recreates with no extra technician allowed until every
 * order is back (accepting a plan when fewer orders are out, or when the ones out have been out
 * less often: the "absence" count steers effort to the hard orders). Undefined if the budget
 * for the fleet phase ran out first.
 */
function removeOneRoute(
  m: RoutingModel,
  best: Solution,
  rng: Random,
  budget: Budget,
  heartbeat: (best: Solution) => void,
): Solution | undefined {
  const removable: number[] = [];
  for (let t = 0; t < best.routes.length; t++) {
    if (best.routes[t].nodes.length > 0 && m.fixedPrefix[t].length === 0) removable.push(t);
  }
  if (removable.length === 0) return undefined;
  let current = best.clone();
  const victim = current.routes[removable[rng.int(removable.length)]];
  current.unassigned.push(...victim.nodes);
  victim.nodes = [];
  victim.refresh(m);
  const maxUsed = current.usedCount(m);
  const target = best.unassignedPriority(m);
  const absences = new Float64Array(m.orderCount);
  const absenceSum = (sol: Solution): number => sol.unassigned.reduce((sum, u) => sum + absences[u], 0);
  recreate(m, current, rng, { blinkRate: 0, maxUsed });
  while (current.unassignedPriority(m) > target) {
    if (budget.exhausted(false) || budget.stale() || budget.progress() >= FLEET_SHARE) return undefined;
    const candidate = current.clone();
    ruin(m, candidate, rng);
    recreate(m, candidate, rng, { blinkRate: BLINK_RATE, maxUsed });
    budget.iterations++;
    heartbeat(best);
    for (const u of candidate.unassigned) absences[u] += m.priority[u];
    if (
      candidate.unassignedPriority(m) < current.unassignedPriority(m) ||
      absenceSum(candidate) < absenceSum(current)
    ) {
      current = candidate;
    }
  }
  return current;
}
