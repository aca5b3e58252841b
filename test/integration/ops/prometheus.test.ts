// Prometheus scrape config and alert rules: promtool accepts them, the promtool unit tests fire
// every alert on synthetic series (and would notice an alert that can no longer fire), the
// guide's alerts are there with its thresholds, and every metric the rules query is one the
// service exports.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { registry } from '../../../src/infra/metrics.js';
import '../../../src/api/middleware/requestContext.js'; // registers the HTTP metrics
import { APPLICATION_METRICS, asArray, asRecord, loadYaml, opsPath, requireTools, run, runAsync } from './opsSupport.js';

const RULES = opsPath('prometheus', 'alerts.yml');
const RULE_TESTS = opsPath('prometheus', 'alerts.test.yml');
const CONFIG = opsPath('prometheus', 'prometheus.yml');

interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

function alertRules(document: unknown = loadYaml(RULES)): AlertRule[] {
  return asArray(asRecord(document, 'alerts.yml').groups, 'groups').flatMap((group) =>
    asArray(asRecord(group, 'group').rules, 'rules').map((rule) => asRecord(rule, 'rule') as unknown as AlertRule),
  );
}

interface AlertRuleTest {
  alertname: string;
  exp_alerts?: unknown[];
}
function alertRuleTests(): AlertRuleTest[] {
  return asArray(asRecord(loadYaml(RULE_TESTS), 'alerts.test.yml').tests, 'tests').flatMap((test) =>
    asArray(asRecord(test, 'test').alert_rule_test ?? [], 'alert_rule_test').map((check) => asRecord(check, 'alert_rule_test') as unknown as AlertRuleTest),
  );
}

/** Metric names a PromQL expression reads (label matchers, grouping labels and functions removed). */
function metricsIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ');
  const keywords = new Set(['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring', 'inf', 'nan']);
  const names = [...stripped.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(\s*\()?/g)]
    .filter((match) => match[2] === undefined && !keywords.has(match[1].toLowerCase()))
    .map((match) => match[1]);
  return [...new Set(names)];
}

/** Series names the service exposes: its live registry (runtime and HTTP metrics) plus the documented application metrics. */
async function exportedSeries(): Promise<Set<string>> {
  const families = await registry.getMetricsAsJSON();
  const names = new Set<string>(['up']); // added by Prometheus to every target
  const add = (name: string, type: string) => {
    names.add(name);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
  };
  for (const family of families) add(family.name, String(family.type));
  for (const name of APPLICATION_METRICS) add(name, name.endsWith('_seconds') ? 'histogram' : 'gauge');
  return names;
}

