// The dispatch aggregate's language: a request to route service orders to technicians, the
// solver's generations of routes, and the real-time changes of the day (visits started or
// completed, a technician off sick, an order cancelled or added) that trigger a re-dispatch
// keeping started and completed visits fixed. One stream per dispatch.
import * as t from 'io-ts';
import { DispatchRequest, FixedVisitStatus, ServiceOrder } from './dispatch.js';

const Id = t.refinement(t.string, (s) => s.length > 0 && s.length <= 100, 'an id (1-100 characters)');
const PositiveInt = t.refinement(t.number, (n) => Number.isInteger(n) && n > 0, 'a positive integer');

/** Solver limits of one generation, resolved by the API from the request and its defaults. */
export const DispatchSolverSettings = t.type({ timeLimitMs: t.number, unimprovedLimitMs: t.number, seed: t.number });
export type DispatchSolverSettings = t.TypeOf<typeof DispatchSolverSettings>;

/** Defaults: a dispatcher waits seconds, not minutes; the search stops early once converged. */
export const DEFAULT_DISPATCH_SOLVER: DispatchSolverSettings = { timeLimitMs: 10_000, unimprovedLimitMs: 2_000, seed: 1 };

/** Where the technicians came from: given in the request, or the people on shift in a published schedule. */
export const TechnicianSource = t.union([
  t.type({ kind: t.literal('explicit') }),
  t.type({ kind: t.literal('schedule'), scheduleId: t.string, day: t.number }),
]);
export type TechnicianSource = t.TypeOf<typeof TechnicianSource>;

// The solver's result as stored in events (mirrors domain/dispatchResult.ts).
export const PlannedVisitData = t.type({ orderId: t.string, arrival: t.number, serviceStart: t.number, departure: t.number, fixed: t.boolean });
export const TechnicianRouteData = t.type({
  technicianId: t.string,
  departure: t.number,
  visits: t.array(PlannedVisitData),
  arrival: t.number,
  distance: t.number,
  load: t.number,
});
export type TechnicianRouteData = t.TypeOf<typeof TechnicianRouteData>;
export const UnassignedReasonCodec = t.keyof({ no_skilled_technician: null, capacity: null, window_unreachable: null, no_room_within_time: null });
export const UnassignedOrderData = t.type({ orderId: t.string, reason: UnassignedReasonCodec });
export type UnassignedOrderData = t.TypeOf<typeof UnassignedOrderData>;
export const ObjectiveData = t.type({
  mode: t.keyof({ hierarchical: null, weighted: null }),
  unassignedCount: t.number,
  unassignedPriority: t.number,
  techniciansUsed: t.number,
  fixedCost: t.number,
  travelDistance: t.number,
  travelCost: t.number,
  weightedTotal: t.number,
});
export type ObjectiveData = t.TypeOf<typeof ObjectiveData>;
export const DispatchStatsData = t.record(t.string, t.union([t.number, t.string]));
export const DispatchProgressData = t.type({ unassigned: t.number, techniciansUsed: t.number, distance: t.number, elapsedMs: t.number });

// ---- commands -------------------------------------------------------------------------------

export const RequestDispatch = t.type({
  type: t.literal('RequestDispatch'),
  dispatchId: Id,
  name: t.string,
  /** The routing request without fixed visits or `now` (the aggregate adds those on re-dispatch). */
  request: DispatchRequest,
  source: TechnicianSource,
  solver: DispatchSolverSettings,
});
export const StartDispatchGeneration = t.type({ type: t.literal('StartDispatchGeneration'), dispatchId: Id, generation: PositiveInt, workerId: t.string });
export const ReportDispatchProgress = t.type({ type: t.literal('ReportDispatchProgress'), dispatchId: Id, generation: PositiveInt, progress: DispatchProgressData });
export const CompleteDispatchGeneration = t.type({
  type: t.literal('CompleteDispatchGeneration'),
  dispatchId: Id,
  generation: PositiveInt,
  routes: t.array(TechnicianRouteData),
  unassigned: t.array(UnassignedOrderData),
  objective: ObjectiveData,
  stats: DispatchStatsData,
});
export const FailDispatchGeneration = t.type({ type: t.literal('FailDispatchGeneration'), dispatchId: Id, generation: PositiveInt, reason: t.string });
/** A technician reports a visit started or completed; `serviceStart` is when the service began. */
export const ReportVisit = t.type({
  type: t.literal('ReportVisit'),
  dispatchId: Id,
  orderId: Id,
  technicianId: Id,
  status: FixedVisitStatus,
  serviceStart: t.number,
});
export const MarkTechnicianOffSick = t.type({ type: t.literal('MarkTechnicianOffSick'), dispatchId: Id, technicianId: Id, reason: t.string, now: t.number });
export const CancelDispatchOrder = t.type({ type: t.literal('CancelDispatchOrder'), dispatchId: Id, orderId: Id, now: t.number });
export const AddDispatchOrder = t.type({ type: t.literal('AddDispatchOrder'), dispatchId: Id, order: ServiceOrder, now: t.number });
/** `solver` overrides the dispatch's current settings field by field. */
export const Redispatch = t.type({ type: t.literal('Redispatch'), dispatchId: Id, now: t.number, solver: t.partial(DispatchSolverSettings.props) });

