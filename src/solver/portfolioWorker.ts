// One portfolio thread: builds its own search from the problem and its seed, then runs one epoch
// per message and answers with its best roster (see portfolio.ts for the protocol).
// On a clock, the thread chosen for MIP dives by column generation (columnGeneration.ts) from the
// best roster (the portfolio's best, adopted each time), dive after dive, for the whole run, each
// dive's last employees re-planned whole by MIP (except on a small problem); the other threads
// anneal — or, on a problem small enough (WHOLE_MIP_MAX_CHOICES), hand it to HiGHS whole, once,
// for the rest of the run, each with its own seed. Either way a proof of optimality ends the
// solve. Where dives cannot be used (under a move budget, or a problem too large for them), the
// MIP thread anneals like the others for the first MIP_FROM of the run, then spends epochs
// re-planning neighbourhoods of its best roster by MIP. Where they stop paying (on some problems
// the annealing finds more), it backs off: after each MIP epoch that found nothing it anneals for
// twice as many epochs as the last time, up to MAX_BACKOFF, before trying again. A problem with
// more shift choices than MIP_MAX_CHOICES gets no MIP at all: every thread anneals.
import { parentPort, workerData } from 'node:worker_threads';
import type { Highs } from 'highs';
import { ColumnGeneration } from './columnGeneration.js';
import { compileProblem, OFF } from './compiledProblem.js';
import type { StopReason } from './localSearch.js';
import { better } from './localSearch.js';
import { buildRosterMip } from './mipModel.js';
import { loadMipEngine, MipNeighbourhoodSearch } from './mipNeighbourhood.js';
import type { PortfolioEpoch, PortfolioInit, PortfolioReport } from './portfolio.js';
import { annealingSettings, startSearch } from './searchRun.js';

/** Share of the run (time or moves) annealed before the MIP neighbourhoods take over. */
const MIP_FROM = 0.25;
/** Share of the run annealed before a small problem goes to HiGHS whole: its proof takes most of a
 * minute, and the roster it starts from matters less than the time it has (Instance5, seeds 1–6:
 * the best known 1 143 in 9 runs of 9 from 5 % of the run, 9 of 11 from 25 %; bench/RESULTS.md,
 * "Small problems: dives that finish themselves, HiGHS sooner"). */
const WHOLE_MIP_FROM = 0.05;
/** Moves one MIP neighbourhood counts as under a move budget (roughly its cost in annealing time). */
const MIP_STEP_MOVES = 500_000;
const MAX_BACKOFF = 16;
/** Employees a dive leaves for HiGHS to re-plan whole (see runDive). A small problem's dives
 * (see WHOLE_MIP_MAX_CHOICES) fix every employee themselves: they are quick, and their own undos
 * find more than the MIP does there (Instance5, seeds 1–6: the best known 1 143 in 9 runs of 11,
 * against 3 of 7 when leaving 4; same section of bench/RESULTS.md). */
const DIVE_LEAVES_TO_MIP = 4;
/** A dive still fixing this close to the end of the run (a share of it, at least MIN_SETTLE_MS)
 * leaves the employees it has not fixed to HiGHS: a dive cut off by the clock gives nothing. */
const SETTLE_SHARE = 0.15;
const MIN_SETTLE_MS = 5_000;
/**
 * Problems with at most this many shift choices (binary columns) are solved whole: HiGHS, started
 * from the best roster, brings Instance5 (676 choices) to its proven optimum in about 30 s where
 * neighbourhoods stall; on Instance7 (1 248) it finds nothing in 45 s and neighbourhoods do better.
 */
const WHOLE_MIP_MAX_CHOICES = 1000;
/**
 * Problems with more shift choices than this get no MIP thread (it anneals like the others): the
 * model and HiGHS grow with the choices (peak RSS of a two-thread solve: 0.6 GB at 140 000, 0.9 GB
 * at 280 000, 1.6 GB at 560 000; at 1.8 million HiGHS aborted past 3 GB), the worker pods have
 * 2 GB, and on such sizes the MIP steps found little in a service-length solve (bench/RESULTS.md,
 * "Large requests"). Instance20, the largest benchmark instance solved, has 54 600.
 */
const MIP_MAX_CHOICES = 300_000;

const init = workerData as PortfolioInit;
const port = parentPort;
if (port === null) throw new Error('portfolioWorker must run in a worker thread');

const p = compileProblem(init.problem);
// This thread's clock: performance.now() of the moment the whole solve started.
const startedAt = performance.now() - (Date.now() - init.startWallMs);
const cancelled = { get aborted(): boolean { return Atomics.load(init.cancelFlag, 0) !== 0; } } as AbortSignal;
const overallDeadline = init.timeLimitMs === undefined ? undefined : startedAt + init.timeLimitMs;
const search = startSearch(p, init.seed, annealingSettings(init.annealing), { timeLimitMs: init.timeLimitMs, moveBudget: init.moveBudget, signal: cancelled }, startedAt);
// Whole-problem MIP and dives only on a clock: a solve bounded by nodes alone could run for hours,
// and how far a dive gets depends on time.
const onClock = overallDeadline !== undefined && init.moveBudget === undefined;
const small = init.mipWhole && onClock && shiftChoices() <= WHOLE_MIP_MAX_CHOICES;
const engine = init.mipNeighbourhoods || small ? await createMipSearch() : undefined;
const mipSearch = engine?.search;
const columnGeneration = engine !== undefined && init.mipNeighbourhoods && onClock ? ColumnGeneration.create(engine.highs, p, init.seed) : undefined;
// Whether the whole problem is still to go to HiGHS (once): on a small problem, on the threads that do not dive.
let wholeMip = small && columnGeneration === undefined;
let mipMoves = 0;
let annealEpochsBeforeMip = 0;
let backoff = 1;

const movesSoFar = (): number => search.moves + mipMoves;
const progress = (): number => (init.moveBudget !== undefined ? movesSoFar() / init.moveBudget : (performance.now() - startedAt) / (init.timeLimitMs ?? 1));

port.on('message', (epoch: PortfolioEpoch) => {
  if (epoch.adopt !== undefined) search.adopt(epoch.adopt);
  const epochDeadline = epoch.untilWallMs === undefined ? undefined : performance.now() + (epoch.untilWallMs - Date.now());
  const deadline = overallDeadline === undefined ? epochDeadline : epochDeadline === undefined ? overallDeadline : Math.min(overallDeadline, epochDeadline);
  const feasible = search.bestScore.hard === 0 && search.bestScore.medium === 0;
  const mipDue = mipSearch !== undefined && feasible && progress() >= MIP_FROM;
  const wholeMipDue = mipSearch !== undefined && feasible && wholeMip && progress() >= WHOLE_MIP_FROM;
  let stopReason: StopReason;
  if (columnGeneration?.usable === true && mipSearch !== undefined && feasible) {
    stopReason = runDive(columnGeneration, mipSearch, overallDeadline!);
  } else if (wholeMipDue) {
    wholeMip = false;
    stopReason = runWholeMip(mipSearch, overallDeadline!);
  } else if (mipDue && init.mipNeighbourhoods && annealEpochsBeforeMip === 0) {
    const improvementsBefore = mipSearch.improvements;
    stopReason = runMipEpoch(mipSearch, epoch.untilMoves, deadline);
    if (mipSearch.improvements > improvementsBefore) backoff = 1;
    else [annealEpochsBeforeMip, backoff] = [backoff, Math.min(MAX_BACKOFF, 2 * backoff)];
  } else {
    if (mipDue && init.mipNeighbourhoods) annealEpochsBeforeMip--;
    stopReason = search.run(
      { moveBudget: epoch.untilMoves === undefined ? undefined : epoch.untilMoves - mipMoves, deadline, targetScore: init.targetScore, signal: cancelled },
      progress,
    );
  }
  // An epoch that ends on its own clock or move count is not the end of the solve.
  const finished =
    stopReason === 'cancelled' ||
    stopReason === 'target' ||
    stopReason === 'unimproved' ||
    stopReason === 'noMoves' ||
    stopReason === 'optimal' ||
    (stopReason === 'timeLimit' && overallDeadline !== undefined && performance.now() >= overallDeadline) ||
    (stopReason === 'moveBudget' && init.moveBudget !== undefined && movesSoFar() >= init.moveBudget);
  const report: PortfolioReport = {
    best: Int16Array.from(search.best),
    score: { ...search.bestScore },
    moves: movesSoFar(),
    iterations: search.iterations,
    accepted: search.accepted,
    evaluations: search.evaluations,
    mipSteps: mipSearch?.steps ?? 0,
    mipImprovements: mipSearch?.improvements ?? 0,
    stopReason,
    finished,
  };
  port.postMessage(report);
});

