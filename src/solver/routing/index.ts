// Public surface of the dispatch routing library (pure: no I/O, no clock except the time limit).
//
//   const decoded = decodeDispatchRequest(body);            // codec + referential checks, paths
//   if (!decoded.ok) → 400 with decoded.errors
//   const outcome = solveDispatch(decoded.request, { timeLimitMs, seed, signal, onProgress });
//   outcome.ok → outcome.result: routes (timed visits), unassigned (with reasons), objective, stats
//   evaluateResult(request, result) → independent feasibility / distance / objective check
//
// Re-dispatch: send the same orders with `fixedVisits` (started/completed) and `now`; drop a
// technician who went home sick and cancelled orders from the request. Fixed visits stay first
// on their technician, at the times they happened; everything else is planned again.
export {
  solveDispatch,
  type SolveDispatchOptions,
  type SolveDispatchOutcome,
  type DispatchProgress,
} from './solveDispatch.js';
export {
  evaluatePlan,
  evaluateResult,
  planOfResult,
  type DispatchPlan,
  type PlanEvaluation,
  type RouteEvaluation,
  type Violation,
  type ViolationKind,
} from './evaluator.js';
export {
  loadSolomon,
  parseSolomon,
  solomonRequestBody,
  truncatedDistance,
  type SolomonConvention,
  type SolomonInstance,
} from './solomon.js';
export { validateDispatchRequest, decodeDispatchRequest, type FieldError } from '../../domain/dispatchValidation.js';
