import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { handleCommand, type CommandContext, type CommandHandlerDeps } from '../../../src/commands/commandHandler.js';
import type { CommandResultStore } from '../../../src/commands/idempotency.js';
import type { EventStore } from '../../../src/infra/eventstore/eventStore.js';
import { sqlCommandResults } from '../../../src/infra/eventstore/sqlCommandResults.js';
import { sqlEventStore } from '../../../src/infra/eventstore/sqlEventStore.js';
import { freshEmbedded, type TestDatabase } from '../../support/services.js';
import { tipJar } from './exampleAggregate.js';

describe('command handler (decode → load → decide → append, idempotent)', () => {
  let test: TestDatabase;
  let eventStore: EventStore;
  let results: CommandResultStore;
  let deps: CommandHandlerDeps;

  before(async () => {
    test = await freshEmbedded();
    eventStore = sqlEventStore(test.database);
    results = sqlCommandResults(test.database);
    deps = { eventStore, results };
  });
  after(() => test.drop());

  const context = (overrides: Partial<CommandContext> = {}): CommandContext => ({
    commandId: randomUUID(),
    orgId: 'org-a',
    actorKeyId: 'key-7',
    occurredAt: '2026-03-02T09:00:00.000Z',
    ...overrides,
  });
  const newJar = () => `jar-${randomUUID().slice(0, 8)}`;
  const open = (jarId: string, ctx = context()) => handleCommand(deps, tipJar, { type: 'OpenJar', jarId, owner: 'Mei' }, ctx);

  it('refuses undecodable input with the path of every invalid field', async () => {
    const outcome = await handleCommand(deps, tipJar, { type: 'AddTip', jarId: 7, amount: 'ten' }, context());
    assert.equal(outcome.kind, 'invalid');
    if (outcome.kind !== 'invalid') return;
    const paths = outcome.errors.map((error) => error.path);
    assert.ok(paths.includes('jarId') && paths.includes('amount'), `paths: ${paths.join(', ')}`);
  });

  it('appends the decided events with the command metadata', async () => {
    const jarId = newJar();
    const ctx = context({ correlationId: 'flow-1', causationId: 'cause-1' });
    const outcome = await open(jarId, ctx);
    assert.equal(outcome.kind, 'accepted');
    if (outcome.kind !== 'accepted') return;
    assert.equal(outcome.version, 1);
    assert.deepEqual(outcome.events, [{ type: 'JarOpened', owner: 'Mei' }]);
    assert.equal(outcome.replayed, false);
    const [stored] = await eventStore.readStream(`tipjar-org-a-${jarId}`);
    assert.equal(stored.type, 'JarOpened');
    assert.equal(stored.id, outcome.eventIds[0]);
    assert.deepEqual(stored.metadata, {
      commandId: ctx.commandId,
      correlationId: 'flow-1',
      causationId: 'cause-1',
      actorKeyId: 'key-7',
      orgId: 'org-a',
      occurredAt: '2026-03-02T09:00:00.000Z',
      schemaVersion: 1,
    });
  });

  it('a retried command (same idempotency key) returns the first result and appends nothing', async () => {
    const jarId = newJar();
    await open(jarId);
    const ctx = context({ idempotencyKey: `tip-${jarId}` });
    const first = await handleCommand(deps, tipJar, { type: 'AddTip', jarId, amount: 10 }, ctx);
    const retry = await handleCommand(deps, tipJar, { type: 'AddTip', jarId, amount: 10 }, ctx);
    assert.equal(first.kind, 'accepted');
    assert.deepEqual({ ...retry, replayed: false }, first);
    assert.equal(retry.kind === 'accepted' && retry.replayed, true);
    assert.equal(await eventStore.streamVersion(`tipjar-org-a-${jarId}`), 2);
  });

  it('an Idempotency-Key makes a resend with a new command id a no-op, and refuses reuse for another command', async () => {
    const jarId = newJar();
    await open(jarId);
    const first = await handleCommand(deps, tipJar, { type: 'AddTip', jarId, amount: 5 }, context({ idempotencyKey: 'pay-42' }));
    const resent = await handleCommand(deps, tipJar, { type: 'AddTip', jarId, amount: 5 }, context({ idempotencyKey: 'pay-42' }));
    assert.equal(first.kind, 'accepted');
    assert.equal(resent.kind === 'accepted' && resent.replayed, true);
    const reused = await handleCommand(deps, tipJar, { type: 'AddTip', jarId, amount: 6 }, context({ idempotencyKey: 'pay-42' }));
    assert.deepEqual(reused, { kind: 'key_reused', idempotencyKey: 'pay-42' });
    assert.equal(await eventStore.streamVersion(`tipjar-org-a-${jarId}`), 2);
    // The same key in another org is a different key.
    const otherOrg = await handleCommand(deps, tipJar, { type: 'OpenJar', jarId, owner: 'Ana' }, context({ orgId: 'org-b', idempotencyKey: 'pay-42' }));
    assert.equal(otherOrg.kind, 'accepted');
  });

  it('a rejection is the first result too: a retry with the key gets it back even after the state changed', async () => {
    const jarId = newJar();
    const ctx = context({ idempotencyKey: `early-tip-${jarId}` });
    const refused = await handleCommand(deps, tipJar, { type: 'AddTip', jarId, amount: 5 }, ctx);
    assert.equal(refused.kind, 'rejected');
    assert.deepEqual(refused.kind === 'rejected' && refused.rejection, { code: 'not_open' });
    await open(jarId);
    const retry = await handleCommand(deps, tipJar, { type: 'AddTip', jarId, amount: 5 }, ctx);
    assert.equal(retry.kind, 'rejected');
    assert.equal(await eventStore.streamVersion(`tipjar-org-a-${jarId}`), 1);
  });

  it('keeps nothing for a command sent without an idempotency key, yet a resend never appends twice', async () => {
    const jarId = newJar();
    const refusedFirst = context();
    assert.equal((await handleCommand(deps, tipJar, { type: 'AddTip', jarId, amount: 5 }, refusedFirst)).kind, 'rejected');
    assert.equal(await results.find('org-a', refusedFirst.commandId), undefined, 'a refused request writes nothing');
    await open(jarId);
    const ctx = context();
    assert.equal((await handleCommand(deps, tipJar, { type: 'AddTip', jarId, amount: 5 }, ctx)).kind, 'accepted');
    assert.equal(await results.find('org-a', ctx.commandId), undefined);
    // The same command id again (a resent message): its event ids are the same, so nothing new lands.
    await handleCommand(deps, tipJar, { type: 'AddTip', jarId, amount: 5 }, ctx);
    assert.equal(await eventStore.streamVersion(`tipjar-org-a-${jarId}`), 2);
  });

  it('If-Match with a stale version is a conflict carrying the actual version', async () => {
    const jarId = newJar();
    await open(jarId);
    await handleCommand(deps, tipJar, { type: 'AddTip', jarId, amount: 1 }, context({ expectedVersion: 1 }));
    const stale = await handleCommand(deps, tipJar, { type: 'AddTip', jarId, amount: 1 }, context({ expectedVersion: 1 }));
    assert.deepEqual(stale, { kind: 'conflict', streamId: `tipjar-org-a-${jarId}`, expectedVersion: 1, actualVersion: 2 });
    assert.equal(await eventStore.streamVersion(`tipjar-org-a-${jarId}`), 2);
  });

  it('without If-Match, concurrent commands on one stream all land by reloading and deciding again', async () => {
    const jarId = newJar();
    await open(jarId);
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, () => handleCommand({ ...deps, maxAttempts: 10 }, tipJar, { type: 'AddTip', jarId, amount: 20 }, context())),
    );
    // 5 × 20 fill the jar; the decider sees each winner's tip, so the 6th is refused, not lost.
    assert.deepEqual(outcomes.map((o) => o.kind).sort(), ['accepted', 'accepted', 'accepted', 'accepted', 'accepted', 'rejected']);
    assert.equal(await eventStore.streamVersion(`tipjar-org-a-${jarId}`), 6);
  });

  it('a retry after a crash between append and saving the result does not append twice', async () => {
    const jarId = newJar();
    await open(jarId);
    const ctx = context({ idempotencyKey: `crash-${jarId}` });
    const crashingResults: CommandResultStore = {
      find: results.find,
      save: async () => {
        throw new Error('process died before saving the result');
      },
    };
    await assert.rejects(handleCommand({ eventStore, results: crashingResults }, tipJar, { type: 'AddTip', jarId, amount: 3 }, ctx), /process died/);
    assert.equal(await eventStore.streamVersion(`tipjar-org-a-${jarId}`), 2);
    const retry = await handleCommand(deps, tipJar, { type: 'AddTip', jarId, amount: 3 }, ctx);
    assert.equal(retry.kind, 'accepted');
    const events = await eventStore.readStream(`tipjar-org-a-${jarId}`);
    assert.deepEqual(events.map((e) => e.type), ['JarOpened', 'TipAdded'], 'the tip is stored once');
  });
});
