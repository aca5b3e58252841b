// fast-check generators of malformed requests for the fuzz suite. Each request starts from a valid
// body for its route (when the route takes one) and breaks it in a way no codec may accept: a value
// of the wrong JSON type somewhere in the tree, an unknown field, a required field missing, a
// non-object body, malformed JSON text, or the wrong media type. Path parameters and query strings
// get hostile values too.
import fc from 'fast-check';
import type { Route } from './fuzzRoutes.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface FuzzRequest {
  /** Sent as X-Request-Id: events carry it as their correlation id. */
  id: string;
  method: string;
  route: string;
  path: string;
  /** Raw body text (undefined: no body). */
  body?: string;
  contentType?: string;
  /** Which credential to present. */
  auth: 'key' | 'admin' | 'none' | 'garbage';
  /** What was broken, for the failure report. */
  mutation: string;
  /** The body may still be valid (hostile content of the right type): accepting it is no finding. */
  mayBeValid: boolean;
}

/** Strings that have broken parsers and validators before. */
const NASTY_STRINGS = [
  'NaN', 'Infinity', '-Infinity', '1e999', '-0', '0x10', '1_000', 'null', 'undefined', 'true', '', ' ', '\u0000', '\ufeff',
  '\u202e', '\ud83d\ude00', '𝕏𝔂', '٣٤', '１２', '../../etc/passwd', '%00', "' OR 1=1 --", '{{7*7}}', '${jndi:x}', '<script>',
  '__proto__', 'constructor', 'e\u0301', 'ＡＢＣ', '\r\nX-Injected: 1',
];
const NASTY_NUMBERS = [1e308, -1e308, -1, -0.5, 0.5, 2 ** 53 + 2, -(2 ** 31), 2 ** 31, 1e21, Number.MAX_SAFE_INTEGER, Number.MIN_VALUE];

const nest = (depth: number): Json => (depth === 0 ? 1 : { a: [nest(depth - 1)] });

/** Hostile JSON values of every type. */
export const hostileValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom(...NASTY_STRINGS),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer({ min: 1000, max: 60_000 }).map((n) => 'x'.repeat(n)),
  fc.constantFrom(...NASTY_NUMBERS),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.integer({ min: 10, max: 40 }).map(nest),
  fc.integer({ min: 100, max: 20_000 }).map((n) => Array.from({ length: n }, (_, i) => i) as Json),
  fc.array(fc.jsonValue() as fc.Arbitrary<Json>, { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue() as fc.Arbitrary<Json>, { maxKeys: 4 }),
);

function jsonType(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Every path into a JSON tree (the root is []). Long arrays contribute their first elements only. */
function pathsOf(value: Json, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(value)) value.slice(0, 3).forEach((item, i) => pathsOf(item, [...prefix, i], out));
  else if (value !== null && typeof value === 'object') for (const [key, item] of Object.entries(value)) pathsOf(item, [...prefix, key], out);
  return out;
}

function getAt(value: Json, path: (string | number)[]): Json {
  return path.reduce<Json>((node, key) => (node as Record<string, Json>)[key as string], value);
}

function setAt(value: Json, path: (string | number)[], replacement: Json): Json {
  if (path.length === 0) return replacement;
  const copy = structuredClone(value);
  const parent = getAt(copy, path.slice(0, -1)) as Record<string | number, Json>;
  parent[path[path.length - 1]] = replacement;
  return copy;
}

export interface BodySpec {
  valid: Json;
  /** Top-level keys the codec requires (removing one must be refused). */
  required: string[];
}

/** Ways to break a valid body; each result must be refused by the route's codec. */
type Broken = { text: string; contentType: string; mutation: string; mayBeValid?: boolean };

