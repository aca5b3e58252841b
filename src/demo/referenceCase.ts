// The operations guide's reference case as a request a care home would send: one week, 50
// employees, 100 shift positions. It is what `paiban demo` submits and what `bench/api.ts` times,
// so it is built once, by hand-readable tables, and decoded through the public request codec
// (a change to the codec that refuses it fails the demo test, not a customer).
//
// The home: early (07-15), late (15-23) and night (23-07) shifts. Each position asks for a nurse or
// a carer; nobody is both, so every assignment counts towards exactly one requirement and the sum
// of `required` is the number of positions. Staff are full-time (3-5 shifts), part-time (up to 3)
// or on the night team (3-5 nights). Eleven hours' rest between shifts (EU working-time rule) and
// no early after a night. A few people are on leave or training, and some asked for days off or
// for a particular shift.
import { isLeft } from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { RequestScheduleBody } from '../api/routes/schedules.js';
import { formatErrors } from '../domain/fieldErrors.js';

export type ReferenceRequest = t.TypeOf<typeof RequestScheduleBody>;

const START_DATE = '2026-01-05'; // a Monday
const DAYS = 7;
const HOUR = 60;

const SHIFT_TYPES = [
  { id: 'E', name: 'Early', start: '07:00', durationMinutes: 8 * HOUR },
  { id: 'L', name: 'Late', start: '15:00', durationMinutes: 8 * HOUR },
  { id: 'N', name: 'Night', start: '23:00', durationMinutes: 8 * HOUR },
];

const CONTRACTS = [
  { id: 'full-time', minTotalMinutes: 24 * HOUR, maxTotalMinutes: 40 * HOUR, maxConsecutiveWorkDays: 5, maxShiftsPerType: { N: 3 }, minRestMinutes: 11 * HOUR },
  { id: 'part-time', maxTotalMinutes: 24 * HOUR, maxConsecutiveWorkDays: 3, maxShiftsPerType: { N: 2 }, minRestMinutes: 11 * HOUR },
  { id: 'night-team', minTotalMinutes: 24 * HOUR, maxTotalMinutes: 40 * HOUR, maxConsecutiveWorkDays: 4, maxShiftsPerType: { E: 0, L: 0 }, minRestMinutes: 11 * HOUR },
];

type Skill = 'nurse' | 'carer';
type ContractId = 'full-time' | 'part-time' | 'night-team';

/** Headcount per shift and skill: weekdays, Saturday, Sunday. Sums to 100 over the week. */
const DEMAND: Record<'weekday' | 'saturday' | 'sunday', Record<string, Record<Skill, number>>> = {
  weekday: { E: { nurse: 2, carer: 4 }, L: { nurse: 2, carer: 4 }, N: { nurse: 1, carer: 2 } },
  saturday: { E: { nurse: 1, carer: 4 }, L: { nurse: 1, carer: 4 }, N: { nurse: 1, carer: 2 } },
  sunday: { E: { nurse: 1, carer: 4 }, L: { nurse: 1, carer: 3 }, N: { nurse: 1, carer: 2 } },
};

/** Staff groups, in the order their people are numbered. */
const STAFF: { skill: Skill; contract: ContractId; count: number; hourlyCost: number }[] = [
  { skill: 'nurse', contract: 'full-time', count: 6, hourlyCost: 32 },
  { skill: 'nurse', contract: 'part-time', count: 4, hourlyCost: 32 },
  { skill: 'nurse', contract: 'night-team', count: 2, hourlyCost: 35 },
  { skill: 'carer', contract: 'full-time', count: 14, hourlyCost: 19 },
  { skill: 'carer', contract: 'part-time', count: 20, hourlyCost: 19 },
  { skill: 'carer', contract: 'night-team', count: 4, hourlyCost: 21 },
];

const NAMES = [
  'Amira Haddad', 'Ben Okafor', 'Chloe Martin', 'Dawit Bekele', 'Elena Rossi', 'Farid Nasser', 'Grace Liu', 'Hannah Weber',
  'Ivan Petrov', 'Jade Thompson', 'Kofi Mensah', 'Lena Fischer', 'Marta Nowak', 'Nadia Rahman', 'Oscar Lindqvist', 'Priya Nair',
  'Quentin Dubois', 'Rosa Alvarez', 'Samir Haddou', 'Tara Byrne', 'Uma Patel', 'Victor Costa', 'Wen Zhang', 'Ximena Ruiz',
  'Yusuf Demir', 'Zoe Clarke', 'Aidan Walsh', 'Bea Santos', 'Carlos Mendes', 'Dana Kovacs', 'Emre Yilmaz', 'Fatima Diallo',
  'Georg Huber', 'Hana Sato', 'Isla Murray', 'Jonas Berg', 'Kamala Iyer', 'Luca Bianchi', 'Mei Chen', 'Noah Schmidt',
  'Olga Ivanova', 'Pablo Garcia', 'Ruth Cohen', 'Sven Larsen', 'Tomas Horvat', 'Ines Moreau', 'Vera Novak', 'Will Evans',
  'Yara Khalil', 'Zainab Bello',
];

