// Runs the EventStore contract against every adapter: PostgreSQL, embedded PGlite, and EventStoreDB
// when EVENTSTORE_URL points at a server.
import { esdbEventStore } from '../../../src/infra/eventstore/esdbEventStore.js';
import { sqlEventStore } from '../../../src/infra/eventstore/sqlEventStore.js';
import { silentLogger } from '../../../src/infra/logger.js';
import { freshEmbedded, freshPostgres, postgresUnreachable, requireService } from '../../support/services.js';
import { eventStoreContract } from './contract.js';

describe('EventStore contract: PostgreSQL', function () {
  requireService('PostgreSQL', postgresUnreachable);
  eventStoreContract(async () => {
    const test = await freshPostgres();
    return { store: sqlEventStore(test.database), database: test.database, close: test.drop };
  });
});

describe('EventStore contract: PGlite (embedded)', function () {
  eventStoreContract(async () => {
    const test = await freshEmbedded();
    return { store: sqlEventStore(test.database), database: test.database, close: test.drop };
  });
});

describe('EventStore contract: EventStoreDB', function () {
  const url = process.env.EVENTSTORE_URL;
  if (!url) {
    it('needs EVENTSTORE_URL', function () {
      console.log('      skipped: EVENTSTORE_URL is not set, so the EventStoreDB adapter was not tested (e.g. esdb://127.0.0.1:2113?tls=false)');
      this.skip();
    });
    return;
  }
  eventStoreContract(async () => ({ store: esdbEventStore(url, silentLogger()), close: async () => undefined }));
});
