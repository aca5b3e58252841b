// Random roster problems for the solver's property tests, decoded through the public codec.
import fc from 'fast-check';
import type { RosterProblem } from '../../../src/domain/roster.js';
import { RULE_KINDS } from '../../../src/domain/roster.js';
import { problemOf } from './fixtures.js';

const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined });

/**
 * Random problems using every rule. `plannerExact` keeps to what the window planner models exactly
 * (windowReplan.ts): no maximum per shift type, no fairness, and shifts of whole hours, short
 * enough (as is the minimum rest) that rest and overlap only concern consecutive days.
 * `fullCover` asks for cover on every (day, shift), so that some shifts of a day are short while
 * others are fully staffed (what re-plan ejections act on).
 * `linear` keeps to what the MIP model takes (mipModel.ts): hard contract rules, no fairness, and
 * runs at the horizon's edges exempt.
 */
export function randomProblem(options: { plannerExact?: boolean; fullCover?: boolean; linear?: boolean } = {}): fc.Arbitrary<RosterProblem> {
  const exact = options.plannerExact === true;
  const linear = options.linear === true;
  return fc
    .record({
      days: fc.integer({ min: 1, max: 12 }),
      shifts: fc.integer({ min: 1, max: 3 }),
      employees: fc.integer({ min: 1, max: 4 }),
      startDay: fc.integer({ min: 1, max: 28 }),
      seed: fc.integer(),
    })
    .chain(({ days, shifts, employees, startDay }) => {
      const shiftIds = Array.from({ length: shifts }, (_, i) => `S${i}`);
      const employeeIds = Array.from({ length: employees }, (_, i) => `E${i}`);
      const day = fc.integer({ min: 0, max: days - 1 });
      const shiftId = fc.constantFrom(...shiftIds);
      const employeeId = fc.constantFrom(...employeeIds);
      const weight = fc.integer({ min: 0, max: 9 });
      const rules = fc.dictionary(
        fc.constantFrom(...RULE_KINDS),
        fc.record({ level: linear ? fc.constant('hard' as const) : fc.constantFrom('hard' as const, 'soft' as const), weight: fc.integer({ min: 0, max: 5 }) }),
        { maxKeys: 4 },
      );
      const contract = (id: string): fc.Arbitrary<Record<string, unknown>> =>
        fc.record({
          id: fc.constant(id),
          maxShiftsPerType: exact ? fc.constant(undefined) : maybe(fc.dictionary(shiftId, fc.integer({ min: 0, max: 4 }))),
          minTotalMinutes: maybe(fc.integer({ min: 0, max: 3000 })),
          maxTotalMinutes: maybe(fc.integer({ min: 3000, max: 6000 })),
          maxConsecutiveWorkDays: maybe(fc.integer({ min: 1, max: 5 })),
          minConsecutiveWorkDays: maybe(fc.integer({ min: 1, max: 3 })),
          minConsecutiveDaysOff: maybe(fc.integer({ min: 1, max: 3 })),
          maxWeekends: maybe(fc.integer({ min: 0, max: 2 })),
          minRestMinutes: maybe(fc.integer({ min: 0, max: exact ? 600 : 900 })),
          rules: maybe(rules),
        });
      return fc.record({
        startDate: fc.constant(`2024-02-${String(startDay).padStart(2, '0')}`),
        days: fc.constant(days),
        shiftTypes: fc.tuple(
          ...shiftIds.map((id) =>
            fc.record({
              id: fc.constant(id),
              start: fc.constantFrom('00:00', '06:00', '14:00', '22:00', '23:30'),
              durationMinutes: exact ? fc.constantFrom(240, 480, 600) : fc.integer({ min: 60, max: 1440 }),
              requiredSkills: maybe(fc.subarray(['k1', 'k2'])),
            }),
          ),
        ),
        contracts: fc.tuple(contract('C0'), contract('C1')),
        employees: fc.tuple(
          ...employeeIds.map((id) =>
            fc.record({
              id: fc.constant(id),
              contractId: fc.constantFrom('C0', 'C1'),
              skills: fc.subarray(['k1', 'k2']),
              hourlyCost: maybe(fc.integer({ min: 0, max: 30 })),
              unavailableDays: maybe(fc.uniqueArray(day, { maxLength: 3 })),
            }),
          ),
        ),
        cover: options.fullCover === true
          ? fc.tuple(
              ...Array.from({ length: days * shifts }, (_, k) =>
                fc.record({
                  day: fc.constant(Math.floor(k / shifts)),
                  shiftId: fc.constant(shiftIds[k % shifts]!),
                  required: fc.integer({ min: 0, max: 2 }),
                  underWeight: weight,
                  overWeight: weight,
                }),
              ),
            )
          : fc.uniqueArray(
              fc.record({
                day,
                shiftId,
                required: fc.integer({ min: 0, max: 3 }),
                underWeight: weight,
                overWeight: weight,
                skill: maybe(fc.constantFrom('k1', 'k2')),
                hardMinimum: maybe(fc.boolean()),
              }),
              { maxLength: 12, selector: (c) => `${c.day}/${c.shiftId}/${c.skill ?? ''}` },
            ),
        forbiddenSuccessions: fc.array(fc.record({ from: shiftId, to: shiftId }), { maxLength: 3 }),
        shiftOnRequests: fc.array(fc.record({ employeeId, day, weight, shiftId: maybe(shiftId) }), { maxLength: 5 }),
        shiftOffRequests: fc.array(fc.record({ employeeId, day, weight, shiftId: maybe(shiftId) }), { maxLength: 5 }),
        pins: fc.uniqueArray(fc.record({ employeeId, day, shiftId: fc.option(shiftId, { nil: null }) }), {
          maxLength: 3,
          selector: (p) => `${p.employeeId}/${p.day}`,
        }),
        baseline: maybe(
          fc.record({
            assignments: fc.uniqueArray(fc.record({ employeeId, day, shiftId }), { maxLength: 6, selector: (a) => `${a.employeeId}/${a.day}` }),
            changePenalty: weight,
          }),
        ),
        rules: maybe(rules),
        weights: maybe(fc.record({ fairness: fc.integer({ min: 0, max: exact || linear ? 0 : 3 }), cost: fc.integer({ min: 0, max: 2 }) })),
        exemptEdgeRuns: linear ? fc.constant(undefined) : maybe(fc.boolean()),
      });
    })
    .map((raw) => problemOf(JSON.parse(JSON.stringify(raw)))); // drops undefined optional fields
}
