// An in-process Paiban (API, projections, solve worker) on a fresh PostgreSQL database and the real
// Redis, with an admin token, and a small client for its HTTP API.
import bunyan from 'bunyan';
import { loadConfig } from '../../src/infra/config.js';
import { silentLogger } from '../../src/infra/logger.js';
import { startInstance, type Instance } from '../../src/instance.js';
import { freePort } from './process.js';
import { freshPostgres, postgresEnv, REDIS, type TestDatabase } from './services.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

/** Keys of this test run in the shared Redis (rate limits, cache) stay apart from other runs'. */
const REDIS_KEY_PREFIX = `paiban-test-${process.pid}-${Date.now()}:`;

export interface Answer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly token?: string,
  ) {}

  withToken(token: string): ApiClient {
    return new ApiClient(this.baseUrl, token);
  }

  async request<T = Record<string, unknown>>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer<T>> {
    const response = await fetch(this.baseUrl + path, {
      method,
      headers: {
        ...(this.token ? { Authorization: `Bearer ${this.token}` } : {}),
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as T };
  }

  get<T = Record<string, unknown>>(path: string, headers?: Record<string, string>) {
    return this.request<T>('GET', path, undefined, headers);
  }

  post<T = Record<string, unknown>>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', path, body ?? {}, headers);
  }

  /** Issues a key through the admin API; returns a client that uses it. */
  async issueKey(scopes: string[], orgId?: string): Promise<ApiClient> {
    const admin = this.withToken(ADMIN_TOKEN);
    const answer = await admin.post<{ secret: string }>('/api/v1/admin/keys', { name: `test ${scopes.join('+')}`, scopes, ...(orgId ? { org_id: orgId } : {}) });
    if (answer.status !== 201) throw new Error(`issuing a key failed: ${answer.status} ${JSON.stringify(answer.body)}`);
    return this.withToken(answer.body.secret);
  }
}

export interface RunningPaiban {
  instance: Instance;
  db: TestDatabase;
  api: ApiClient;
  stop(): Promise<void>;
}

/** Starts the whole service in this process; `env` adds or overrides settings. */
export async function startPaibanInProcess(env: Record<string, string> = {}, existing?: TestDatabase): Promise<RunningPaiban> {
  const db = existing ?? (await freshPostgres());
  const config = loadConfig({
    env: {
      ...postgresEnv(db.name),
      REDIS_HOST: REDIS.host,
      REDIS_PORT: String(REDIS.port),
      APP_PORT: String(await freePort()),
      APP_ENV: 'test',
      ADMIN_TOKEN,
      REDIS_KEY_PREFIX,
      // Several instances share the test server's 100 connections.
      DB_MAX_CONNECTIONS: '10',
      ...env,
    },
  });
  // TEST_LOG_FILE: the in-process instances' warnings and errors go there (to read a failure's cause).
  // Not createLogger's file: it keeps one reopenable file per process and closes it when called
  // again, so a second in-process instance would close the first one's log under it.
  const logFile = process.env.TEST_LOG_FILE;
  const logger = logFile ? bunyan.createLogger({ name: 'paiban', level: 'warn', serializers: bunyan.stdSerializers, streams: [{ path: logFile }] }) : silentLogger();
  const instance = await startInstance('serve', config, logger);
  return {
    instance,
    db,
    api: new ApiClient(`http://127.0.0.1:${instance.http.port}`),
    async stop() {
      await instance.shutdown('test over');
      if (!existing) await db.drop();
    },
  };
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