function brokenBody(spec: BodySpec): fc.Arbitrary<Broken> {
  const json = (value: Json, mutation: string) => ({ text: JSON.stringify(value), contentType: 'application/json', mutation });
  const paths = pathsOf(spec.valid);
  const objectPaths = paths.filter((p) => {
    const node = getAt(spec.valid, p);
    return node !== null && typeof node === 'object' && !Array.isArray(node);
  });
  const stringPaths = paths.filter((p) => typeof getAt(spec.valid, p) === 'string');
  const options: fc.Arbitrary<Broken>[] = [
    // A value of another JSON type anywhere (the root included, except `null`: no body at all).
    fc
      .tuple(fc.constantFrom(...paths), hostileValue)
      .filter(([path, value]) => jsonType(value) !== jsonType(getAt(spec.valid, path)) && !(path.length === 0 && value === null))
      .map(([path, value]) => json(setAt(spec.valid, path, value), `wrong type at /${path.join('/')}`)),
    // Raw text that is not JSON, or JSON with hostile syntax.
    fc
      .constantFrom('{', '{"a":1}}', "{'a':1}", '{"a":1,}', 'NaN', '[1,2', '"unterminated', '{"a":1e99999}', '\u0000', `${'['.repeat(40)}${']'.repeat(40)}`, '{"__proto__":{"isAdmin":true}}')
      .map((text) => ({ text, contentType: 'application/json', mutation: `raw text ${JSON.stringify(text.slice(0, 20))}` })),
    // The valid body under another media type.
    fc
      .constantFrom('text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/json-patch', 'image/png')
      .map((contentType) => ({ text: JSON.stringify(spec.valid), contentType, mutation: `media type ${contentType}` })),
  ];
  if (objectPaths.length > 0) {
    // An unknown field in any object of the body.
    options.push(
      fc
        .tuple(fc.constantFrom(...objectPaths), fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', '', 'a.b', '$where', 'ＡＢＣ'), fc.string({ minLength: 1, maxLength: 12 })), hostileValue)
        .filter(([path, key]) => !Object.hasOwn(getAt(spec.valid, path) as object, key))
        .map(([path, key, value]) => {
          const target = getAt(spec.valid, path) as Record<string, Json>;
          // JSON.stringify drops a `__proto__` own key set by assignment; write it by hand.
          const extended = JSON.stringify(target).replace(/^\{/, `{${JSON.stringify(key)}:${JSON.stringify(value)}${Object.keys(target).length ? ',' : ''}`);
          const text = path.length === 0 ? extended : JSON.stringify(setAt(spec.valid, path, '\u0001MARK\u0001')).replace('"\\u0001MARK\\u0001"', extended);
          return { text, contentType: 'application/json', mutation: `unknown field ${JSON.stringify(key)} at /${path.join('/')}` };
        }),
    );
  }
  if (stringPaths.length > 0) {
    // Hostile text where text belongs (NUL, bidi overrides, astral planes, 100 KB): it may be
    // valid, so acceptance is fine, but it must never make the service fail.
    options.push(
      fc
        .tuple(fc.constantFrom(...stringPaths), fc.oneof(fc.constantFrom(...NASTY_STRINGS), fc.string({ unit: 'binary', maxLength: 30 }), fc.integer({ min: 1000, max: 30_000 }).map((n) => 'é'.repeat(n))))
        .map(([path, value]) => ({ ...json(setAt(spec.valid, path, value), `hostile text at /${path.join('/')}`), mayBeValid: true })),
    );
  }
  if (spec.required.length > 0) {
    options.push(
      fc.constantFrom(...spec.required).map((key) => {
        const copy = structuredClone(spec.valid) as Record<string, Json>;
        delete copy[key];
        return json(copy, `missing ${key}`);
      }),
    );
  }
  return fc.oneof(...options);
}

/** Values for a path parameter: hostile text, numbers as text, or (when given) a known id. */
function paramValue(name: string, existingId: string | undefined, realEmployees: readonly string[]): fc.Arbitrary<string> {
  const hostile = fc.oneof(
    fc.constantFrom(...NASTY_STRINGS.filter((s) => s !== '')),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }),
    fc.integer({ min: 200, max: 3000 }).map((n) => 'a'.repeat(n)),
    fc.constantFrom('-1', '1e3', '99999999999999999999', '0.5', '00', '+1'),
  );
  if (name === 'id' && existingId) return fc.oneof(fc.constant(existingId), fc.uuid(), hostile);
  if (name === 'employeeId') return hostile.filter((s) => !realEmployees.includes(s));
  if (name === 'day') return fc.oneof(hostile, fc.nat({ max: 100 }).map(String));
  return hostile;
}

const QUERY_NAMES = ['limit', 'status', 'published', 'cursor', 'asOf', 'employee', 'fromDay', 'toDay', 'shift', 'day', 'fromVersion', 'org_id'];

const queryString: fc.Arbitrary<string> = fc
  .array(fc.tuple(fc.constantFrom(...QUERY_NAMES), fc.oneof(fc.constantFrom(...NASTY_STRINGS), fc.constantFrom(...NASTY_NUMBERS.map(String)), fc.string({ maxLength: 20 }))), { maxLength: 4 })
  .map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}` : ''));

export interface FuzzTargets {
  routes: Route[];
  /** Valid bodies by `METHOD pattern`; routes without an entry take no body. */
  bodies: Record<string, BodySpec>;
  /** Routes whose valid call succeeds with any body (no codec): never aimed at an existing resource. */
  bodiless: string[];
  /** An existing schedule, so commands reach the decider. */
  existingId: string;
  realEmployees: readonly string[];
}

/** A path segment, percent-encoded; a lone surrogate (not encodable) becomes U+FFFD. */
function encodeSegment(value: string): string {
  return encodeURIComponent(value.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));
}

/** One malformed request to one route of the table. */
export function malformedRequest(targets: FuzzTargets): fc.Arbitrary<FuzzRequest> {
  return fc.constantFrom(...targets.routes).chain((route) => {
    const name = `${route.method} ${route.pattern}`;
    const spec = targets.bodies[name];
    const aimAtExisting = spec !== undefined && !targets.bodiless.includes(name);
    const paramNames = [...route.pattern.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]);
    const params = fc.tuple(...paramNames.map((p) => paramValue(p, aimAtExisting ? targets.existingId : undefined, targets.realEmployees)));
    const body: fc.Arbitrary<{ text?: string; contentType?: string; mutation: string; mayBeValid?: boolean }> = spec
      ? brokenBody(spec)
      : route.method === 'GET' || route.method === 'DELETE'
        ? fc.constant({ mutation: 'no body' })
        : hostileValue.filter((v) => v !== null).map((v) => ({ text: JSON.stringify(v), contentType: 'application/json', mutation: 'a body where none is expected' }));
    const auth = route.pattern.startsWith('/api/v1/admin')
      ? fc.constantFrom<FuzzRequest['auth']>('admin', 'admin', 'admin', 'none', 'key')
      : fc.constantFrom<FuzzRequest['auth']>('key', 'key', 'key', 'key', 'key', 'key', 'none', 'garbage', 'admin');
    return fc.tuple(params, body, route.method === 'GET' ? queryString : fc.constant(''), auth).map(([values, broken, query, who]) => {
      let index = 0;
      const path = route.pattern.replace(/:([A-Za-z0-9_]+)/g, () => encodeSegment(values[index++]));
      return { id: '', method: route.method, route: name, path: path + query, body: broken.text, contentType: broken.contentType, auth: who, mutation: broken.mutation, mayBeValid: broken.mayBeValid ?? false };
    });
  });
}
