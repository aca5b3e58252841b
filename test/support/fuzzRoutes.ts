// Shared by the security and fuzz suites: the API's own route table (from the routers buildApi
// mounts, so a new route is tested without anyone listing it), the protection each path prefix
// demands, a raw HTTP caller that always states the client address, and per-suite settings files.
import type Router from '@koa/router';
import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { buildApi } from '../../src/api/api.js';
import type { Instance } from '../../src/instance.js';
import { ReadCache } from '../../src/projections/readCache.js';

export interface Route {
  method: string;
  /** The pattern as registered, prefix included, e.g. `/api/v1/schedules/:id/publish`. */
  pattern: string;
}

/** Every method + path the instance's API routers answer (HEAD, implied by GET, left out). */
export function routeTable(instance: Instance): Route[] {
  const { services } = instance;
  const api = buildApi(services, services.config, new ReadCache(services.cache));
  const routes: Route[] = [];
  for (const router of api.routers as Router[]) {
    for (const layer of router.stack) {
      for (const method of layer.methods) {
        if (method !== 'HEAD') routes.push({ method, pattern: String(layer.path) });
      }
    }
  }
  return routes;
}

export type Protection = 'admin' | 'schedule' | 'dispatch' | 'public';

/** The only routes anyone may read without credentials: the API reference. */
const PUBLIC_ROUTES = new Set(['GET /openapi.json', 'GET /docs']);

/** What a route must demand, from its path prefix alone; undefined: nobody decided, which is a failure. */
export function protectionOf(pattern: string, method = 'GET'): Protection | undefined {
  const under = (prefix: string) => pattern === prefix || pattern.startsWith(`${prefix}/`);
  if (under('/api/v1/admin') || under('/debug')) return 'admin';
  if (under('/api/v1/schedules')) return 'schedule';
  if (under('/api/v1/service-orders') || under('/api/v1/dispatches')) return 'dispatch';
  if (PUBLIC_ROUTES.has(`${method} ${pattern}`)) return 'public';
  return undefined;
}

/** Harmless values for path parameters (a schedule id that exists nowhere, a well-formed key id). */
export function dummyParams(): Record<string, string> {
  return { id: randomUUID(), keyId: randomBytes(8).toString('hex'), employeeId: 'e1', day: '0' };
}

/** The pattern with `:name` parameters replaced (URL-encoded); unknown names get `x1`. */
export function fillPath(pattern: string, values: Record<string, string>): string {
  return pattern.replace(/:([A-Za-z0-9_]+)/g, (_match, name: string) => encodeURIComponent(values[name] ?? 'x1'));
}

/** A random address in 10.0.0.0/8 (an admin network) or TEST-NET-3 (outside every admin range). */
export function randomAddress(kind: 'private' | 'public'): string {
  const [a, b, c] = randomBytes(3);
  return kind === 'private' ? `10.${a}.${b}.${(c % 254) + 1}` : `203.0.${a % 114}.${(b % 254) + 1}`;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed JSON body, or undefined when it is not JSON. */
  json: Record<string, unknown> | undefined;
}

export interface CallOptions {
  /** Sent as `Authorization: Bearer …` (an API key or the admin token). */
  bearer?: string;
  /** A value to send as JSON. */
  body?: unknown;
  /** Raw body text (sent as is, with `contentType`). */
  raw?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

/**
 * One request. Every suite states its client address with X-Forwarded-For (its instances trust the
 * loopback proxy), so rate-limit buckets in the shared Redis are the suite's own.
 */
export async function call(baseUrl: string, method: string, pathAndQuery: string, address: string, options: CallOptions = {}): Promise<Answer> {
  const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const response = await fetch(baseUrl + pathAndQuery, {
    method,
    headers: {
      'X-Forwarded-For': address,
      ...(options.bearer ? { Authorization: `Bearer ${options.bearer}` } : {}),
      ...(body !== undefined ? { 'Content-Type': options.contentType ?? 'application/json' } : {}),
      ...options.headers,
    },
    body,
  });
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** A settings file for CONFIG_FILE (the environment still supplies database, Redis and security). */
export function settingsFile(settings: Record<string, unknown>): string {
  const file = path.join(tmpdir(), `paiban-security-${randomBytes(5).toString('hex')}.yaml`);
  writeFileSync(file, YAML.stringify(settings));
  return file;
}

/** Text that would betray internals in an error body: stack frames, source paths, Node error names. */
export const LEAK = /\bat [^\s]+ \(|\.(ts|js):\d+|node_modules|\/src\/|TypeError|ReferenceError|SyntaxError: Unexpected/;

/**
 * Writes a raw HTTP request head, then body chunks one by one (5 ms apart) until the server answers;
 * resolves with the status line and how many body bytes had been sent by then.
 */
export function rawExchange(port: number, head: string, chunks: Iterable<string>): Promise<{ statusLine: string; bytesSent: number }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let bytesSent = 0;
    let answered = false;
    let received = '';
    socket.on('data', (data) => {
      received += data.toString();
      if (!answered && received.includes('\r\n')) {
        answered = true;
        resolve({ statusLine: received.split('\r\n')[0], bytesSent });
        socket.destroy();
      }
    });
    socket.on('error', (error) => (answered ? undefined : reject(new Error(`${error.message} after ${bytesSent} body bytes, without an answer`))));
    socket.on('close', () => (answered ? undefined : reject(new Error(`connection closed without an answer after ${bytesSent} body bytes`))));
    socket.write(head);
    void (async () => {
      for (const chunk of chunks) {
        if (answered || socket.destroyed) return;
        socket.write(chunk);
        bytesSent += Buffer.byteLength(chunk);
        await new Promise((r) => setTimeout(r, 5));
      }
    })().catch(() => undefined);
  });
}
