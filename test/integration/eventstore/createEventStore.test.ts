import assert from 'node:assert/strict';
import type { Database } from '../../../src/infra/database.js';
import { createEventStore } from '../../../src/infra/eventstore/createEventStore.js';
import { silentLogger } from '../../../src/infra/logger.js';

// Adapter choice only; nothing is connected (the EventStoreDB client connects lazily).
const database = { kind: 'postgres' } as Database;

describe('createEventStore: adapter chosen by eventstore.url', () => {
  it('keeps events in the database when no URL is set', async () => {
    assert.equal(createEventStore(database, { logger: silentLogger() }).kind, 'postgres');
    assert.equal(createEventStore(database, { url: '  ', logger: silentLogger() }).kind, 'postgres');
  });
  it('uses EventStoreDB for an esdb:// URL', async () => {
    const store = createEventStore(database, { url: 'esdb://127.0.0.1:2113?tls=false', logger: silentLogger() });
    assert.equal(store.kind, 'esdb');
    await store.close();
  });
  it('refuses any other scheme', async () => {
    assert.throws(() => createEventStore(database, { url: 'postgres://x', logger: silentLogger() }), /must start with esdb:\/\//);
  });
});
