// Large-neighbourhood search by mixed-integer programming ("fix and optimise"): keep most of the
// best roster fixed, free one neighbourhood (a few employees' whole rows, a run of days for
// everyone, or a few weekends with the days around them for everyone) and let HiGHS find the best
// roster of that neighbourhood exactly. The annealing's moves change one or two employees at a
// time; these neighbourhoods re-plan many employees together, which is what it takes to move
// weekend work between several people at once (bench/RESULTS.md, "MIP neighbourhoods").
//
// HiGHS (https://highs.dev, MIT, as WebAssembly from the `highs` package) is the engine; the model
// (mipModel.ts), the neighbourhoods and how they grow are ours.
import * as highsModule from 'highs';
import type { Highs, Model } from 'highs';
import type { CompiledProblem } from './compiledProblem.js';
import { OFF } from './compiledProblem.js';
import type { RosterMip } from './mipModel.js';
import { Random } from './random.js';

/** How long one neighbourhood may take; with `deterministic`, only the node limit bounds it. */
export interface MipStepLimits {
  timeLimitSeconds: number | undefined;
  deterministic: boolean;
  /** Polled while HiGHS runs; true stops it (with the best roster it has found so far). */
  cancelled?: () => boolean;
}

type Kind = 'employees' | 'days' | 'weekends';

/** Branch-and-bound nodes per neighbourhood: the deterministic bound of one step. */
const NODE_LIMIT = 200;
/** HiGHS's own default: no limit on nodes. */
const NO_NODE_LIMIT = 2147483647;
const MAX_STEP_SECONDS = 3;
/** HiGHS takes only finite limits; this one (about 30 years) means none. */
const NO_TIME_LIMIT = 1e9;

// The package's types describe a CommonJS module while Node loads its ES build, whose default
// export is the loader; TypeScript types that default as the whole module, hence the cast.
const highsLoader = highsModule.default as unknown as () => Promise<Highs>;
let engine: Promise<Highs | undefined> | undefined;

/** The HiGHS engine, loaded once per thread; undefined (and the search goes on without) when the
 * WebAssembly module cannot be instantiated. */
export function loadMipEngine(): Promise<Highs | undefined> {
  engine ??= highsLoader().catch(() => undefined);
  return engine;
}

export class MipNeighbourhoodSearch {
  private readonly model: Model;
  private readonly kinds: readonly Kind[];
  /** Current size per kind: employees freed, days freed / 2, or weekends freed + 1. */
  private readonly size = new Map<Kind, number>();
  private readonly random: Random;
  private readonly lower: Float64Array;
  private readonly upper: Float64Array;
  steps = 0;
  improvements = 0;

  constructor(
    private readonly highs: Highs,
    private readonly p: CompiledProblem,
    private readonly mip: RosterMip,
    seed: number,
  ) {
    this.random = new Random(seed);
    this.model = highs.createModel({
      numCols: mip.columns,
      numRows: mip.rows,
      offset: mip.offset,
      colCost: mip.colCost,
      colLower: mip.colLower,
      colUpper: mip.colUpper,
      rowLower: mip.rowLower,
      rowUpper: mip.rowUpper,
      matrix: { format: 'csr', numRows: mip.rows, numCols: mip.columns, starts: mip.rowStart, indices: mip.entryColumn, values: mip.entryValue },
      integrality: Int32Array.from(mip.integer),
    });
    const options: Record<string, number | boolean | string> = { output_flag: false, random_seed: Math.abs(seed) % 2147483647, mip_rel_gap: 0 };
    // An integral objective is proved optimal once the bound is within one unit.
    if (mip.integralObjective) options.mip_abs_gap = 0.999;
    this.model.options.set(options);
    this.kinds = p.weekendCount > 0 ? ['employees', 'days', 'weekends'] : ['employees', 'days'];
    for (const kind of this.kinds) this.size.set(kind, 3);
    this.lower = new Float64Array(mip.columns);
    this.upper = new Float64Array(mip.columns);
  }

  /**
   * Re-optimises one random neighbourhood of `roster`, which must break no hard rule and leave no
   * hard-minimum cover unfilled. Writes the better roster into `roster` and returns true when it
   * found one.
   */
  step(roster: Int16Array, limits: MipStepLimits): boolean {
    const kind = this.kinds[this.random.int(this.kinds.length)]!;
    const size = this.size.get(kind)!;
    const seconds = limits.deterministic ? NO_TIME_LIMIT : Math.min(MAX_STEP_SECONDS, limits.timeLimitSeconds ?? MAX_STEP_SECONDS);
    const { proved, improved } = this.optimise(roster, this.neighbourhood(kind, size), seconds, NODE_LIMIT, limits.cancelled);
    // Grow a neighbourhood HiGHS solves to the end; shrink one it cannot.
    this.size.set(kind, proved ? size + 1 : Math.max(1, size - 1));
    return improved;
  }

