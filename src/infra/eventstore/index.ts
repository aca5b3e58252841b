// The event store's public surface: the port, the adapter factory, and the helpers built on it.
// (The EventStoreDB adapter is not re-exported: createEventStore loads it only when configured.)
export * from './eventStore.js';
export { createEventStore, type EventStoreOptions } from './createEventStore.js';
export { sqlEventStore, appendWith, APPEND_CHANNEL } from './sqlEventStore.js';
export { sqlCommandResults } from './sqlCommandResults.js';
export { subscribeToAll, type SubscribeOptions, type Subscription } from './subscription.js';