export const DispatchCommand = t.union([
  RequestDispatch,
  StartDispatchGeneration,
  ReportDispatchProgress,
  CompleteDispatchGeneration,
  FailDispatchGeneration,
  ReportVisit,
  MarkTechnicianOffSick,
  CancelDispatchOrder,
  AddDispatchOrder,
  Redispatch,
]);
export type DispatchCommand = t.TypeOf<typeof DispatchCommand>;

// ---- events ---------------------------------------------------------------------------------

export const DispatchRequested = t.type({
  type: t.literal('DispatchRequested'),
  dispatchId: t.string,
  name: t.string,
  request: DispatchRequest,
  source: TechnicianSource,
  solver: DispatchSolverSettings,
  generation: t.number,
});
export const DispatchGenerationStarted = t.type({ type: t.literal('DispatchGenerationStarted'), generation: t.number, workerId: t.string, attempt: t.number });
export const DispatchProgressed = t.type({ type: t.literal('DispatchProgressed'), generation: t.number, progress: DispatchProgressData });
/** The solver's routes and unassigned orders: replace the previous generation's. */
export const RoutesPlanned = t.type({ type: t.literal('RoutesPlanned'), generation: t.number, routes: t.array(TechnicianRouteData), unassigned: t.array(UnassignedOrderData) });
export const DispatchGenerated = t.type({ type: t.literal('DispatchGenerated'), generation: t.number, objective: ObjectiveData, stats: DispatchStatsData });
export const DispatchFailed = t.type({ type: t.literal('DispatchFailed'), generation: t.number, reason: t.string });
export const VisitStarted = t.type({ type: t.literal('VisitStarted'), orderId: t.string, technicianId: t.string, serviceStart: t.number });
export const VisitCompleted = t.type({ type: t.literal('VisitCompleted'), orderId: t.string, technicianId: t.string, serviceStart: t.number });
/** Off for the rest of the dispatch: open visits go back to the pool, completed ones stay done. */
export const TechnicianOffSick = t.type({ type: t.literal('TechnicianOffSick'), technicianId: t.string, reason: t.string });
export const DispatchOrderCancelled = t.type({ type: t.literal('DispatchOrderCancelled'), orderId: t.string });
export const DispatchOrderAdded = t.type({ type: t.literal('DispatchOrderAdded'), order: ServiceOrder });
export const RedispatchRequested = t.type({ type: t.literal('RedispatchRequested'), generation: t.number, now: t.number, solver: DispatchSolverSettings, reason: t.string });

export const DispatchEvent = t.union([
  DispatchRequested,
  DispatchGenerationStarted,
  DispatchProgressed,
  RoutesPlanned,
  DispatchGenerated,
  DispatchFailed,
  VisitStarted,
  VisitCompleted,
  TechnicianOffSick,
  DispatchOrderCancelled,
  DispatchOrderAdded,
  RedispatchRequested,
]);
export type DispatchEvent = t.TypeOf<typeof DispatchEvent>;

// ---- refusals -------------------------------------------------------------------------------

export const DispatchRejection = t.intersection([
  t.type({
    code: t.union([
      t.literal('not-found'),
      t.literal('already-exists'),
      t.literal('wrong-state'),
      t.literal('stale-generation'),
      t.literal('unknown-reference'),
    ]),
    message: t.string,
  }),
  t.partial({ errors: t.array(t.type({ path: t.string, message: t.string })) }),
]);
export type DispatchRejection = t.TypeOf<typeof DispatchRejection>;

export const DISPATCH_STREAM_PREFIX = 'dispatch-';
export const streamIdOfDispatch = (orgId: string, dispatchId: string): string => `${DISPATCH_STREAM_PREFIX}${orgId}-${dispatchId}`;