const dayKind = (day: number): keyof typeof DEMAND => (day === 5 ? 'saturday' : day === 6 ? 'sunday' : 'weekday');

function employees() {
  const out: { id: string; name: string; contractId: ContractId; skills: Skill[]; hourlyCost: number; unavailableDays?: number[] }[] = [];
  for (const group of STAFF) {
    for (let i = 0; i < group.count; i++) {
      const n = out.length + 1;
      out.push({ id: `e${String(n).padStart(2, '0')}`, name: NAMES[n - 1], contractId: group.contract, skills: [group.skill], hourlyCost: group.hourlyCost });
    }
  }
  // Leave and training: a nurse away Monday-Wednesday, carers on a course or on holiday.
  const away: Record<string, number[]> = { e03: [0, 1, 2], e15: [3, 4], e30: [0, 1, 2, 3, 4, 5, 6], e31: [5, 6], e44: [1] };
  return out.map((e) => (away[e.id] ? { ...e, unavailableDays: away[e.id] } : e));
}

function cover() {
  const out: { day: number; shiftId: string; skill: Skill; required: number; underWeight: number; overWeight: number; hardMinimum: boolean }[] = [];
  for (let day = 0; day < DAYS; day++) {
    for (const [shiftId, bySkill] of Object.entries(DEMAND[dayKind(day)])) {
      for (const skill of ['nurse', 'carer'] as const) {
        // Safe staffing: a missing head is never traded for a preference (medium score).
        out.push({ day, shiftId, skill, required: bySkill[skill], underWeight: 100, overWeight: 100, hardMinimum: true });
      }
    }
  }
  return out;
}

/** The request as JSON would carry it (before decoding). */
export function referenceCaseInput(): Record<string, unknown> {
  return {
    name: 'Care home, week of 5 January 2026 (reference case)',
    problem: {
      startDate: START_DATE,
      days: DAYS,
      shiftTypes: SHIFT_TYPES,
      contracts: CONTRACTS,
      employees: employees(),
      cover: cover(),
      forbiddenSuccessions: [{ from: 'N', to: 'E' }],
      shiftOnRequests: [
        { employeeId: 'e01', day: 0, shiftId: 'E', weight: 5 },
        { employeeId: 'e05', day: 2, shiftId: 'L', weight: 5 },
        { employeeId: 'e13', day: 1, shiftId: 'E', weight: 5 },
        { employeeId: 'e18', day: 4, shiftId: 'L', weight: 5 },
        { employeeId: 'e27', day: 3, weight: 3 },
        { employeeId: 'e36', day: 5, shiftId: 'E', weight: 5 },
        { employeeId: 'e47', day: 2, shiftId: 'N', weight: 5 },
      ],
      shiftOffRequests: [
        { employeeId: 'e02', day: 5, weight: 10 },
        { employeeId: 'e02', day: 6, weight: 10 },
        { employeeId: 'e08', day: 4, weight: 10 },
        { employeeId: 'e14', day: 0, shiftId: 'E', weight: 5 },
        { employeeId: 'e20', day: 6, weight: 10 },
        { employeeId: 'e25', day: 2, weight: 10 },
        { employeeId: 'e33', day: 5, weight: 10 },
        { employeeId: 'e40', day: 1, shiftId: 'N', weight: 5 },
        { employeeId: 'e48', day: 3, weight: 10 },
      ],
      weights: { fairness: 1 },
    },
  };
}

/** The reference case, decoded through the public request codec; throws if the codec refuses it. */
export function referenceCase(): ReferenceRequest {
  const decoded = RequestScheduleBody.decode(referenceCaseInput());
  if (isLeft(decoded)) throw new Error(`the reference case does not decode: ${JSON.stringify(formatErrors(decoded.left))}`);
  return decoded.right;
}

/** Positions in the reference case (the sum of `required` over its cover). */
export function positionsOf(request: ReferenceRequest): number {
  return request.problem.cover.reduce((sum, c) => sum + c.required, 0);
}
