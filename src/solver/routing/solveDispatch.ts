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
  readonly timeLimitMs?: number;
  /** Iteration budget: with it (and enough time) the same seed gives the same result. */
  readonly maxIterations?: number;
  readonly seed?: number;
  readonly onProgress?: (progress: SearchProgress) => void;
  readonly signal?: AbortSignal;
}

export type SolveDispatchOutcome = { ok: true; result: DispatchResult } | { ok: false; errors: FieldError[] };

const DEFAULT_TIME_LIMIT_MS = 10_000;

export function solveDispatch(request: DispatchRequest, options: SolveDispatchOptions = {}): SolveDispatchOutcome {
  const errors = validateDispatchRequest(request);
  if (errors.length > 0) return { ok: false, errors };
  const startedAt = performance.now();
  const maxIterations = options.maxIterations ?? request.solver?.maxIterations;
  const timeLimitMs =
    options.timeLimitMs ?? request.solver?.timeLimitMs ?? (maxIterations === undefined ? DEFAULT_TIME_LIMIT_MS : Infinity);
  const seed = options.seed ?? request.solver?.seed ?? 1;
  const model = compileModel(request);
  const outcome = search(model, { seed, timeLimitMs, maxIterations, signal: options.signal, onProgress: options.onProgress, startedAt });
  return { ok: true, result: buildResult(model, request, outcome, performance.now() - startedAt, seed) };
}
