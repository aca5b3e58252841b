// The docker-compose stack, checked without Docker: services and profiles, build context and
// Dockerfile, dependency order, mounted Prometheus files, and an environment that — after
// compose's ${VAR} interpolation — the service's own config loader accepts and that matches the
// PostgreSQL container's credentials.
import assert from 'node:assert/strict';
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../../src/infra/config.js';
import { asArray, asRecord, loadYaml, opsPath, ROOT } from './opsSupport.js';

const COMPOSE_FILE = opsPath('docker-compose.yml');
const COMPOSE_DIR = path.dirname(COMPOSE_FILE);
const compose = asRecord(loadYaml(COMPOSE_FILE), 'docker-compose.yml');
const services = asRecord(compose.services, 'services');
const service = (name: string) => asRecord(services[name], `service ${name}`);

/** Compose's variable substitution: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, $$. */
function interpolate(value: string, env: Record<string, string | undefined>): string {
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g, (match, name?: string, operator?: string, operand?: string) => {
    if (match === '$$') return '$';
    const raw = env[name!];
    const unset = operator?.startsWith(':') ? raw === undefined || raw === '' : raw === undefined;
    if (operator?.endsWith('?') && unset) throw new Error(`required variable ${name} is missing a value: ${operand}`);
    if (operator?.endsWith('-') && unset) return operand ?? '';
    return raw ?? '';
  });
}

function environmentOf(name: string, env: Record<string, string | undefined>): Record<string, string> {
  const environment = asRecord(service(name).environment, `${name} environment`);
  return Object.fromEntries(Object.entries(environment).map(([key, value]) => [key, interpolate(String(value), env)]));
}

const APP_SERVICES = ['paiban', 'worker', 'migrate'];

