import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, interpolate, loadConfig, redactConfig } from '../../../src/infra/config.js';

function configFile(yaml: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'paiban-config-')), 'app.yaml');
  writeFileSync(file, yaml);
  return file;
}

function errorOf(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.message;
  }
  assert.fail('expected the configuration to be rejected');
}

describe('configuration', () => {
  it('uses the documented defaults when nothing is set', () => {
    const config = loadConfig({ env: {} });
    assert.equal(config.app.port, 7012);
    assert.equal(config.app.env, 'development');
    assert.equal(config.database.host, undefined, 'no DB_HOST means the embedded database');
    assert.equal(config.database.port, 5432);
    assert.equal(config.database.name, 'paiban');
    assert.equal(config.database.user, 'paiban');
    assert.equal(config.database.password, undefined);
    assert.equal(config.database.max_connections, 100);
    assert.equal(config.database.idle_connections, 10);
    assert.equal(config.redis.host, undefined, 'no REDIS_HOST means the in-process cache');
    assert.equal(config.redis.port, 6379);
    assert.equal(config.logging.level, 'info');
    assert.equal(config.logging.format, 'json');
  });

  it('lets every operations-guide variable override the file', () => {
    const config = loadConfig({
      env: {
        APP_PORT: '7100', APP_ENV: 'production', DB_HOST: 'db.internal', DB_PORT: '6543', DB_NAME: 'roster',
        DB_USER: 'svc', DB_PASSWORD: 'pw', REDIS_HOST: 'cache.internal', REDIS_PORT: '6380', LOG_LEVEL: 'debug',
        ADMIN_TOKEN: 'a-long-admin-token-0123',
      },
    });
    assert.deepEqual(
      [config.app.port, config.app.env, config.database.host, config.database.port, config.database.name, config.database.user,
        config.database.password, config.redis.host, config.redis.port, config.logging.level],
      [7100, 'production', 'db.internal', 6543, 'roster', 'svc', 'pw', 'cache.internal', 6380, 'debug'],
    );
  });

  it('fills ${VAR} and ${VAR:-default} placeholders, and environment variables beat literal values', () => {
    assert.equal(interpolate('${A}-${B:-two}-${C:-}', { A: 'one' }), 'one-two-');
    const file = configFile(`
app: { name: '\${SERVICE_NAME:-fallback}', port: 8000, env: test }
database: { host: '\${MY_DB}', name: 'roster_\${SUFFIX}', max_connections: 7 }
`);
    const config = loadConfig({ env: { MY_DB: 'pg.local', SUFFIX: 'eu' }, file });
    assert.equal(config.app.name, 'fallback');
    assert.equal(config.app.port, 8000);
    assert.equal(config.database.host, 'pg.local');
    assert.equal(config.database.name, 'roster_eu');
    assert.equal(config.database.max_connections, 7);
    assert.equal(loadConfig({ env: { APP_PORT: '9000' }, file }).app.port, 9000);
  });

  it('sets the threads of a roster solve by SOLVER_THREADS (default 2), and refuses fewer than 1', () => {
    assert.equal(loadConfig({ env: {} }).workers.solver_threads, 2);
    assert.equal(loadConfig({ env: { SOLVER_THREADS: '1' } }).workers.solver_threads, 1);
    assert.match(errorOf(() => loadConfig({ env: { SOLVER_THREADS: '0' } })), /workers\.solver_threads: expected an integer 1-64, got "?0"?/);
  });

  it('reads CONFIG_FILE when set', () => {
    const file = configFile('app: { name: from-config-file }\n');
    assert.equal(loadConfig({ env: { CONFIG_FILE: file } }).app.name, 'from-config-file');
  });

  it('rejects a bad value with one line naming the key, the variable and what was expected', () => {
    const message = errorOf(() => loadConfig({ env: { APP_PORT: 'abc' } }));
    assert.equal(message, 'Invalid configuration: app.port (APP_PORT): expected an integer port 1-65535, got "abc"');
    assert.ok(!message.includes('\n'));
    assert.match(errorOf(() => loadConfig({ env: { LOG_LEVEL: 'verbose' } })), /logging\.level \(LOG_LEVEL\): expected one of debug\|info\|warn\|error\|fatal, got "verbose"/);
    assert.match(errorOf(() => loadConfig({ env: { REDIS_PORT: '70000' } })), /redis\.port \(REDIS_PORT\)/);
    assert.match(errorOf(() => loadConfig({ env: { CONFIG_FILE: '/nonexistent/app.yaml' } })), /app\.yaml: file not found/);
  });

  it('names every bad key at once and never prints a secret', () => {
    const file = configFile('database: { password: [1, 2] }\n');
    const message = errorOf(() => loadConfig({ env: { DB_PORT: 'x' }, file }));
    assert.match(message, /database\.port \(DB_PORT\)/);
    assert.match(message, /database\.password/);
    assert.ok(!message.includes('[1,2]'), 'the bad password value must not be echoed');
  });

  it('refuses to start in production without an admin token', () => {
    assert.match(errorOf(() => loadConfig({ env: { APP_ENV: 'production' } })), /ADMIN_TOKEN.*required when APP_ENV=production/);
    assert.equal(loadConfig({ env: { APP_ENV: 'production', ADMIN_TOKEN: 'x'.repeat(32) } }).app.env, 'production');
    assert.match(errorOf(() => loadConfig({ env: { ADMIN_TOKEN: 'short' } })), /at least 16 characters/);
  });

  it('reads comma-separated lists from the environment', () => {
    const config = loadConfig({ env: { TRUSTED_PROXIES: '10.0.0.1, 10.0.0.2', CORS_ORIGINS: 'https://a.example' } });
    assert.deepEqual(config.security.trusted_proxies, ['10.0.0.1', '10.0.0.2']);
    assert.deepEqual(config.security.cors_origins, ['https://a.example']);
    assert.ok(config.security.admin_allowed_cidrs.includes('127.0.0.0/8'));
  });

  it('redacts secrets for logging', () => {
    const config = loadConfig({ env: { DB_PASSWORD: 's3cret', EVENTSTORE_URL: 'esdb://user:pw@host:2113', ADMIN_TOKEN: 'admin-token-0123456789' } });
    const text = JSON.stringify(redactConfig(config));
    assert.ok(!text.includes('s3cret') && !text.includes('pw@') && !text.includes('admin-token'));
  });
});
