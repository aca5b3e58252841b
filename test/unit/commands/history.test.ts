import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { handleCommand, type CommandContext } from '../../../src/commands/commandHandler.js';
import { stateAsOf, streamHistory } from '../../../src/commands/history.js';
import { inMemoryCommandResults } from '../../../src/commands/idempotency.js';
import type { EventStore } from '../../../src/infra/eventstore/eventStore.js';
import { sqlEventStore } from '../../../src/infra/eventstore/sqlEventStore.js';
import { freshEmbedded, type TestDatabase } from '../../support/services.js';
import { tipJar } from './exampleAggregate.js';

describe('audit history and time travel', () => {
  let test: TestDatabase;
  let eventStore: EventStore;
  const jarId = 'jar-history';
  const streamId = `tipjar-org-h-${jarId}`;
  const contexts: CommandContext[] = [];
  let betweenSecondAndThird: Date;

  before(async () => {
    test = await freshEmbedded();
    eventStore = sqlEventStore(test.database);
    const deps = { eventStore, results: inMemoryCommandResults() };
    const commands = [
      { type: 'OpenJar', jarId, owner: 'Mei' },
      { type: 'AddTip', jarId, amount: 10 },
      { type: 'AddTip', jarId, amount: 25 },
    ];
    for (const [index, command] of commands.entries()) {
      const context: CommandContext = {
        commandId: randomUUID(),
        orgId: 'org-h',
        actorKeyId: `key-${index}`,
        occurredAt: `2026-03-0${index + 1}T08:00:00.000Z`,
        correlationId: 'flow-h',
      };
      contexts.push(context);
      const outcome = await handleCommand(deps, tipJar, command, context);
      assert.equal(outcome.kind, 'accepted');
      if (index === 1) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        betweenSecondAndThird = new Date();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  });
  after(() => test.drop());

  it('lists every event with who sent it, when, by which command and in which flow', async () => {
    const history = await streamHistory(eventStore, streamId);
    assert.deepEqual(history.map((entry) => [entry.version, entry.type, entry.metadata?.actorKeyId, entry.metadata?.commandId]), [
      [1, 'JarOpened', 'key-0', contexts[0].commandId],
      [2, 'TipAdded', 'key-1', contexts[1].commandId],
      [3, 'TipAdded', 'key-2', contexts[2].commandId],
    ]);
    assert.ok(history.every((entry) => entry.metadata?.correlationId === 'flow-h' && entry.metadata.orgId === 'org-h'));
    assert.equal(history[2].metadata?.occurredAt, '2026-03-03T08:00:00.000Z');
    assert.deepEqual((await streamHistory(eventStore, streamId, { fromVersion: 2, toVersion: 2 })).map((e) => e.data), [{ type: 'TipAdded', amount: 10 }]);
  });

  it('folds the stream as of a version', async () => {
    assert.deepEqual((await stateAsOf(eventStore, streamId, tipJar, { version: 0 })).state, { open: false, total: 0 });
    const asOfTwo = await stateAsOf(eventStore, streamId, tipJar, { version: 2 });
    assert.deepEqual(asOfTwo.state, { open: true, total: 10 });
    assert.equal(asOfTwo.version, 2);
    assert.deepEqual((await stateAsOf(eventStore, streamId, tipJar, { version: 99 })).state, { open: true, total: 35 });
  });

  it('folds the stream as of a moment', async () => {
    const then = await stateAsOf(eventStore, streamId, tipJar, { at: betweenSecondAndThird });
    assert.deepEqual(then.state, { open: true, total: 10 });
    assert.equal(then.version, 2);
    const before = await stateAsOf(eventStore, streamId, tipJar, { at: new Date('2000-01-01T00:00:00Z') });
    assert.deepEqual(before, { state: { open: false, total: 0 }, version: 0, recordedAt: undefined });
  });
});
