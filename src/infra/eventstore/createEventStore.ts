// Chooses the event store adapter: EventStoreDB when an `esdb://` URL is configured
// (EVENTSTORE_URL / eventstore.url), otherwise the SQL tables in the service's own database.
import type { Database } from '../database.js';
import type { Logger } from '../logger.js';
import type { EventStore } from './eventStore.js';
import { sqlEventStore } from './sqlEventStore.js';

export interface EventStoreOptions {
  /** `esdb://…` or `esdb+discover://…` selects EventStoreDB; empty or absent keeps events in `database`. */
  url?: string;
  logger: Logger;
}

/** Throws on a URL that names no known adapter. */
export function createEventStore(database: Database, options: EventStoreOptions): EventStore {
  const url = options.url?.trim();
  if (!url) return sqlEventStore(database);
  if (/^esdb(\+discover)?:\/\//i.test(url)) return lazyEsdbEventStore(url, options.logger);
  throw new Error(`eventstore.url must start with esdb:// (got a URL with scheme ${url.split(':')[0]})`);
}

/**
 * The EventStoreDB adapter, loaded on first use: its gRPC client adds ~300 ms to every start-up
 * (CLI commands included) of deployments that do not use it.
 */
function lazyEsdbEventStore(url: string, logger: Logger): EventStore {
  let loading: Promise<EventStore> | undefined;
  const adapter = () => (loading ??= import('./esdbEventStore.js').then(({ esdbEventStore }) => esdbEventStore(url, logger)));
  return {
    kind: 'esdb',
    append: async (streamId, events, options) => (await adapter()).append(streamId, events, options),
    readStream: async (streamId, options) => (await adapter()).readStream(streamId, options),
    streamVersion: async (streamId) => (await adapter()).streamVersion(streamId),
    readAll: async (after, maxCount) => (await adapter()).readAll(after, maxCount),
    head: async () => (await adapter()).head(),
    countAfter: async (after, cap) => (await adapter()).countAfter(after, cap),
    onAppend: async (onAppend) => (await adapter()).onAppend(onAppend),
    ping: async () => (await adapter()).ping(),
    close: async () => {
      if (loading) await (await loading).close();
    },
  };
}