describe('ops/prometheus', () => {
  requireTools('promtool');

  it('rules pass `promtool check rules`', () => {
    const result = run('promtool', ['check', 'rules', RULES]);
    assert.equal(result.status, 0, result.output);
  });

  it('scrape config passes `promtool check config` (with the rules it loads)', () => {
    const result = run('promtool', ['check', 'config', CONFIG]);
    assert.equal(result.status, 0, result.output);
    assert.match(result.output, /1 rule files found/);
  });

  it('unit tests fire every alert on synthetic series (`promtool test rules`)', () => {
    const result = run('promtool', ['test', 'rules', RULE_TESTS]);
    assert.equal(result.status, 0, result.output);
  });

  it('unit tests cover each alert both firing and silent', () => {
    const checks = alertRuleTests();
    for (const { alert } of alertRules()) {
      const mine = checks.filter((check) => check.alertname === alert);
      assert.ok(mine.some((check) => (check.exp_alerts ?? []).length > 0), `${alert}: a test where it fires`);
      assert.ok(mine.some((check) => (check.exp_alerts ?? []).length === 0), `${alert}: a test where it stays silent`);
    }
  });

  it('unit tests fail when an alert can no longer fire (each rule disabled in turn)', async function () {
    this.timeout(30_000);
    const dir = mkdtempSync(path.join(tmpdir(), 'paiban-alerts-'));
    try {
      const original = loadYaml(RULES) as { groups: { rules: AlertRule[] }[] };
      const outcomes = await Promise.all(
        alertRules().map(async ({ alert }) => {
          // One folder per alert, so the promtool runs can overlap.
          const variant = path.join(dir, alert);
          mkdirSync(variant);
          copyFileSync(RULE_TESTS, path.join(variant, 'alerts.test.yml'));
          const mutated = structuredClone(original);
          for (const group of mutated.groups) for (const rule of group.rules) if (rule.alert === alert) rule.expr = 'vector(1) > 2';
          writeFileSync(path.join(variant, 'alerts.yml'), YAML.stringify(mutated));
          return { alert, result: await runAsync('promtool', ['test', 'rules', path.join(variant, 'alerts.test.yml')]) };
        }),
      );
      for (const { alert, result } of outcomes) {
        assert.notEqual(result.status, 0, `disabling ${alert} went unnoticed by alerts.test.yml`);
        assert.match(result.output, new RegExp(`alertname: ${alert}\\b`));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keeps the operations guide's alerts with its thresholds, severities and durations", () => {
    const byName = new Map(alertRules().map((rule) => [rule.alert, rule]));
    const guide = [
      { alert: 'HighRequestLatency', severity: 'warning', for: '5m', threshold: /> 5$/ },
      { alert: 'ScheduleGenerationFailed', severity: 'critical', for: '1m', threshold: /> 10$/ },
      { alert: 'HighMemoryUsage', severity: 'warning', for: '10m', threshold: /> 2e9$/ },
    ];
    for (const expected of guide) {
      const rule = byName.get(expected.alert);
      assert.ok(rule, `${expected.alert} is defined`);
      assert.equal(rule.labels?.severity, expected.severity, `${expected.alert} severity`);
      assert.equal(rule.for, expected.for, `${expected.alert} for`);
      assert.match(rule.expr.trim(), expected.threshold, `${expected.alert} threshold`);
      assert.ok(rule.annotations?.summary, `${expected.alert} has a summary`);
    }
    const metrics = alertRules().flatMap((rule) => metricsIn(rule.expr));
    assert.ok(metrics.includes('nodejs_eventloop_lag_seconds'), 'an event-loop lag alert');
    assert.ok(metrics.includes('projection_lag_events'), 'a projection lag alert');
  });

  it("queries only metrics the service exports (Node.js runtime metrics, not Go's)", async () => {
    const exported = await exportedSeries();
    for (const rule of alertRules()) {
      const metrics = metricsIn(rule.expr);
      assert.ok(metrics.length > 0, `${rule.alert}: found the metrics of ${rule.expr}`);
      for (const metric of metrics) assert.ok(exported.has(metric), `${rule.alert} reads ${metric}, which the service does not export`);
    }
  });

  it('reads metric names out of PromQL as expected (the check above depends on it)', () => {
    assert.deepEqual(metricsIn('histogram_quantile(0.99, sum by (job, le) (rate(http_request_duration_seconds_bucket{route="/x"}[5m]))) > 5'), [
      'http_request_duration_seconds_bucket',
    ]);
    assert.deepEqual(metricsIn('go_memstats_alloc_bytes > 2e9 and on (instance) up == 1'), ['go_memstats_alloc_bytes', 'up']);
  });

  it('scrapes the API and the worker of the compose stack on port 7012', () => {
    const config = asRecord(loadYaml(CONFIG), 'prometheus.yml');
    const targets = asArray(config.scrape_configs, 'scrape_configs')
      .map((job) => asRecord(job, 'scrape job'))
      .filter((job) => job.job_name === 'paiban')
      .flatMap((job) => asArray(job.static_configs, 'static_configs').flatMap((group) => asArray(asRecord(group, 'static config').targets, 'targets')));
    assert.deepEqual(targets.sort(), ['paiban:7012', 'worker:7012']);
  });
});
