// The roster request model: what a user submits to have a roster built (employees, contracts,
// shift types, demand, requests, pins, baseline, rule levels). The codec is strict — unknown keys
// are rejected, not silently dropped — because a typo in a rule name must not quietly turn a hard
// rule off. Referential checks (unknown ids, days out of range) live in the solver's
// `validateProblem`, which runs after this codec.
import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import { formatErrors, type FieldError } from './fieldErrors.js';
import { strictObject } from './rosterCodecSupport.js';

export type { FieldError } from './fieldErrors.js';

interface IsoDateBrand {
  readonly IsoDate: unique symbol;
}
/** A calendar date `yyyy-mm-dd` that exists (2025-02-30 does not). */
export const IsoDate = t.brand(
  t.string,
  (s): s is t.Branded<string, IsoDateBrand> => isRealIsoDate(s),
  'IsoDate',
);
export type IsoDate = t.TypeOf<typeof IsoDate>;

function isRealIsoDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const ms = Date.parse(`${s}T00:00:00Z`);
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === s;
}

interface TimeOfDayBrand {
  readonly TimeOfDay: unique symbol;
}
/** A wall-clock time `HH:MM`, 00:00–23:59. */
export const TimeOfDay = t.brand(
  t.string,
  (s): s is t.Branded<string, TimeOfDayBrand> => /^([01]\d|2[0-3]):[0-5]\d$/.test(s),
  'TimeOfDay',
);
export type TimeOfDay = t.TypeOf<typeof TimeOfDay>;

interface NonNegativeIntBrand {
  readonly NonNegativeInt: unique symbol;
}
export const NonNegativeInt = t.brand(
  t.number,
  (n): n is t.Branded<number, NonNegativeIntBrand> => Number.isInteger(n) && n >= 0,
  'NonNegativeInt',
);
export type NonNegativeInt = t.TypeOf<typeof NonNegativeInt>;

interface PositiveIntBrand {
  readonly PositiveInt: unique symbol;
}
export const PositiveInt = t.brand(
  t.number,
  (n): n is t.Branded<number, PositiveIntBrand> => Number.isInteger(n) && n > 0,
  'PositiveInt',
);
export type PositiveInt = t.TypeOf<typeof PositiveInt>;

/** Shift lengths are capped at 24 h so that overlaps can only happen between neighbouring days. */
interface ShiftMinutesBrand {
  readonly ShiftMinutes: unique symbol;
}
export const ShiftMinutes = t.brand(
  t.number,
  (n): n is t.Branded<number, ShiftMinutesBrand> => Number.isInteger(n) && n > 0 && n <= 1440,
  'ShiftMinutes',
);

const Id = t.string;

export const RuleLevel = t.union([t.literal('hard'), t.literal('soft')]);
export type RuleLevel = t.TypeOf<typeof RuleLevel>;

/** How one rule counts: `hard` rules feed the hard score, `soft` ones the soft score; both × weight. */
export const RuleSetting = strictObject('RuleSetting', { level: RuleLevel }, { weight: NonNegativeInt });
export type RuleSetting = t.TypeOf<typeof RuleSetting>;

/**
 * The rules whose level and weight a request (or a contract) may set. Every rule is hard with
 * weight 1 unless set otherwise.
 */
export const RULE_KINDS = [
  'overlap',
  'minRest',
  'forbiddenSuccession',
  'maxShiftsPerType',
  'minTotalMinutes',
  'maxTotalMinutes',
  'maxConsecutiveWorkDays',
  'minConsecutiveWorkDays',
  'minConsecutiveDaysOff',
  'maxWeekends',
  'unavailable',
  'skills',
] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

export const RuleSettings = strictObject(
  'RuleSettings',
  {},
  Object.fromEntries(RULE_KINDS.map((k) => [k, RuleSetting])) as Record<RuleKind, typeof RuleSetting>,
);
export type RuleSettings = t.TypeOf<typeof RuleSettings>;

export const ShiftType = strictObject(
  'ShiftType',
  { id: Id, start: TimeOfDay, durationMinutes: ShiftMinutes },
  { name: t.string, requiredSkills: t.array(t.string) },
);
export type ShiftType = t.TypeOf<typeof ShiftType>;

/** The limits of one kind of contract; absent fields mean "no limit". */
export const Contract = strictObject(
  'Contract',
  { id: Id },
  {
    /** Per shift type id: the most shifts of that type in the period (0 = never works it). */
    maxShiftsPerType: t.record(t.string, NonNegativeInt),
    minTotalMinutes: NonNegativeInt,
    maxTotalMinutes: NonNegativeInt,
    maxConsecutiveWorkDays: PositiveInt,
    minConsecutiveWorkDays: PositiveInt,
    minConsecutiveDaysOff: PositiveInt,
    /** Weekends (Saturday or Sunday) with any shift. */
    maxWeekends: NonNegativeInt,
    minRestMinutes: NonNegativeInt,
    /** Rule levels for employees on this contract; they override the request-wide `rules`. */
    rules: RuleSettings,
  },
);
export type Contract = t.TypeOf<typeof Contract>;

