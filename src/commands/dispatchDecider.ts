// The rules of a dispatch's life: requested → generating → generated (or failed), and the
// real-time changes of the day. A cancelled order, a new order or a technician off sick changes
// the routing request and asks for a new generation; a reported visit becomes fixed, so every
// later generation keeps it where and when it happened. A newer generation makes an older one
// stale: its result can no longer be recorded. Pure: time and ids come in commands.
import type { DispatchRequest, FixedVisit, FixedVisitStatus } from '../domain/dispatch.js';
import type {
  DispatchCommand,
  DispatchEvent,
  DispatchRejection,
  DispatchSolverSettings,
  ObjectiveData,
  TechnicianRouteData,
  TechnicianSource,
  UnassignedOrderData,
} from '../domain/dispatchService.js';
import { validateDispatchRequest } from '../domain/dispatchValidation.js';
import { accept, reject, type Decider, type Decision } from './decider.js';

export type DispatchStatus = 'none' | 'requested' | 'generating' | 'generated' | 'failed';

export interface DispatchState {
  exists: boolean;
  dispatchId: string;
  name: string;
  source: TechnicianSource | undefined;
  /** The routing request as it stands now: orders and technicians after every change. */
  request: DispatchRequest | undefined;
  solver: DispatchSolverSettings;
  status: DispatchStatus;
  /** The latest requested generation (1 for the first solve, +1 per re-dispatch). */
  generation: number;
  attempt: number;
  /** Started and completed visits by order id. */
  fixed: ReadonlyMap<string, { technicianId: string; status: FixedVisitStatus; serviceStart: number }>;
  /** Re-dispatch: no new journey starts before this time. */
  now: number | undefined;
  routes: readonly TechnicianRouteData[];
  unassigned: readonly UnassignedOrderData[];
  objective: ObjectiveData | undefined;
  failureReason: string | undefined;
}

const initialState: DispatchState = {
  exists: false,
  dispatchId: '',
  name: '',
  source: undefined,
  request: undefined,
  solver: { timeLimitMs: 0, unimprovedLimitMs: 0, seed: 0 },
  status: 'none',
  generation: 0,
  attempt: 0,
  fixed: new Map(),
  now: undefined,
  routes: [],
  unassigned: [],
  objective: undefined,
  failureReason: undefined,
};

function withRequest(state: DispatchState, change: (request: DispatchRequest) => DispatchRequest): DispatchState {
  return state.request ? { ...state, request: change(state.request) } : state;
}