describe('ops/docker-compose.yml', () => {
  it('runs the API, a worker, PostgreSQL, Redis and Prometheus, with EventStoreDB only under its profile', () => {
    for (const name of ['paiban', 'worker', 'postgres', 'redis', 'prometheus']) {
      assert.ok(services[name], `service ${name}`);
      assert.equal(service(name).profiles, undefined, `${name} starts with a plain \`up\``);
    }
    assert.deepEqual(service('eventstore').profiles, ['eventstore']);
  });

  it('builds the application services from the repository root with ops/Dockerfile', () => {
    for (const name of APP_SERVICES) {
      const build = asRecord(service(name).build, `${name} build`);
      const context = path.resolve(COMPOSE_DIR, String(build.context));
      assert.equal(realpathSync(context), realpathSync(ROOT), `${name}: build context is the repository root`);
      assert.ok(existsSync(path.join(context, String(build.dockerfile))), `${name}: ${String(build.dockerfile)} exists in the context`);
      assert.equal(service(name).image, 'paiban:latest');
    }
  });

  it("starts each role with the CLI command and publishes the API's port 7012", () => {
    assert.deepEqual(service('paiban').command, ['node', 'bin/paiban.js', 'serve']);
    assert.deepEqual(service('worker').command, ['node', 'bin/paiban.js', 'worker']);
    assert.deepEqual(service('migrate').command, ['node', 'bin/paiban.js', 'migrate', 'up']);
    assert.ok(asArray(service('paiban').ports, 'ports').includes('7012:7012'));
  });

  it('starts the application after healthy databases and a finished migration', () => {
    for (const [name, definition] of Object.entries(services)) {
      const dependsOn = asRecord(definition, name).depends_on;
      if (dependsOn === undefined) continue;
      const conditions: [string, string | undefined][] = Array.isArray(dependsOn)
        ? dependsOn.map((dependency) => [String(dependency), undefined])
        : Object.entries(asRecord(dependsOn, `${name} depends_on`)).map(([dependency, how]) => [dependency, asRecord(how, 'condition').condition as string | undefined]);
      for (const [dependency, condition] of conditions) {
        assert.ok(services[dependency], `${name} depends on an undefined service ${dependency}`);
        if (condition === 'service_healthy') assert.ok(service(dependency).healthcheck, `${name} waits for ${dependency} to be healthy, which needs a healthcheck`);
        if (condition === 'service_completed_successfully') assert.equal(service(dependency).restart, 'no', `${dependency} must run once and exit`);
      }
    }
    for (const name of ['paiban', 'worker']) {
      const dependsOn = asRecord(service(name).depends_on, `${name} depends_on`);
      assert.deepEqual(Object.keys(dependsOn).sort(), ['migrate', 'postgres', 'redis']);
    }
  });

  it('mounts the scrape config and the alert rules where the config looks for them', () => {
    const mounts = asArray(service('prometheus').volumes, 'prometheus volumes').map((volume) => String(volume).split(':'));
    const target = (file: string) => {
      const mount = mounts.find(([source]) => source.startsWith('.') && path.resolve(COMPOSE_DIR, source) === opsPath('prometheus', file));
      assert.ok(mount, `ops/prometheus/${file} is mounted`);
      assert.ok(existsSync(path.resolve(COMPOSE_DIR, mount[0])));
      assert.equal(mount[2], 'ro', `${file} is mounted read-only`);
      return mount[1];
    };
    const configTarget = target('prometheus.yml');
    const rulesTarget = target('alerts.yml');
    const command = asArray(service('prometheus').command, 'prometheus command');
    assert.ok(command.includes(`--config.file=${configTarget}`), 'Prometheus reads the mounted config');
    const ruleFiles = asArray(asRecord(loadYaml(opsPath('prometheus', 'prometheus.yml')), 'prometheus.yml').rule_files, 'rule_files');
    assert.deepEqual(
      ruleFiles.map((file) => path.posix.resolve(path.posix.dirname(configTarget), String(file))),
      [rulesTarget],
      'rule_files (relative to the config) resolve to the mounted alerts.yml',
    );
  });

  it('gives every application service a configuration the service accepts, matching the database container', () => {
    const hostEnv = { ADMIN_TOKEN: 'a'.repeat(64) };
    const postgres = environmentOf('postgres', hostEnv);
    for (const name of APP_SERVICES) {
      const env = environmentOf(name, hostEnv);
      const config = loadConfig({ env: { ...env, CONFIG_FILE: path.join(ROOT, 'configs', 'app.yaml') } });
      assert.equal(config.app.port, 7012, name);
      assert.equal(config.app.env, 'production', name);
      assert.ok(config.database.host && services[config.database.host], `${name}: DB_HOST ${config.database.host} is a compose service`);
      assert.ok(config.redis.host && services[config.redis.host], `${name}: REDIS_HOST ${config.redis.host} is a compose service`);
      assert.equal(config.database.user, postgres.POSTGRES_USER, `${name}: DB_USER`);
      assert.equal(config.database.name, postgres.POSTGRES_DB, `${name}: DB_NAME`);
      assert.equal(config.database.password, postgres.POSTGRES_PASSWORD, `${name}: DB_PASSWORD`);
      assert.equal(config.eventstore.url, undefined, `${name}: events stay in PostgreSQL unless EVENTSTORE_URL is set`);
    }
    const withEventStore = environmentOf('paiban', { ...hostEnv, EVENTSTORE_URL: 'esdb://eventstore:2113?tls=false' });
    assert.equal(withEventStore.EVENTSTORE_URL, 'esdb://eventstore:2113?tls=false');
  });

  it('refuses to start in production without an ADMIN_TOKEN instead of running unprotected', () => {
    assert.throws(() => environmentOf('paiban', {}), /ADMIN_TOKEN/);
    assert.throws(() => environmentOf('paiban', { ADMIN_TOKEN: '' }), /ADMIN_TOKEN/);
  });

  it('keeps databases on the host loopback and persists their data in named volumes', () => {
    const volumes = new Set(Object.keys(asRecord(compose.volumes, 'volumes')));
    for (const name of ['postgres', 'redis', 'prometheus', 'eventstore']) {
      for (const port of asArray(service(name).ports ?? [], `${name} ports`)) {
        if (name !== 'prometheus') assert.match(String(port), /^127\.0\.0\.1:/, `${name} publishes ${String(port)} on loopback only`);
      }
      const named = asArray(service(name).volumes, `${name} volumes`).map((volume) => String(volume).split(':')[0]).filter((source) => !source.startsWith('.'));
      assert.ok(named.length === 1 && volumes.has(named[0]), `${name} keeps its data in a declared named volume`);
    }
  });
});
