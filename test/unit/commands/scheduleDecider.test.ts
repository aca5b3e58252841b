// given(events).when(command).then(events | refusal) for the schedule's business rules.
import assert from 'node:assert/strict';
import { isLeft } from 'fp-ts/lib/Either.js';
import { fold } from '../../../src/commands/decider.js';
import { currentAssignments, problemToSolve, scheduleDecider } from '../../../src/commands/scheduleDecider.js';
import { ScheduleCommand, type ScheduleEvent, type ScheduleRejection } from '../../../src/domain/schedule.js';
import { weekProblem } from '../../support/rosterFixtures.js';

const problem = weekProblem(4);
const solver = { timeLimitMs: 5000, unimprovedLimitMs: 1000, seed: 7 };
const score = { hard: 0, medium: 0, soft: 30 };

function command(input: Record<string, unknown>): ScheduleCommand {
  const decoded = ScheduleCommand.decode({ scheduleId: 's1', ...input });
  if (isLeft(decoded)) throw new Error(`test command does not decode: ${JSON.stringify(input)}`);
  return decoded.right;
}

function given(...history: ScheduleEvent[]) {
  const state = fold(scheduleDecider, history);
  return {
    state,
    when(input: Record<string, unknown>) {
      const decision = scheduleDecider.decide(command(input), state);
      return {
        then(...expected: ScheduleEvent[]) {
          assert.ok(decision.ok, `expected events, got refusal ${decision.ok ? '' : JSON.stringify(decision.rejection)}`);
          assert.deepEqual(decision.events, expected);
        },
        refused(code: ScheduleRejection['code']): ScheduleRejection {
          assert.ok(!decision.ok, `expected refusal ${code}, got ${JSON.stringify(decision.ok && decision.events)}`);
          assert.equal(decision.rejection.code, code, decision.rejection.message);
          return decision.rejection;
        },
        events(): ScheduleEvent[] {
          assert.ok(decision.ok, `expected events, got ${decision.ok ? '' : JSON.stringify(decision.rejection)}`);
          return [...decision.events];
        },
      };
    },
  };
}

const requested: ScheduleEvent = { type: 'ScheduleRequested', scheduleId: 's1', name: 'week 2', problem, solver, generation: 1 };
const started: ScheduleEvent = { type: 'ScheduleGenerationStarted', generation: 1, workerId: 'w1', attempt: 1 };
const day = (n: number) => n as never; // branded day numbers in hand-written events
const roster = [
  { employeeId: 'e1', day: day(0), shiftId: 'D' },
  { employeeId: 'e2', day: day(0), shiftId: 'N' },
  { employeeId: 'e3', day: day(1), shiftId: 'D' },
];
const assigned: ScheduleEvent = { type: 'ShiftsAssigned', generation: 1, assignments: roster };
const generated: ScheduleEvent = { type: 'ScheduleGenerated', generation: 1, score, stats: { durationMs: 10 } };
const published: ScheduleEvent = { type: 'SchedulePublished', assignments: 3 };

describe('schedule decider', () => {
  it('requests a schedule once', () => {
    given().when({ type: 'RequestSchedule', scheduleId: 's1', name: 'week 2', problem, solver }).then(requested);
    given(requested).when({ type: 'RequestSchedule', scheduleId: 's1', name: 'again', problem, solver }).refused('already-exists');
  });

  it('refuses commands to a schedule that does not exist', () => {
    given().when({ type: 'PublishSchedule' }).refused('not-found');
  });

  it('runs a generation: start, progress, complete; a second worker cannot complete it again', () => {
    given(requested).when({ type: 'StartGeneration', generation: 1, workerId: 'w1' }).then(started);
    given(requested, started).when({ type: 'ReportProgress', generation: 1, bestScore: score, elapsedMs: 100 })
      .then({ type: 'ScheduleProgressed', generation: 1, bestScore: score, elapsedMs: 100 });
    given(requested, started).when({ type: 'CompleteGeneration', generation: 1, assignments: roster, score, stats: { durationMs: 10 } }).then(assigned, generated);
    given(requested, started, assigned, generated).when({ type: 'CompleteGeneration', generation: 1, assignments: [], score, stats: {} }).refused('stale-generation');
  });

  it('lets a retried worker restart a generation whose first worker died (attempt 2)', () => {
    given(requested, started).when({ type: 'StartGeneration', generation: 1, workerId: 'w2' })
      .then({ type: 'ScheduleGenerationStarted', generation: 1, workerId: 'w2', attempt: 2 });
  });

  it('cancels only a running generation, after which the worker cannot complete it', () => {
    given(requested, started).when({ type: 'CancelGeneration' }).then({ type: 'ScheduleGenerationCancelled', generation: 1 });
    const cancelled: ScheduleEvent = { type: 'ScheduleGenerationCancelled', generation: 1 };
    given(requested, started, cancelled).when({ type: 'CompleteGeneration', generation: 1, assignments: roster, score, stats: {} }).refused('stale-generation');
    given(requested, started, assigned, generated).when({ type: 'CancelGeneration' }).refused('wrong-state');
  });

  it('pins a manual assignment that breaks no hard rule', () => {
    given(requested, started, assigned, generated).when({ type: 'AssignShift', employeeId: 'e4', day: 3, shiftId: 'D' })
      .then({ type: 'ShiftAssigned', employeeId: 'e4', day: day(3), shiftId: 'D', forced: false, brokenRules: [] });
  });

  it('refuses a manual assignment that breaks a hard rule, naming the rule, unless forced', () => {
    // e2 works the night of day 0; a day shift on day 1 breaks the N→D succession and the rest rule.
    const history = [requested, started, assigned, generated];
    const refusal = given(...history).when({ type: 'AssignShift', employeeId: 'e2', day: 1, shiftId: 'D' }).refused('breaks-hard-rules');
    assert.ok(refusal.brokenRules && refusal.brokenRules.length > 0);
    assert.ok(refusal.brokenRules.every((rule) => rule.employeeId === 'e2'));
    const [forced] = given(...history).when({ type: 'AssignShift', employeeId: 'e2', day: 1, shiftId: 'D', force: true }).events();
    assert.equal(forced.type, 'ShiftAssigned');
    assert.ok(forced.type === 'ShiftAssigned' && forced.forced && forced.brokenRules.length === refusal.brokenRules.length);
  });

  it('refuses references to unknown employees, shifts and days with their paths', () => {
    const refusal = given(requested, started, assigned, generated).when({ type: 'AssignShift', employeeId: 'ghost', day: 30, shiftId: 'X' }).refused('unknown-reference');
    assert.deepEqual(refusal.errors?.map((e) => e.path).sort(), ['day', 'employeeId', 'shiftId']);
  });

  it('does not accept manual changes while a generation runs', () => {
    given(requested, started).when({ type: 'AssignShift', employeeId: 'e4', day: 3, shiftId: 'D' }).refused('wrong-state');
  });

  it('unassigns only what is assigned', () => {
    given(requested, started, assigned, generated).when({ type: 'UnassignShift', employeeId: 'e1', day: 0 })
      .then({ type: 'ShiftUnassigned', employeeId: 'e1', day: day(0), reason: 'manual' });
    given(requested, started, assigned, generated).when({ type: 'UnassignShift', employeeId: 'e1', day: 5 }).refused('not-assigned');
  });

  it('publishes a generated schedule only', () => {
    given(requested, started, assigned, generated).when({ type: 'PublishSchedule' }).then(published);
    given(requested).when({ type: 'PublishSchedule' }).refused('wrong-state');
  });

  it('marks an employee unavailable and unassigns the shifts that collide', () => {
    given(requested, started, assigned, generated, published).when({ type: 'MarkEmployeeUnavailable', employeeId: 'e1', days: [0, 2], reason: 'sick' }).then(
      { type: 'EmployeeMarkedUnavailable', employeeId: 'e1', days: [day(0), day(2)], reason: 'sick' },
      { type: 'ShiftUnassigned', employeeId: 'e1', day: day(0), reason: 'unavailable' },
    );
  });

  it('changes demand, unassigning people from a shift that is no longer wanted', () => {
    const events = given(requested, started, assigned, generated).when({ type: 'ChangeDemand', set: [{ day: 4, shiftId: 'D', required: 2, underWeight: 100, overWeight: 10 }], remove: [{ day: 1, shiftId: 'D' }] }).events();
    assert.deepEqual(events.map((e) => e.type), ['DemandChanged', 'ShiftUnassigned']);
    const state = fold(scheduleDecider, [requested, started, assigned, generated, ...events]);
    assert.equal(state.problem?.cover.filter((c) => c.day === 4 && c.shiftId === 'D')[0]?.required, 2);
    assert.ok(!state.problem?.cover.some((c) => c.day === 1 && c.shiftId === 'D'));
    assert.ok(!currentAssignments(state).some((a) => a.employeeId === 'e3'));
  });

  it('replans with the published roster as baseline and manual assignments pinned', () => {
    const manual: ScheduleEvent = { type: 'ShiftAssigned', employeeId: 'e4', day: day(3), shiftId: 'D', forced: false, brokenRules: [] };
    const history = [requested, started, assigned, generated, manual, published];
    given(...history).when({ type: 'Replan', changePenalty: 50, solver })
      .then({ type: 'ReplanRequested', generation: 2, changePenalty: 50 as never, solver });
    const state = fold(scheduleDecider, [...history, { type: 'ReplanRequested', generation: 2, changePenalty: 50 as never, solver }]);
    const toSolve = problemToSolve(state);
    assert.deepEqual(toSolve.pins, [{ employeeId: 'e4', day: 3, shiftId: 'D' }]);
    assert.equal(toSolve.baseline?.changePenalty, 50);
    assert.equal(toSolve.baseline?.assignments.length, 4);
    given(requested).when({ type: 'Replan', changePenalty: 50, solver }).refused('wrong-state');
  });

  it('keeps pinned assignments when a later generation assigns shifts', () => {
    const manual: ScheduleEvent = { type: 'ShiftAssigned', employeeId: 'e1', day: day(0), shiftId: 'N', forced: true, brokenRules: [] };
    const replan: ScheduleEvent = { type: 'ReplanRequested', generation: 2, changePenalty: 10 as never, solver };
    const state = fold(scheduleDecider, [
      requested, started, assigned, generated, manual, replan,
      { type: 'ScheduleGenerationStarted', generation: 2, workerId: 'w', attempt: 1 },
      { type: 'ShiftsAssigned', generation: 2, assignments: [{ employeeId: 'e1', day: day(0), shiftId: 'D' }, { employeeId: 'e2', day: day(1), shiftId: 'D' }] },
    ]);
    assert.deepEqual(currentAssignments(state), [
      { employeeId: 'e1', day: 0, shiftId: 'N' },
      { employeeId: 'e2', day: 1, shiftId: 'D' },
    ]);
  });
});