  /**
   * Optimises the whole roster, starting from `roster` (same preconditions as `step`), for up to
   * `seconds`; writes the better roster into `roster`. Returns whether it improved and whether
   * HiGHS proved the result optimal.
   */
  solveWhole(roster: Int16Array, seconds: number, cancelled?: () => boolean): { improved: boolean; proved: boolean } {
    return this.optimise(roster, new Uint8Array(this.p.employees * this.p.days).fill(1), seconds, NO_NODE_LIMIT, cancelled);
  }

  /**
   * Re-plans the whole rows of `employees` in `roster` (same preconditions as `step`) for up to
   * `seconds`, the other employees kept; writes the better roster into `roster`. Returns whether
   * it improved.
   */
  replanEmployees(roster: Int16Array, employees: readonly number[], seconds: number, cancelled?: () => boolean): boolean {
    const D = this.p.days;
    const free = new Uint8Array(this.p.employees * D);
    for (const e of employees) free.fill(1, e * D, (e + 1) * D);
    return this.optimise(roster, free, seconds, NO_NODE_LIMIT, cancelled).improved;
  }

  /** Cells with free[cell] = 1 are re-planned; the others keep their value in `roster`. */
  private optimise(roster: Int16Array, free: Uint8Array, seconds: number, nodeLimit: number, cancelled: (() => boolean) | undefined): { improved: boolean; proved: boolean } {
    const { p, mip, model } = this;
    const E = p.employees;
    const D = p.days;
    const S = p.shifts;
    this.lower.set(mip.colLower);
    this.upper.set(mip.colUpper);
    for (let cell = 0; cell < E * D; cell++) {
      if (free[cell] === 1) continue;
      for (let s = 0; s < S; s++) {
        const c = mip.cellColumn[cell * S + s]!;
        if (c < 0) continue;
        const value = roster[cell] === s ? 1 : 0;
        this.lower[c] = value;
        this.upper[c] = value;
      }
    }
    model.changeColsBounds({ kind: 'range', from: 0, to: mip.columns - 1 }, this.lower, this.upper);
    const start = mip.columnValues(roster);
    model.setSolution({ colValue: start });
    model.options.set({ time_limit: seconds, mip_max_nodes: nodeLimit });
    model.run(
      cancelled === undefined
        ? {}
        : {
            [this.highs.constants.callbackType.mipInterrupt]: (event) => {
              if (cancelled()) event.interrupt();
            },
          },
    );
    this.steps++;

    const proved = model.getModelStatus() === this.highs.constants.modelStatus.optimal;
    if (Number(model.info.get('primal_solution_status')) !== this.highs.constants.solutionStatus.feasible) return { improved: false, proved };
    const x = model.getSolution().colValue;
    if (objective(mip, x) >= objective(mip, start) - (mip.integralObjective ? 0.5 : 1e-6)) return { improved: false, proved };
    for (let cell = 0; cell < E * D; cell++) {
      if (free[cell] === 0) continue;
      roster[cell] = OFF;
      for (let s = 0; s < S; s++) {
        const c = mip.cellColumn[cell * S + s]!;
        if (c >= 0 && x[c]! > 0.5) roster[cell] = s;
      }
    }
    this.improvements++;
    return { improved: true, proved };
  }

  dispose(): void {
    this.model.dispose();
  }

  /** free[e * days + d] = 1 for the cells the neighbourhood re-plans. */
  private neighbourhood(kind: Kind, size: number): Uint8Array {
    const { p, random } = this;
    const E = p.employees;
    const D = p.days;
    const free = new Uint8Array(E * D);
    const freeDays = (from: number, to: number): void => {
      for (let e = 0; e < E; e++) for (let d = Math.max(0, from); d <= Math.min(D - 1, to); d++) free[e * D + d] = 1;
    };
    if (kind === 'employees') {
      for (const e of pick(random, E, size)) free.fill(1, e * D, (e + 1) * D);
    } else if (kind === 'days') {
      const length = Math.min(D, 2 * size);
      const from = random.int(D - length + 1);
      freeDays(from, from + length - 1);
    } else {
      // Each weekend with the Thursday before and the Monday after, so runs can start and end anew.
      const weekends = pick(random, p.weekendCount, Math.max(1, size - 1));
      for (let d = 0; d < D; d++) if (weekends.has(p.weekendOf[d]!)) freeDays(d - 2, d + 1);
    }
    return free;
  }
}

function pick(random: Random, n: number, k: number): Set<number> {
  const picked = new Set<number>();
  while (picked.size < Math.min(n, k)) picked.add(random.int(n));
  return picked;
}

function objective(mip: RosterMip, x: Float64Array): number {
  let sum = mip.offset;
  for (let c = 0; c < mip.columns; c++) sum += mip.colCost[c]! * x[c]!;
  return sum;
}
