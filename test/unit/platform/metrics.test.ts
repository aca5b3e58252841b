// The request histogram of our own exports what prom-client's Counter and Histogram would export for
// the same observations, so dashboards and alert rules read the same series.
import assert from 'node:assert/strict';
import { Counter, Histogram, Registry } from 'prom-client';
import { EventHistogram } from '../../../src/infra/metrics.js';

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const LABELS = ['method', 'route', 'status'] as const;

function both() {
  const ours = new Registry();
  const theirs = new Registry();
  const histogram = new EventHistogram({
    name: 'x_duration_seconds',
    help: 'Durations.',
    labelNames: LABELS,
    buckets: BUCKETS,
    counter: { name: 'x_total', help: 'Events.' },
    registers: [ours],
  });
  const reference = new Histogram({ name: 'x_duration_seconds', help: 'Durations.', labelNames: LABELS, buckets: BUCKETS, registers: [theirs] });
  const referenceCount = new Counter({ name: 'x_total', help: 'Events.', labelNames: LABELS, registers: [theirs] });
  const observe = (method: string, route: string, status: string, seconds: number) => {
    histogram.observe([method, route, status], seconds);
    reference.observe({ method, route, status }, seconds);
    referenceCount.inc({ method, route, status });
  };
  return { ours, theirs, observe };
}

describe('EventHistogram', () => {
  it('exports the text prom-client exports for the same observations, boundaries and odd label values included', async () => {
    const { ours, theirs, observe } = both();
    assert.equal(await ours.metrics(), await theirs.metrics(), 'nothing observed yet');
    const durations = [0, 0.005, 0.0051, 0.3, 30, 31, 1e-9, 2.5];
    durations.forEach((seconds, i) => observe(i % 2 ? 'GET' : 'POST', i % 3 ? '/a/:id' : 'unmatched', String(200 + i), seconds));
    observe('GET', 'a "quoted" \\ route\nwith a newline', '500', 0.02);
    observe('GET', '/a/:id', '201', 0.04);
    assert.equal(await ours.metrics(), await theirs.metrics());
  });

  it('gives the same JSON families (names, types, series) as prom-client', async () => {
    const { ours, theirs, observe } = both();
    observe('GET', '/health', '200', 0.001);
    observe('GET', '/health', '200', 0.2);
    type Families = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;
    // Compared as sets of (series name, labels, value): key order and prom-client's empty exemplar slot are not data.
    const canonical = (families: Families) =>
      families.map((family) => ({
        name: family.name,
        type: String(family.type),
        help: family.help,
        values: family.values
          .map((v) => JSON.stringify([(v as { metricName?: string }).metricName ?? family.name, Object.entries(v.labels).sort(), v.value]))
          .sort(),
      }));
    assert.deepEqual(canonical(await ours.getMetricsAsJSON()), canonical(await theirs.getMetricsAsJSON()));
  });

  it('forgets every series on reset, like prom-client', async () => {
    const { ours, theirs, observe } = both();
    observe('GET', '/a', '200', 0.1);
    ours.resetMetrics();
    theirs.resetMetrics();
    assert.equal(await ours.metrics(), await theirs.metrics());
  });
});
