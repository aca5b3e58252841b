// Chooses the event store adapter: EventStoreDB when an `esdb://` URL is configured
// (EVENTSTORE_URL / eventstore.url), otherwise the SQL tables in the service's own database.
import type { Database } from '../database.js';
import type { Logger } from '../logger.js';
import { esdbEventStore } from './esdbEventStore.js';
import type { EventStore } from './eventStore.js';
import { sqlEventStore } from './sqlEventStore.js';

export interface EventStoreOptions {
  /** `esdb://…` or `esdb+discover://…` selects EventStoreDB; empty or absent keeps events in `database`. */
  url?: string;
  logger: Logger;
}

export function createEventStore(database: Database, options: EventStoreOptions): EventStore {
  const url = options.url?.trim();
  if (!url) return sqlEventStore(database);
  if (/^esdb(\+discover)?:\/\//i.test(url)) return esdbEventStore(url, options.logger);
  throw new Error(`eventstore.url must start with esdb:// (got a URL with scheme ${url.split(':')[0]})`);
}