function evolve(state: DispatchState, event: DispatchEvent): DispatchState {
  switch (event.type) {
    case 'DispatchRequested':
      return {
        ...state,
        exists: true,
        dispatchId: event.dispatchId,
        name: event.name,
        source: event.source,
        request: event.request,
        solver: event.solver,
        status: 'requested',
        generation: event.generation,
        attempt: 0,
      };
    case 'DispatchGenerationStarted':
      return { ...state, status: 'generating', attempt: event.attempt, failureReason: undefined };
    case 'DispatchProgressed':
      return state;
    case 'RoutesPlanned':
      return { ...state, routes: event.routes, unassigned: event.unassigned };
    case 'DispatchGenerated':
      return { ...state, status: 'generated', objective: event.objective };
    case 'DispatchFailed':
      return { ...state, status: 'failed', failureReason: event.reason };
    case 'VisitStarted':
    case 'VisitCompleted': {
      const fixed = new Map(state.fixed);
      const status = event.type === 'VisitStarted' ? 'started' : 'completed';
      fixed.set(event.orderId, { technicianId: event.technicianId, status, serviceStart: event.serviceStart });
      return { ...state, fixed };
    }
    case 'TechnicianOffSick': {
      // Completed visits are done and leave the request; a started one goes back to the pool.
      const done = new Set([...state.fixed].filter(([, v]) => v.technicianId === event.technicianId && v.status === 'completed').map(([id]) => id));
      const fixed = new Map([...state.fixed].filter(([, v]) => v.technicianId !== event.technicianId));
      return withRequest({ ...state, fixed }, (request) => ({
        ...request,
        technicians: request.technicians.filter((t) => t.id !== event.technicianId),
        orders: request.orders.filter((o) => !done.has(o.id)),
      }));
    }
    case 'DispatchOrderCancelled':
      return withRequest(state, (request) => ({ ...request, orders: request.orders.filter((o) => o.id !== event.orderId) }));
    case 'DispatchOrderAdded':
      return withRequest(state, (request) => ({ ...request, orders: [...request.orders, event.order] }));
    case 'RedispatchRequested':
      return { ...state, status: 'requested', generation: event.generation, attempt: 0, now: event.now, solver: event.solver };
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

/**
 * What the solver gets for the pending generation: the current request with every started and
 * completed visit fixed, and, on a re-dispatch, the time from which new journeys may start.
 */
export function requestToSolve(state: DispatchState): DispatchRequest {
  if (!state.request) throw new Error('dispatch has no request');
  const fixedVisits: FixedVisit[] = [...state.fixed].map(([orderId, v]) => ({ orderId, technicianId: v.technicianId, status: v.status, serviceStart: v.serviceStart }));
  const { solver: _ignored, ...request } = state.request;
  return {
    ...request,
    ...(fixedVisits.length ? { fixedVisits } : {}),
    ...(state.now !== undefined ? { now: state.now } : {}),
  };
}

const refuse = (code: DispatchRejection['code'], message: string, errors?: { path: string; message: string }[]) =>
  reject<DispatchRejection>({ code, message, ...(errors ? { errors } : {}) });

const PENDING: readonly DispatchStatus[] = ['requested', 'generating'];

function replan(state: DispatchState, now: number, reason: string, solver: DispatchSolverSettings = state.solver): DispatchEvent {
  return { type: 'RedispatchRequested', generation: state.generation + 1, now, solver, reason };
}

function decide(command: DispatchCommand, state: DispatchState): Decision<DispatchEvent, DispatchRejection> {
  if (command.type === 'RequestDispatch') {
    if (state.exists) return refuse('already-exists', `dispatch ${command.dispatchId} already exists`);
    const { dispatchId, name, request, source, solver } = command;
    return accept({ type: 'DispatchRequested', dispatchId, name, request, source, solver, generation: 1 });
  }
  if (!state.exists || !state.request) return refuse('not-found', 'no such dispatch');
  const request = state.request;
  const hasOrder = (orderId: string) => request.orders.some((o) => o.id === orderId);
  const hasTechnician = (technicianId: string) => request.technicians.some((t) => t.id === technicianId);

  switch (command.type) {
    case 'StartDispatchGeneration':
      if (command.generation !== state.generation || !PENDING.includes(state.status)) {
        return refuse('stale-generation', `generation ${command.generation} is not pending (status ${state.status}, generation ${state.generation})`);
      }
      return accept({ type: 'DispatchGenerationStarted', generation: command.generation, workerId: command.workerId, attempt: state.attempt + 1 });
    case 'ReportDispatchProgress':
      if (command.generation !== state.generation || state.status !== 'generating') return refuse('stale-generation', 'generation is not running');
      return accept({ type: 'DispatchProgressed', generation: command.generation, progress: command.progress });
    case 'CompleteDispatchGeneration':
      if (command.generation !== state.generation || state.status !== 'generating') return refuse('stale-generation', 'generation is not running');
      return accept(
        { type: 'RoutesPlanned', generation: command.generation, routes: command.routes, unassigned: command.unassigned },
        { type: 'DispatchGenerated', generation: command.generation, objective: command.objective, stats: command.stats },
      );
    case 'FailDispatchGeneration':
      if (command.generation !== state.generation || !PENDING.includes(state.status)) return refuse('stale-generation', 'generation is not running');
      return accept({ type: 'DispatchFailed', generation: command.generation, reason: command.reason });
    case 'ReportVisit': {
      const errors = [
        ...(hasOrder(command.orderId) ? [] : [{ path: 'orderId', message: `no order "${command.orderId}" in this dispatch` }]),
        ...(hasTechnician(command.technicianId) ? [] : [{ path: 'technicianId', message: `no technician "${command.technicianId}" in this dispatch` }]),
      ];
      if (errors.length) return refuse('unknown-reference', 'the visit names something this dispatch does not have', errors);
      const known = state.fixed.get(command.orderId);
      if (known && known.technicianId !== command.technicianId) return refuse('wrong-state', `order ${command.orderId} is being served by ${known.technicianId}`);
      if (known?.status === 'completed') return refuse('wrong-state', `order ${command.orderId} is already completed`);
      if (known && command.status === 'started') return refuse('wrong-state', `order ${command.orderId} has already started`);
      // Completing a started visit keeps the time it started.
      const serviceStart = known?.serviceStart ?? command.serviceStart;
      const visit: DispatchEvent =
        command.status === 'started'
          ? { type: 'VisitStarted', orderId: command.orderId, technicianId: command.technicianId, serviceStart }
          : { type: 'VisitCompleted', orderId: command.orderId, technicianId: command.technicianId, serviceStart };
      // A generation already running was planned without this visit: plan again so it is kept.
      return PENDING.includes(state.status) ? accept(visit, replan(state, state.now ?? serviceStart, 'visit reported during a generation')) : accept(visit);
    }
    case 'MarkTechnicianOffSick':
      if (!hasTechnician(command.technicianId)) {
        return refuse('unknown-reference', 'no such technician in this dispatch', [{ path: 'technicianId', message: `no technician "${command.technicianId}" in this dispatch` }]);
      }
      return accept(
        { type: 'TechnicianOffSick', technicianId: command.technicianId, reason: command.reason },
        replan(state, command.now, `technician ${command.technicianId} off sick`),
      );
    case 'CancelDispatchOrder': {
      if (!hasOrder(command.orderId)) {
        return refuse('unknown-reference', 'no such order in this dispatch', [{ path: 'orderId', message: `no order "${command.orderId}" in this dispatch` }]);
      }
      const visit = state.fixed.get(command.orderId);
      if (visit) return refuse('wrong-state', `order ${command.orderId} is already ${visit.status}; it cannot be cancelled`);
      return accept({ type: 'DispatchOrderCancelled', orderId: command.orderId }, replan(state, command.now, `order ${command.orderId} cancelled`));
    }
    case 'AddDispatchOrder': {
      if (hasOrder(command.order.id)) return refuse('already-exists', `order ${command.order.id} is already in this dispatch`);
      const errors = validateDispatchRequest({ ...request, orders: [...request.orders, command.order] })
        .filter((e) => e.path.startsWith(`orders.${request.orders.length}`))
        .map((e) => ({ path: e.path.replace(`orders.${request.orders.length}`, 'order'), message: e.message }));
      if (errors.length) return refuse('unknown-reference', 'the order does not fit this dispatch', errors);
      return accept({ type: 'DispatchOrderAdded', order: command.order }, replan(state, command.now, `order ${command.order.id} added`));
    }
    case 'Redispatch':
      return accept(replan(state, command.now, 'requested', { ...state.solver, ...command.solver }));
    default: {
      const unknown: never = command;
      return unknown;
    }
  }
}

export const dispatchDecider: Decider<DispatchCommand, DispatchEvent, DispatchState, DispatchRejection> = { initialState, evolve, decide };
