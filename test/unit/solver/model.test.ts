import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decodeRosterProblem } from '../../../src/domain/roster.js';
import { loadCurtoisInstance } from '../../../src/solver/curtoisLoader.js';
import { validateProblem } from '../../../src/solver/validateProblem.js';
import { CURTOIS_DIR, tinyProblem } from './fixtures.js';

const valid = {
  startDate: '2024-01-01',
  days: 7,
  shiftTypes: [{ id: 'D', start: '08:00', durationMinutes: 480 }],
  contracts: [{ id: 'C' }],
  employees: [{ id: 'E', contractId: 'C' }],
  cover: [],
};

describe('roster request codec', () => {
  it('accepts a minimal problem', () => {
    assert.equal(decodeRosterProblem(valid).ok, true);
  });

  it('rejects unknown fields, impossible dates and times, with the path of each', () => {
    const decoded = decodeRosterProblem({
      ...valid,
      startDate: '2024-02-30',
      shiftTypes: [{ id: 'D', start: '24:00', durationMinutes: 480, colour: 'red' }],
      employees: [{ id: 'E', contractId: 'C', unavailableDays: [1, -2] }],
      rules: { maxWeekend: { level: 'hard' } },
    });
    assert.equal(decoded.ok, false);
    if (decoded.ok) return;
    const paths = decoded.errors.map((e) => e.path).sort();
    assert.deepEqual(paths, ['employees.0.unavailableDays.1', 'rules.maxWeekend', 'shiftTypes.0.colour', 'shiftTypes.0.start', 'startDate']);
    assert.match(decoded.errors.find((e) => e.path === 'rules.maxWeekend')!.message, /unknown field "maxWeekend"/);
  });

  it('rejects shifts longer than a day and rule levels other than hard/soft', () => {
    const decoded = decodeRosterProblem({ ...valid, shiftTypes: [{ id: 'D', start: '08:00', durationMinutes: 1441 }], rules: { minRest: { level: 'medium' } } });
    assert.equal(decoded.ok, false);
    if (!decoded.ok) assert.deepEqual(decoded.errors.map((e) => e.path).sort(), ['rules.minRest.level', 'shiftTypes.0.durationMinutes']);
  });
});

describe('validateProblem', () => {
  it('accepts a consistent problem', () => {
    assert.deepEqual(validateProblem(tinyProblem()), []);
  });

  it('reports unknown references, duplicates and days outside the period with their paths', () => {
    const problem = tinyProblem({
      employees: [{ id: 'E', contractId: 'C' }, { id: 'E', contractId: 'nope', unavailableDays: [7] }],
      cover: [{ day: 1, shiftId: 'Q', required: 1, underWeight: 1, overWeight: 1 }],
      shiftOnRequests: [{ employeeId: 'ghost', day: 0, weight: 1 }],
      pins: [{ employeeId: 'E', day: 2, shiftId: 'D' }, { employeeId: 'E', day: 2, shiftId: null }],
      forbiddenSuccessions: [{ from: 'D', to: 'Z' }],
      baseline: { assignments: [{ employeeId: 'E', day: 8, shiftId: 'D' }], changePenalty: 1 },
    });
    assert.deepEqual(validateProblem(problem).map((e) => e.path).sort(), [
      'baseline.assignments.0.day',
      'cover.0.shiftId',
      'employees.1.contractId',
      'employees.1.id',
      'employees.1.unavailableDays.0',
      'forbiddenSuccessions.0.to',
      'pins.1',
      'shiftOnRequests.0.employeeId',
    ]);
  });
});

describe('Curtois loader', () => {
  it('maps an instance onto the public model', () => {
    const loaded = loadCurtoisInstance(readFileSync(new URL('Instance2.txt', CURTOIS_DIR), 'utf8'));
    assert.ok(loaded.ok);
    if (!loaded.ok) return;
    const p = loaded.problem;
    assert.equal(p.days, 14);
    assert.equal(p.employees.length, 14);
    assert.equal(p.shiftTypes.length, 2);
    assert.deepEqual(validateProblem(p), []);
    assert.equal(p.cover.length, 28);
    // Every staff line's limits survive, through a shared contract.
    const contract = p.contracts.find((c) => c.id === p.employees[0]!.contractId)!;
    assert.equal(typeof contract.maxConsecutiveWorkDays, 'number');
    assert.ok(Object.keys(contract.maxShiftsPerType ?? {}).length === 2);
  });

  it('reports malformed input as an error value', () => {
    const loaded = loadCurtoisInstance('SECTION_HORIZON\nfourteen\n');
    assert.equal(loaded.ok, false);
    if (!loaded.ok) assert.match(loaded.error, /horizon: expected an integer/);
  });
});
