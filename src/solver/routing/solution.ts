// A candidate plan during search: one Route per technician plus the orders left out, and the
// scalar cost that orders plans the way the objective configuration asks.
import type { RoutingModel } from './model.js';
import { Route } from './route.js';

export class Solution {
  constructor(
    public routes: Route[],
    public unassigned: number[],
  ) {}

  static empty(m: RoutingModel): Solution {
    const routes: Route[] = [];
    for (let t = 0; t < m.technicianCount; t++) {
      const r = new Route(t);
      r.refresh(m);
      routes.push(r);
    }
    return new Solution(routes, Array.from(m.freeOrders));
  }

  clone(): Solution {
    return new Solution(
      this.routes.map((r) => r.clone()),
      this.unassigned.slice(),
    );
  }

  isUsed(m: RoutingModel, t: number): boolean {
    return this.routes[t].nodes.length > 0 || m.fixedPrefix[t].length > 0;
  }

  usedCount(m: RoutingModel): number {
    let used = 0;
    for (let t = 0; t < this.routes.length; t++) if (this.isUsed(m, t)) used++;
    return used;
  }

  unassignedPriority(m: RoutingModel): number {
    let sum = 0;
    for (const u of this.unassigned) sum += m.priority[u];
    return sum;
  }

  /** Travel of used routes (an idle technician travels nowhere). */
  distance(m: RoutingModel): number {
    let sum = 0;
    for (let t = 0; t < this.routes.length; t++) if (this.isUsed(m, t)) sum += this.routes[t].distance;
    return sum;
  }

  /** The scalar the search minimises (lexicographic levels folded by the model's weights). */
  cost(m: RoutingModel): number {
    const w = m.weights;
    let fixed = 0;
    for (let t = 0; t < this.routes.length; t++) if (this.isUsed(m, t)) fixed += m.fixedCost[t];
    return w.unassigned * this.unassignedPriority(m) + w.technician * fixed + w.travel * this.distance(m);
  }
}
