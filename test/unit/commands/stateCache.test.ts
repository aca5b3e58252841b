// A command handler with a state cache reads only the events appended since its last fold, and
// decides exactly as one that folds the whole stream.
import assert from 'node:assert/strict';
import { handleCommand, type CommandContext } from '../../../src/commands/commandHandler.js';
import { inMemoryCommandResults } from '../../../src/commands/idempotency.js';
import { scheduleAggregate } from '../../../src/commands/scheduleAggregate.js';
import { StateCache } from '../../../src/commands/stateCache.js';
import type { EventStore, ReadStreamOptions } from '../../../src/infra/eventstore/eventStore.js';
import { sqlEventStore } from '../../../src/infra/eventstore/sqlEventStore.js';
import { weekProblem } from '../../support/rosterFixtures.js';
import { freshEmbedded, type TestDatabase } from '../../support/services.js';

describe('state cache', () => {
  let db: TestDatabase;
  before(async () => (db = await freshEmbedded()));
  after(() => db?.drop());

  it('reads only newer events once a stream is cached, with the same decisions', async () => {
    const reads: (ReadStreamOptions | undefined)[] = [];
    const store = sqlEventStore(db.database);
    const watched: EventStore = { ...store, readStream: (id, options) => (reads.push(options), store.readStream(id, options)) };
    const deps = { eventStore: watched, results: inMemoryCommandResults(), states: new StateCache(10) };
    let n = 0;
    const context = (): CommandContext => ({ commandId: `c${++n}`, orgId: 'org', actorKeyId: 'k', occurredAt: '2026-01-01T00:00:00Z' });
    const solver = { timeLimitMs: 1000, unimprovedLimitMs: 100, seed: 1 };
    const send = (command: Record<string, unknown>) => handleCommand(deps, scheduleAggregate, { scheduleId: 's', ...command }, context());

    assert.equal((await send({ type: 'RequestSchedule', name: '', problem: weekProblem(3), solver })).kind, 'accepted');
    assert.equal((await send({ type: 'StartGeneration', generation: 1, workerId: 'w' })).kind, 'accepted');
    // A second start of the same attempt is a retry by another worker: attempt 2, folded from cache.
    const again = await send({ type: 'StartGeneration', generation: 1, workerId: 'w2' });
    assert.ok(again.kind === 'accepted' && again.events[0].type === 'ScheduleGenerationStarted' && again.events[0].attempt === 2);
    assert.deepEqual(reads, [undefined, { fromVersion: 1 }, { fromVersion: 2 }]);

    // Another process appended meanwhile: the cached fold catches up with its event.
    await handleCommand({ eventStore: store, results: inMemoryCommandResults() }, scheduleAggregate, { scheduleId: 's', type: 'CancelGeneration' }, context());
    const afterCancel = await send({ type: 'CompleteGeneration', generation: 1, assignments: [], score: { hard: 0, medium: 0, soft: 0 }, stats: {} });
    assert.ok(afterCancel.kind === 'rejected' && afterCancel.rejection.code === 'stale-generation');
  });
});
