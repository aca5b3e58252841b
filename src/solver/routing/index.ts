// Public surface of the dispatch routing library.
export { solveDispatch, type SolveDispatchOptions, type SolveDispatchOutcome, type DispatchProgress } from './solveDispatch.js';
export { evaluatePlan, evaluateResult, planOfResult, type DispatchPlan, type PlanEvaluation, type Violation, type ViolationKind } from './evaluator.js';
export { loadSolomon, parseSolomon, solomonRequestBody, truncatedDistance, type SolomonConvention, type SolomonInstance } from './solomon.js';
export { validateDispatchRequest, decodeDispatchRequest, type FieldError } from '../../domain/dispatchValidation.js';
