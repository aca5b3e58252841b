// Projection metrics, on the process registry.
import { Gauge } from 'prom-client';
import { registry } from '../infra/metrics.js';

export const projectionLag = new Gauge({
  name: 'projection_lag_events',
  help: 'Events appended but not yet applied by the projection (counted up to a cap).',
  labelNames: ['projection'],
  registers: [registry],
});

export const projectionCheckpoint = new Gauge({
  name: 'projection_checkpoint',
  help: 'Global position of the last event the projection applied.',
  labelNames: ['projection'],
  registers: [registry],
});