/** Shifts the roster may put in some cell: the MIP model's binary columns. */
function shiftChoices(): number {
  let choices = 0;
  for (const option of p.optionList) if (option !== OFF) choices++;
  return choices;
}

async function createMipSearch(): Promise<{ highs: Highs; search: MipNeighbourhoodSearch } | undefined> {
  if (shiftChoices() > MIP_MAX_CHOICES) return undefined;
  const built = buildRosterMip(p);
  if (!built.ok) return undefined;
  const highs = await loadMipEngine();
  return highs === undefined ? undefined : { highs, search: new MipNeighbourhoodSearch(highs, p, built.mip, init.seed) };
}

/**
 * One column-generation dive from the best roster, until `deadline` at most. On a problem that is
 * not small, the dive leaves the last DIVE_LEAVES_TO_MIP employees (or, near the end of the run,
 * all it has not fixed) to HiGHS, which re-plans their rows exactly with everyone else kept: on
 * Instance18 the dive's last fixes cost ten times what the first did, and the MIP does better
 * (bench/RESULTS.md, "Table pricing, MIP-settled dives").
 */
function runDive(columns: ColumnGeneration, mip: MipNeighbourhoodSearch, deadline: number): StopReason {
  const settleBy = deadline - Math.max(MIN_SETTLE_MS, SETTLE_SHARE * (init.timeLimitMs ?? 0));
  const leaveFree = small ? 0 : DIVE_LEAVES_TO_MIP;
  const outcome = columns.dive(Int16Array.from(search.best), deadline, () => cancelled.aborted, leaveFree, settleBy);
  if (outcome.kind === 'improved') search.adopt(outcome.roster);
  if (outcome.kind === 'unsettled') {
    mip.replanEmployees(outcome.roster, outcome.free, Math.max(0, (deadline - performance.now()) / 1000), () => cancelled.aborted);
    const before = { ...search.bestScore };
    search.adopt(outcome.roster);
    // Not better: the search goes on from its best, not from the dive's roster.
    if (!better(search.bestScore, before)) search.adopt(Int16Array.from(search.best));
  }
  return outcome.kind === 'optimal' ? 'optimal' : cancelled.aborted ? 'cancelled' : 'timeLimit';
}

/** The whole problem by MIP from the best roster, until the end of the run or a proof. */
function runWholeMip(mip: MipNeighbourhoodSearch, deadline: number): StopReason {
  const roster = Int16Array.from(search.best);
  const { improved, proved } = mip.solveWhole(roster, Math.max(0, (deadline - performance.now()) / 1000), () => cancelled.aborted);
  if (improved) search.adopt(roster);
  return proved ? 'optimal' : cancelled.aborted ? 'cancelled' : 'timeLimit';
}

/** MIP neighbourhoods of the best roster until the epoch's move count or deadline. */
function runMipEpoch(mip: MipNeighbourhoodSearch, untilMoves: number | undefined, deadline: number | undefined): StopReason {
  const roster = Int16Array.from(search.best);
  for (;;) {
    if (cancelled.aborted) return 'cancelled';
    if (init.targetScore !== undefined && !better(init.targetScore, search.bestScore)) return 'target';
    if (untilMoves !== undefined && movesSoFar() >= untilMoves) return 'moveBudget';
    // Less than a tenth of a second left in the epoch: not worth a neighbourhood.
    const seconds = deadline === undefined ? undefined : (deadline - performance.now()) / 1000;
    if (seconds !== undefined && seconds < 0.1) return 'timeLimit';
    if (mip.step(roster, { timeLimitSeconds: seconds, deterministic: init.moveBudget !== undefined, cancelled: () => cancelled.aborted })) search.adopt(roster);
    // Under a move budget a neighbourhood counts as moves, so that epochs (and the run) stay
    // deterministic, up to the epoch's end at most; on a clock it counts only as a MIP step.
    if (untilMoves !== undefined) mipMoves = Math.min(mipMoves + MIP_STEP_MOVES, untilMoves - search.moves);
  }
}
