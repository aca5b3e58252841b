// The process's one Prometheus registry, with the Node.js runtime metrics that stand in for the
// operations guide's Go ones (nodejs_eventloop_lag_seconds, nodejs_heap_size_used_bytes,
// process_resident_memory_bytes, nodejs_active_handles, …). Every module registers its own
// metrics here at import time.
import { Registry, collectDefaultMetrics } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry });
