// Configuration: configs/app.yaml (or CONFIG_FILE) with ${VAR} / ${VAR:-default} placeholders,
// overridden by the operations guide's environment variables, validated with io-ts at start-up.
import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { projectRoot } from './projectRoot.js';

/** A number given as a YAML number or as a string of digits (environment values are strings). */
const integerIn = (name: string, min: number, max: number) =>
  new t.Type<number, number, unknown>(
    name,
    (u): u is number => typeof u === 'number' && Number.isInteger(u) && u >= min && u <= max,
    (u, context) => {
      const n = typeof u === 'number' ? u : typeof u === 'string' && /^-?\d+$/.test(u.trim()) ? Number(u) : NaN;
      return Number.isInteger(n) && n >= min && n <= max ? t.success(n) : t.failure(u, context);
    },
    (n) => n,
  );

const BooleanLike = new t.Type<boolean, boolean, unknown>(
  'true or false',
  (u): u is boolean => typeof u === 'boolean',
  (u, context) => {
    if (typeof u === 'boolean') return t.success(u);
    if (u === 'true' || u === '1') return t.success(true);
    if (u === 'false' || u === '0') return t.success(false);
    return t.failure(u, context);
  },
  (b) => b,
);

const Port = integerIn('an integer port 1-65535', 1, 65535);
const NonEmpty = new t.Type<string, string, unknown>(
  'a non-empty string',
  (u): u is string => typeof u === 'string' && u.length > 0,
  (u, context) => (typeof u === 'string' && u.length > 0 ? t.success(u) : t.failure(u, context)),
  (s) => s,
);
/** A list given as a YAML sequence or as one comma-separated string (environment values). */
const StringList = new t.Type<string[], string[], unknown>(
  'a list (YAML sequence or comma-separated string)',
  (u): u is string[] => Array.isArray(u) && u.every((item) => typeof item === 'string'),
  (u, context) => {
    if (u === undefined) return t.success([]);
    if (typeof u === 'string') return t.success(u.split(',').map((item) => item.trim()).filter(Boolean));
    if (Array.isArray(u) && u.every((item) => typeof item === 'string')) return t.success(u.map((item) => item.trim()));
    return t.failure(u, context);
  },
  (list) => list,
);

/** A time of day "HH:MM" in UTC (quoted in YAML). */
const DailyTime = new t.Type<string, string, unknown>(
  'a time of day "HH:MM" (UTC)',
  (u): u is string => typeof u === 'string' && /^([01]\d|2[0-3]):[0-5]\d$/.test(u),
  (u, context) => (typeof u === 'string' && /^([01]\d|2[0-3]):[0-5]\d$/.test(u.trim()) ? t.success(u.trim()) : t.failure(u, context)),
  (s) => s,
);

const Optional = <C extends t.Mixed>(codec: C) => t.union([codec, t.undefined]);
const oneOf = <V extends string>(values: readonly V[]) =>
  t.keyof(Object.fromEntries(values.map((v) => [v, null])) as Record<V, null>, `one of ${values.join('|')}`);

export const LogLevels = ['debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LogLevels)[number];

export const AppConfigCodec = t.strict({
  app: t.strict({
    name: NonEmpty,
    port: Port,
    env: oneOf(['development', 'test', 'staging', 'production']),
    data_dir: NonEmpty,
    shutdown_timeout_ms: integerIn('a duration in ms (0-600000)', 0, 600_000),
  }),
  database: t.strict({
    host: Optional(NonEmpty),
    port: Port,
    name: NonEmpty,
    user: NonEmpty,
    password: Optional(t.string),
    max_connections: integerIn('an integer 1-10000', 1, 10_000),
    idle_connections: integerIn('an integer 0-10000', 0, 10_000),
    migrate_on_start: BooleanLike,
  }),
  redis: t.strict({
    host: Optional(NonEmpty),
    port: Port,
    db: integerIn('a Redis database number 0-15', 0, 15),
    /** Prefix of every key this deployment writes, so several can share one Redis. */
    key_prefix: NonEmpty,
  }),
  logging: t.strict({
    level: oneOf(LogLevels),
    format: oneOf(['json']),
    file: Optional(NonEmpty),
  }),
  eventstore: t.strict({
    url: Optional(NonEmpty),
  }),
  security: t.strict({
    admin_token: Optional(NonEmpty),
    admin_allowed_cidrs: StringList,
    trusted_proxies: StringList,
    cors_origins: StringList,
  }),
  rate_limit: t.strict({
    enabled: BooleanLike,
    per_key_per_minute: integerIn('an integer 1-1000000', 1, 1_000_000),
    per_ip_per_minute: integerIn('an integer 1-1000000', 1, 1_000_000),
  }),
  workers: t.strict({
    /** `paiban serve` also runs a solve worker (`paiban worker` always does). */
    solve_in_serve: BooleanLike,
    /** A solve's lease; a dead worker's job is retried after it runs out. */
    lease_seconds: integerIn('an integer 5-3600', 5, 3600),
    /** Threads one roster solve uses: 1 anneals in the solver thread; more run the portfolio
     * (annealing threads, and one that dives by column generation and re-plans by MIP). */
    solver_threads: integerIn('an integer 1-64', 1, 64),
  }),
  retention: t.strict({
    /** Assignment rows older than this many days are pruned (events are kept). */
    assignments_days: integerIn('a number of days 1-36500', 1, 36_500),
    /** Service-order rows older than this many days are pruned. */
    service_orders_days: integerIn('a number of days 1-36500', 1, 36_500),
    /** When the in-process daily run starts (UTC); one pod runs it, under an advisory lock. */
    daily_at: DailyTime,
    /** Rows per delete statement (each its own short transaction). */
    batch_size: integerIn('an integer 1-100000', 1, 100_000),
  }),
  limits: t.strict({
    body_bytes: integerIn('a size in bytes (1 KiB-64 MiB)', 1024, 64 * 1024 * 1024),
    employees_per_request: integerIn('an integer 1-100000', 1, 100_000),
    shift_types_per_request: integerIn('an integer 1-10000', 1, 10_000),
    days_per_request: integerIn('an integer 1-3660', 1, 3660),
    orders_per_request: integerIn('an integer 1-100000', 1, 100_000),
  }),
});

export type AppConfig = t.TypeOf<typeof AppConfigCodec>;

type Tree = { [key: string]: Tree | string | number | boolean | undefined };

const DEFAULTS: Tree = {
  app: { name: 'paiban', port: 7012, env: 'development', data_dir: './data', shutdown_timeout_ms: 10_000 },
  database: {
    port: 5432,
    name: 'paiban',
    user: 'paiban',
    max_connections: 100,
    idle_connections: 10,
    migrate_on_start: true,
  },
  redis: { port: 6379, db: 0, key_prefix: 'paiban:' },
  logging: { level: 'info', format: 'json' },
  eventstore: {},
  security: {
    // Loopback and the private ranges: admin endpoints are for the operators' own network.
    admin_allowed_cidrs: '127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7',
  },
  rate_limit: { enabled: true, per_key_per_minute: 1200, per_ip_per_minute: 120 },
  workers: { solve_in_serve: true, lease_seconds: 30, solver_threads: 2 },
  retention: { assignments_days: 365, service_orders_days: 182, daily_at: '03:30', batch_size: 1000 },
  limits: {
    body_bytes: 4 * 1024 * 1024,
    employees_per_request: 2000,
    shift_types_per_request: 200,
    days_per_request: 366,
    orders_per_request: 5000,
  },
};

/** The operations guide's variables and the config keys they override. */
export const ENV_OVERRIDES: Record<string, string> = {
  APP_PORT: 'app.port',
  APP_ENV: 'app.env',
  DB_HOST: 'database.host',
  DB_PORT: 'database.port',
  DB_NAME: 'database.name',
  DB_USER: 'database.user',
  DB_PASSWORD: 'database.password',
  REDIS_HOST: 'redis.host',
  REDIS_PORT: 'redis.port',
  LOG_LEVEL: 'logging.level',
  LOG_FILE: 'logging.file',
  DATA_DIR: 'app.data_dir',
  EVENTSTORE_URL: 'eventstore.url',
  REDIS_KEY_PREFIX: 'redis.key_prefix',
  DB_MAX_CONNECTIONS: 'database.max_connections',
  ADMIN_TOKEN: 'security.admin_token',
  ADMIN_ALLOWED_CIDRS: 'security.admin_allowed_cidrs',
  TRUSTED_PROXIES: 'security.trusted_proxies',
  CORS_ORIGINS: 'security.cors_origins',
};

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Env = Readonly<Record<string, string | undefined>>;

/** Replaces ${VAR} and ${VAR:-default} in a string; an unset variable becomes the empty string. */
export function interpolate(text: string, env: Env): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_match, name: string, fallback?: string) => {
    const value = env[name];
    return value !== undefined && value !== '' ? value : (fallback ?? '');
  });
}

function interpolateTree(node: unknown, env: Env): unknown {
  if (typeof node === 'string') {
    const value = interpolate(node, env);
    return value === '' ? undefined : value; // an empty value means "not set": the default applies
  }
  if (Array.isArray(node)) return node.map((item) => interpolateTree(item, env));
  if (node !== null && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, interpolateTree(value, env)]));
  }
  return node === null ? undefined : node;
}

function mergeInto(target: Tree, source: unknown): Tree {
  if (source === null || typeof source !== 'object' || Array.isArray(source)) return target;
  for (const [key, value] of Object.entries(source)) {
    if (value === undefined) continue;
    const existing = target[key];
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      target[key] = mergeInto(typeof existing === 'object' && existing !== null ? existing : {}, value);
    } else {
      target[key] = value as Tree[string];
    }
  }
  return target;
}

function setPath(tree: Tree, dotted: string, value: string): void {
  const keys = dotted.split('.');
  let node = tree;
  for (const key of keys.slice(0, -1)) {
    const child = node[key];
    node = (typeof child === 'object' && child !== null ? child : (node[key] = {})) as Tree;
  }
  node[keys[keys.length - 1]] = value;
}

const SECRET_KEYS = new Set(['password', 'token', 'secret', 'admin_token', 'url']);

function describe(value: unknown, key: string): string {
  if (SECRET_KEYS.has(key) && value !== undefined) return '(hidden)';
  return JSON.stringify(value) ?? 'nothing';
}

/** Turns io-ts errors into one line per bad key: "app.port (APP_PORT): expected …, got "abc"". */
function formatErrors(errors: t.Errors): string {
  const envByPath = Object.fromEntries(Object.entries(ENV_OVERRIDES).map(([name, key]) => [key, name]));
  const lines = new Set<string>();
  for (const error of errors) {
    const keys = error.context.map((entry) => entry.key).filter((key) => key !== '' && !/^\d+$/.test(key));
    const dotted = keys.join('.');
    const leaf = [...error.context].reverse().find((entry) => !/^\d+$/.test(entry.key) && entry.key !== '');
    const expected = leaf?.type.name ?? 'a valid value';
    const env = envByPath[dotted] ? ` (${envByPath[dotted]})` : '';
    lines.add(`${dotted}${env}: expected ${expected}, got ${describe(error.value, keys[keys.length - 1] ?? '')}`);
  }
  return [...lines].join('; ');
}

export interface LoadOptions {
  env?: Env;
  /** Path of the YAML file; default CONFIG_FILE or configs/app.yaml in the project. */
  file?: string;
}

/** Loads, merges and validates the configuration, or throws a ConfigError with a one-line message. */
export function loadConfig(options: LoadOptions = {}): AppConfig {
  const env = options.env ?? process.env;
  const file = options.file ?? env.CONFIG_FILE ?? path.join(projectRoot(), 'configs', 'app.yaml');
  let parsed: unknown;
  try {
    parsed = YAML.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message.split('\n')[0];
    throw new ConfigError(`Invalid configuration: ${file}: ${reason}`);
  }
  const merged = mergeInto(structuredClone(DEFAULTS), interpolateTree(parsed ?? {}, env));
  for (const [name, key] of Object.entries(ENV_OVERRIDES)) {
    const value = env[name];
    if (value !== undefined && value !== '') setPath(merged, key, value);
  }
  const decoded = AppConfigCodec.decode(merged);
  if (isLeft(decoded)) throw new ConfigError(`Invalid configuration: ${formatErrors(decoded.left)}`);
  const config = decoded.right;
  if (config.app.env === 'production' && !config.security.admin_token) {
    throw new ConfigError('Invalid configuration: security.admin_token (ADMIN_TOKEN): required when APP_ENV=production');
  }
  if (config.security.admin_token !== undefined && config.security.admin_token.length < 16) {
    throw new ConfigError('Invalid configuration: security.admin_token (ADMIN_TOKEN): expected at least 16 characters');
  }
  return config;
}

/** The configuration with every secret replaced, safe to log. */
export function redactConfig(config: AppConfig): AppConfig {
  return {
    ...config,
    database: { ...config.database, password: config.database.password === undefined ? undefined : '(hidden)' },
    eventstore: { url: config.eventstore.url === undefined ? undefined : '(set)' },
    security: { ...config.security, admin_token: config.security.admin_token === undefined ? undefined : '(hidden)' },
  };
}
