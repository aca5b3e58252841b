// Child process for the crash test: runs the tip_totals projection on the database named in
// CRASH_DB_NAME, slowly (so the parent can kill it mid-batch), printing `apply <event id>` as it
// applies each event inside the batch transaction.
import { connectPostgres } from '../../../src/infra/database.js';
import { sqlEventStore } from '../../../src/infra/eventstore/sqlEventStore.js';
import { silentLogger } from '../../../src/infra/logger.js';
import { startProjectionRunner } from '../../../src/projections/runner.js';
import { PG } from '../../support/services.js';
import { tipTotals } from './tipTotals.js';

const database = connectPostgres({ ...PG, database: process.env.CRASH_DB_NAME ?? '', maxConnections: 4, idleConnections: 1 });
const projection = tipTotals({
  beforeApply: async (event) => {
    process.stdout.write(`apply ${event.id}\n`);
    await new Promise((resolve) => setTimeout(resolve, 4));
  },
});
startProjectionRunner({ database, eventStore: sqlEventStore(database), projection, logger: silentLogger(), batchSize: 40, pollIntervalMs: 100 });
process.stdout.write('started\n');
