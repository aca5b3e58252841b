// One technician's free route with the caches that make an insertion check constant-time:
// the earliest departure from every position (forward pass) and the latest arrival at every
// position that keeps the rest of the route feasible (backward pass).
import { earliestServiceStart, latestArrival, type RoutingModel } from './model.js';

const TIME_EPSILON = 1e-9;

export class Route {
  /** Free order nodes in visiting order (fixed visits are not here; they precede the start node). */
  nodes: number[] = [];
  /** depart[k]: earliest departure from extended position k (0 = start node, k = nodes[k-1]). */
  depart: number[] = [];
  /** latest[k]: latest arrival at extended position k (1..len+1) keeping the suffix feasible. */
  latest: number[] = [];
  load = 0;
  distance = 0;
  feasible = true;

  constructor(readonly technician: number) {}

  clone(): Route {
    const copy = new Route(this.technician);
    copy.nodes = this.nodes.slice();
    copy.depart = this.depart.slice();
    copy.latest = this.latest.slice();
    copy.load = this.load;
    copy.distance = this.distance;
    copy.feasible = this.feasible;
    return copy;
  }

  /** Node at extended position k: 0 is the start, nodes.length + 1 the end. */
  nodeAt(m: RoutingModel, k: number): number {
    if (k === 0) return m.startNode[this.technician];
    if (k === this.nodes.length + 1) return m.endNode[this.technician];
    return this.nodes[k - 1];
  }

  /** Recomputes every cache in O(length). */
  refresh(m: RoutingModel): void {
    const t = this.technician;
    const size = m.nodeCount;
    const len = this.nodes.length;
    const depart = new Array<number>(len + 1);
    let load = m.initialLoad[t];
    let distance = 0;
    let prev = m.startNode[t];
    let time = m.startTime[t];
    depart[0] = time;
    let feasible = true;
    for (let k = 0; k < len; k++) {
      const node = this.nodes[k];
      const arrival = time + m.duration[prev * size + node];
      const start = earliestServiceStart(m, node, arrival);
      if (!Number.isFinite(start)) feasible = false;
      time = start + m.serviceTime[node];
      depart[k + 1] = time;
      distance += m.distance[prev * size + node];
      load += m.demand[node];
      prev = node;
    }
    const end = m.endNode[t];
    distance += m.distance[prev * size + end];
    if (time + m.duration[prev * size + end] > m.endTime[t] || load > m.capacity[t]) feasible = false;

    const latest = new Array<number>(len + 2);
    latest[len + 1] = m.endTime[t];
    let next = end;
    for (let k = len; k >= 1; k--) {
      const node = this.nodes[k - 1];
      const latestStart = latest[k + 1] - m.duration[node * size + next] - m.serviceTime[node];
      latest[k] = latestArrival(m, node, latestStart);
      next = node;
    }
    latest[0] = Infinity;
    this.depart = depart;
    this.latest = latest;
    this.load = load;
    this.distance = distance;
    this.feasible = feasible;
  }

  /**
   * Extra distance of inserting order u after extended position k (0..len), or Infinity when
   * that breaks a time window or the shift. Capacity is the caller's check (it is per route).
   */
  insertionDelta(m: RoutingModel, u: number, k: number): number {
    const size = m.nodeCount;
    const prev = this.nodeAt(m, k);
    const next = this.nodeAt(m, k + 1);
    const arrival = this.depart[k] + m.duration[prev * size + u];
    const start = earliestServiceStart(m, u, arrival);
    if (start === Infinity) return Infinity;
    // The margin keeps the backward bound (built by subtraction) from admitting an insertion
    // that the forward pass, rounding the other way, would find a hair late.
    if (start + m.serviceTime[u] + m.duration[u * size + next] > this.latest[k + 1] - TIME_EPSILON) return Infinity;
    return m.distance[prev * size + u] + m.distance[u * size + next] - m.distance[prev * size + next];
  }
}
