// Entry point of the routing library: validate, compile, search, report.
import type { DispatchRequest } from '../../domain/dispatch.js';
import type { DispatchResult } from '../../domain/dispatchResult.js';
import { validateDispatchRequest, type FieldError } from '../../domain/dispatchValidation.js';
import { compileModel } from './model.js';
import { buildResult } from './result.js';
import { search, type SearchProgress } from './search.js';

export type { SearchProgress as DispatchProgress } from './search.js';

/** Options of one solve; each overrides the request's `solver` settings. */
export interface SolveDispatchOptions {
  /** Wall-clock limit, compiling included (default 10 s when no iterationBudget is given). */
  readonly timeLimitMs?: number;
  /** Stop after this many ruin-and-recreate iterations; then phases and cooling follow
   * iterations, so the result depends only on the request, seed and budget. */
  readonly iterationBudget?: number;
  /** Stop when the best plan has not improved for this long. */
  readonly unimprovedLimitMs?: number;
  /** Seed of the search's random choices (default 1). */
  readonly seed?: number;
  /** Called with the best plan's figures after construction, on improvements (at most every
   * 100 ms), at least once a second, and once at the end. */
  readonly onProgress?: (progress: SearchProgress) => void;
  readonly signal?: AbortSignal;
  /** A shared Int32Array flag; a non-zero first element cancels (for synchronous callers). */
  readonly cancelFlag?: Int32Array;
}

export type SolveDispatchOutcome = { ok: true; result: DispatchResult } | { ok: false; errors: FieldError[] };

const DEFAULT_TIME_LIMIT_MS = 10_000;

export function solveDispatch(request: DispatchRequest, options: SolveDispatchOptions = {}): SolveDispatchOutcome {
  const errors = validateDispatchRequest(request);
  if (errors.length > 0) return { ok: false, errors };
  const startedAt = performance.now();
  const iterationBudget = options.iterationBudget ?? request.solver?.iterationBudget;
  const timeLimitMs =
    options.timeLimitMs ?? request.solver?.timeLimitMs ?? (iterationBudget === undefined ? DEFAULT_TIME_LIMIT_MS : Infinity);
  const seed = options.seed ?? request.solver?.seed ?? 1;
  const model = compileModel(request);
  const outcome = search(model, {
    seed,
    timeLimitMs,
    iterationBudget,
    unimprovedLimitMs: options.unimprovedLimitMs ?? request.solver?.unimprovedLimitMs,
    signal: options.signal,
    cancelFlag: options.cancelFlag,
    onProgress: options.onProgress,
    startedAt,
  });
  return { ok: true, result: buildResult(model, request, outcome, performance.now() - startedAt, seed) };
}
