// What a dispatch solve returns: a route per used technician, each unassigned order with the
// reason a dispatcher can act on, the objective broken down by level, and solver statistics.
import type { ObjectiveMode } from './dispatch.js';

export interface PlannedVisit {
  readonly orderId: string;
  readonly arrival: number;
  readonly serviceStart: number;
  readonly departure: number;
  /** true for visits kept from a previous dispatch because they started or completed. */
  readonly fixed: boolean;
}

export interface TechnicianRoute {
  readonly technicianId: string;
  /** When the technician leaves the start location (or the last fixed visit). */
  readonly departure: number;
  readonly visits: readonly PlannedVisit[];
  /** Arrival at the end location. */
  readonly arrival: number;
  readonly distance: number;
  readonly load: number;
}

/**
 * no_skilled_technician: nobody has the required skills; capacity: no skilled technician can carry
 * the demand (or every vehicle that could is full); window_unreachable: no skilled technician can
 * reach it inside a time window even with an otherwise empty route; no_room_within_time: it could
 * be served alone, but the routes have no time left for it.
 */
export type UnassignedReason = 'no_skilled_technician' | 'capacity' | 'window_unreachable' | 'no_room_within_time';

export interface UnassignedOrder {
  readonly orderId: string;
  readonly reason: UnassignedReason;
}

export interface ObjectiveBreakdown {
  readonly mode: ObjectiveMode;
  readonly unassignedCount: number;
  /** Sum of the priorities of unassigned orders (level 1). */
  readonly unassignedPriority: number;
  readonly techniciansUsed: number;
  /** Sum of fixed costs of the technicians used (level 2). */
  readonly fixedCost: number;
  readonly travelDistance: number;
  /** travelDistance × travelCost (level 3). */
  readonly travelCost: number;
  /** weighted: unassignedPriority × penalty + fixedCost + travelCost (the figure minimised);
   * hierarchical: fixedCost + travelCost (the unassigned level is compared before it). */
  readonly weightedTotal: number;
}

export type StopReason = 'timeLimit' | 'iterationBudget' | 'unimproved' | 'cancelled' | 'nothingToDo';

export interface DispatchStats {
  readonly seed: number;
  readonly iterations: number;
  readonly elapsedMs: number;
  readonly stopReason: StopReason;
  /** Iterations spent removing whole routes (technician minimisation). */
  readonly fleetIterations: number;
  readonly improvements: number;
}

export interface DispatchResult {
  readonly routes: readonly TechnicianRoute[];
  readonly unassigned: readonly UnassignedOrder[];
  readonly objective: ObjectiveBreakdown;
  readonly stats: DispatchStats;
}
