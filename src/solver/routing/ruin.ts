// Ruin: slack-induced string removals (after Christiaens & Vanden Berghe's SISR). Strings of
// consecutive visits are cut from a few routes that lie near a random seed order, which frees
// room in the same area so the recreate can rebuild it differently.
import type { RoutingModel } from './model.js';
import type { Random } from './random.js';
import type { Solution } from './solution.js';

/** Average number of orders removed per ruin, and the longest string cut from a route. */
const AVERAGE_REMOVED = 10;
const MAX_STRING_LENGTH = 10;

export function ruin(m: RoutingModel, sol: Solution, rng: Random): void {
  const routeOf = new Int32Array(m.orderCount).fill(-1);
  let assigned = 0;
  let usedRoutes = 0;
  for (const route of sol.routes) {
    if (route.nodes.length === 0) continue;
    usedRoutes++;
    assigned += route.nodes.length;
    for (const node of route.nodes) routeOf[node] = route.technician;
  }
  if (assigned === 0) return;
  const maxString = Math.min(MAX_STRING_LENGTH, assigned / usedRoutes);
  const maxStrings = (4 * AVERAGE_REMOVED) / (1 + maxString) - 1;
  const strings = Math.floor(rng.next() * maxStrings) + 1;

  let seed = -1;
  for (let pick = rng.int(assigned); seed < 0; ) {
    for (const route of sol.routes) {
      if (pick < route.nodes.length) {
        seed = route.nodes[pick];
        break;
      }
      pick -= route.nodes.length;
    }
  }
  const ruined = new Set<number>();
  const visit = (order: number): void => {
    const t = routeOf[order];
    if (t < 0 || ruined.has(t)) return;
    ruined.add(t);
    const route = sol.routes[t];
    const len = route.nodes.length;
    const position = route.nodes.indexOf(order);
    const length = Math.floor(rng.next() * Math.min(len, maxString)) + 1;
    if (length < len && rng.next() < 0.5) removeSplitString(route.nodes, position, length, rng, sol.unassigned);
    else removeString(route.nodes, position, length, rng, sol.unassigned);
    route.refresh(m);
  };
  visit(seed);
  const neighbours = m.neighbours[seed];
  for (let i = 0; i < neighbours.length && ruined.size < strings; i++) visit(neighbours[i]);
}

/** Removes `length` consecutive nodes containing `position`. */
function removeString(nodes: number[], position: number, length: number, rng: Random, out: number[]): void {
  const first = Math.max(0, position - length + 1);
  const last = Math.min(position, nodes.length - length);
  const start = first + rng.int(last - first + 1);
  out.push(...nodes.splice(start, length));
}

/** Removes `length` nodes from a longer string containing `position`, keeping a middle part. */
function removeSplitString(nodes: number[], position: number, length: number, rng: Random, out: number[]): void {
  let kept = 1;
  while (length + kept < nodes.length && rng.next() < 0.5) kept++;
  const span = length + kept;
  const first = Math.max(0, position - span + 1);
  const last = Math.min(position, nodes.length - span);
  const start = first + rng.int(last - first + 1);
  const keepAt = start + 1 + rng.int(length);
  const keptNodes = nodes.slice(keepAt, keepAt + kept);
  const removed = [...nodes.slice(start, keepAt), ...nodes.slice(keepAt + kept, start + span)];
  nodes.splice(start, span, ...keptNodes);
  out.push(...removed);
}