export const Employee = strictObject(
  'Employee',
  { id: Id, contractId: Id },
  {
    name: t.string,
    skills: t.array(t.string),
    /** Cost per hour worked, in the request's currency unit; multiplied by `weights.cost`. */
    hourlyCost: NonNegativeInt,
    /** Day indexes (0 = startDate) the employee cannot work. */
    unavailableDays: t.array(NonNegativeInt),
  },
);
export type Employee = t.TypeOf<typeof Employee>;

/** Headcount wanted on one shift of one day (optionally: of one skill). */
export const CoverRequirement = strictObject(
  'CoverRequirement',
  { day: NonNegativeInt, shiftId: Id, required: NonNegativeInt, underWeight: NonNegativeInt, overWeight: NonNegativeInt },
  {
    /** Only employees with this skill count towards this requirement. */
    skill: t.string,
    /** Unfilled heads count in the medium score instead of costing `underWeight`. */
    hardMinimum: t.boolean,
  },
);
export type CoverRequirement = t.TypeOf<typeof CoverRequirement>;

/** A wish to work (on) or not work (off) a shift; without `shiftId`: any shift / the day off. */
export const ShiftRequest = strictObject(
  'ShiftRequest',
  { employeeId: Id, day: NonNegativeInt, weight: NonNegativeInt },
  { shiftId: Id },
);
export type ShiftRequest = t.TypeOf<typeof ShiftRequest>;

/** One employee's shift on one day; `shiftId: null` in a pin means "fixed day off". */
export const Assignment = strictObject('Assignment', { employeeId: Id, day: NonNegativeInt, shiftId: Id }, {});
export type Assignment = t.TypeOf<typeof Assignment>;

/** An assignment as the solver's functions take and return it (plain numbers, no brands). */
export interface ShiftAssignment {
  employeeId: string;
  day: number;
  shiftId: string;
}

export const Pin = strictObject(
  'Pin',
  { employeeId: Id, day: NonNegativeInt, shiftId: t.union([Id, t.null]) },
  {},
);
export type Pin = t.TypeOf<typeof Pin>;

/** Forbid working shift `to` on the day after shift `from`. */
export const ForbiddenSuccession = strictObject('ForbiddenSuccession', { from: Id, to: Id }, {});
export type ForbiddenSuccession = t.TypeOf<typeof ForbiddenSuccession>;

/** A previously published roster: each (employee, day) that differs from it costs `changePenalty`. */
export const Baseline = strictObject(
  'Baseline',
  { assignments: t.array(Assignment), changePenalty: NonNegativeInt },
  {},
);
export type Baseline = t.TypeOf<typeof Baseline>;

export const Weights = strictObject(
  'Weights',
  {},
  {
    /** × Σ over contract groups of squared deviation of worked hours from the group mean. */
    fairness: NonNegativeInt,
    /** × Σ hourlyCost · hours worked. */
    cost: NonNegativeInt,
  },
);
export type Weights = t.TypeOf<typeof Weights>;

export const RosterProblem = strictObject(
  'RosterProblem',
  {
    startDate: IsoDate,
    days: PositiveInt,
    shiftTypes: t.array(ShiftType),
    contracts: t.array(Contract),
    employees: t.array(Employee),
    cover: t.array(CoverRequirement),
  },
  {
    forbiddenSuccessions: t.array(ForbiddenSuccession),
    shiftOnRequests: t.array(ShiftRequest),
    shiftOffRequests: t.array(ShiftRequest),
    pins: t.array(Pin),
    baseline: Baseline,
    rules: RuleSettings,
    weights: Weights,
    /**
     * Runs of work or of days off that touch the first or last day are exempt from the minimum
     * consecutive rules (the period's edges cut them). Default true.
     */
    exemptEdgeRuns: t.boolean,
  },
);
export type RosterProblem = t.TypeOf<typeof RosterProblem>;

export const Score = strictObject('Score', { hard: t.number, medium: t.number, soft: t.number }, {});
/** Penalties, lower is better, compared lexicographically: hard, then medium, then soft. */
export type Score = t.TypeOf<typeof Score>;

/** Decodes an untrusted request body into a RosterProblem, or the path and reason of each error. */
export function decodeRosterProblem(input: unknown): { ok: true; problem: RosterProblem } | { ok: false; errors: FieldError[] } {
  const result = RosterProblem.decode(input);
  if (isLeft(result)) return { ok: false, errors: formatErrors(result.left) };
  return { ok: true, problem: result.right };
}

/** Negative when a is better than b, positive when worse, 0 when equal. */
export function compareScores(a: Score, b: Score): number {
  if (a.hard !== b.hard) return a.hard - b.hard;
  if (a.medium !== b.medium) return a.medium - b.medium;
  return a.soft - b.soft;
}
