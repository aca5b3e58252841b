// The OpenAPI 3.1 document of Paiban's HTTP API. Request bodies are JSON Schemas DERIVED from the
// io-ts codecs the routes decode with (never hand-copied field lists), so the document cannot
// drift from what the service accepts; the route table below says what each route is for and is
// checked against the routers' own route tables by test/unit/api/openapi.test.ts.
import type Router from '@koa/router';
import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import { IssueKeyBody, type Scope } from '../domain/apiKeys.js';
import { FiniteNumber, NonEmptyString, NonNegativeInteger, NonNegativeNumber, PositiveInteger, PositiveNumber, strictObject } from '../domain/dispatchCodecKit.js';
import { DispatchRequest, GeoLocation, Location, MatrixLocation, PlanarLocation, TimeWindow, TravelModel } from '../domain/dispatch.js';
import { DispatchSolverSettings, UnassignedReasonCodec } from '../domain/dispatchService.js';
import { ServiceOrderChanges } from '../domain/serviceOrders.js';
import { IsoDate, NonNegativeInt, PositiveInt, ShiftMinutes, TimeOfDay, Score } from '../domain/roster.js';
import { BrokenRule, ResolvedSolverSettings } from '../domain/schedule.js';
import { buildInfo } from '../infra/buildInfo.js';
import { AddOrderBody, CancelOrderBody, DispatchSolverBody, OffSickBody, RedispatchBody, ReportVisitBody, RequestDispatchBody } from './routes/dispatches.js';
import { AssignShiftBody, DemandBody, ReplanBody, RequestScheduleBody, UnavailabilityBody } from './routes/schedules.js';
import { CancelServiceOrderBody, CreateServiceOrderBody, OrderId } from './routes/serviceOrders.js';

// ---- JSON Schema (the 2020-12 subset this generator emits) -----------------------------------

export type JsonType = 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null';

export interface JsonSchema {
  $ref?: string;
  type?: JsonType | JsonType[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  /** `false`: the codec refuses unknown fields (422, one error per unknown field). */
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  minItems?: number;
  enum?: Array<string | number | boolean | null>;
  const?: string | number | boolean | null;
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  pattern?: string;
  format?: string;
  /** How the codec treats fields it does not declare: `rejected` (422) or `ignored` (dropped). */
  'x-unknown-fields'?: 'rejected' | 'ignored';
}

// ---- codec → schema -------------------------------------------------------------------------

/** Describes a codec, adding named object schemas to `components` as it meets them. */
export type Describe = (codec: t.Any) => JsonSchema;

// The probes' markers (see probeObject below); declared first because CUSTOM_SCHEMAS uses them.
const NOTHING_ACCEPTS = Symbol('openapi-probe');
const PROBE_KEY = '__openapi_probe__';

/**
 * The codec of one field of an object codec built with `new t.Type`, found by the probe: for
 * custom field codecs a router builds inline (not exported), so CUSTOM_SCHEMAS can still key them.
 */
export function fieldCodecOf(codec: t.Any, key: string): t.Any {
  const field = fieldsNamedBy(errorsOf(codec, everyFieldReads(NOTHING_ACCEPTS)) ?? []).get(key);
  if (!field) throw new Error(`${codec.name} has no field "${key}"`);
  return field;
}

/**
 * Codecs built with `new t.Type` that neither the walker nor the probes can see into. Keyed by
 * codec identity; add one line here for a new custom codec of that kind (the test checks scalar
 * entries against their codecs, as it does REFINEMENT_HINTS).
 */
export const CUSTOM_SCHEMAS = new Map<t.Any, (describe: Describe) => JsonSchema>([
  [FiniteNumber, () => ({ type: 'number' })],
  [NonNegativeNumber, () => ({ type: 'number', minimum: 0 })],
  [PositiveNumber, () => ({ type: 'number', exclusiveMinimum: 0 })],
  // Safe integers only (Number.isSafeInteger).
  [PositiveInteger, () => ({ type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER })],
  [NonNegativeInteger, () => ({ type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER })],
  [NonEmptyString, () => ({ type: 'string', minLength: 1 })],
  [TravelModel, (describe) => taggedUnionSchema(TravelModel, 'kind', ['euclidean', 'haversine', 'matrix'], describe)],
  [Location, (describe) => ({ description: 'x/y, lat/lon or matrixIndex', anyOf: [describe(PlanarLocation), describe(GeoLocation), describe(MatrixLocation)] })],
  [OrderId, () => ({ type: 'string', pattern: '^[A-Za-z0-9._:-]{1,100}$', description: 'An id: 1-100 letters, digits or . _ : -' })],
  // The dispatch solver limits (routes/dispatches.ts `intIn`, built inline there).
  [fieldCodecOf(DispatchSolverBody, 'timeLimitMs'), () => ({ type: 'integer', minimum: 100, maximum: 600_000 })],
  [fieldCodecOf(DispatchSolverBody, 'unimprovedLimitMs'), () => ({ type: 'integer', minimum: 50, maximum: 600_000 })],
  [fieldCodecOf(DispatchSolverBody, 'seed'), () => ({ type: 'integer', minimum: 0, maximum: 2 ** 31 - 1 })],
]);

/**
 * JSON Schema keywords for refinements whose predicate a schema can state. The test checks each
 * hint against its codec on boundary values, so a hint cannot quietly contradict the predicate.
 */
export const REFINEMENT_HINTS = new Map<t.Any, JsonSchema>([
  [NonNegativeInt, { type: 'integer', minimum: 0 }],
  [PositiveInt, { type: 'integer', minimum: 1 }],
  [ShiftMinutes, { type: 'integer', minimum: 1, maximum: 1440 }],
  [IsoDate, { type: 'string', format: 'date', pattern: '^\\d{4}-\\d{2}-\\d{2}$' }],
  [TimeOfDay, { type: 'string', pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' }],
]);

type Walkable =
  | t.NullType
  | t.UndefinedType
  | t.StringType
  | t.NumberType
  | t.BooleanType
  | t.UnknownType
  | t.AnyType
  | t.LiteralType<string | number | boolean>
  | t.KeyofType<Record<string, unknown>>
  | t.RefinementType<t.Any>
  | t.ArrayType<t.Any>
  | t.ReadonlyArrayType<t.Any>
  | t.InterfaceType<t.Props>
  | t.PartialType<t.Props>
  | t.DictionaryType<t.Any, t.Any>
  | t.UnionType<t.Any[]>
  | t.IntersectionType<t.Any[]>
  | t.ExactType<t.Any>
  | t.ReadonlyType<t.Any>;

const WALKABLE_TAGS = new Set<string>([
  'NullType', 'UndefinedType', 'StringType', 'NumberType', 'BooleanType', 'UnknownType', 'AnyType', 'LiteralType', 'KeyofType',
  'RefinementType', 'ArrayType', 'ReadonlyArrayType', 'InterfaceType', 'PartialType', 'DictionaryType', 'UnionType',
  'IntersectionType', 'ExactType', 'ReadonlyType',
]);

function walkable(codec: t.Any): Walkable | undefined {
  const tag = (codec as { _tag?: unknown })._tag;
  return typeof tag === 'string' && WALKABLE_TAGS.has(tag) ? (codec as Walkable) : undefined;
}

/** An inline object schema (no $ref, no combinators) that may be merged with its siblings. */
const isPlainObject = (s: JsonSchema): boolean => s.type === 'object' && !s.$ref && !s.anyOf && !s.allOf;

function objectOf(props: t.Props, required: boolean, describe: Describe): JsonSchema {
  const properties = Object.fromEntries(Object.entries(props).map(([key, codec]) => [key, describe(codec)]));
  const keys = Object.keys(props);
  return { type: 'object', properties, ...(required && keys.length ? { required: keys } : {}) };
}

function mergeObjects(parts: JsonSchema[]): JsonSchema {
  const merged: JsonSchema = { type: 'object', properties: {} };
  for (const part of parts) {
    Object.assign(merged.properties!, part.properties);
    if (part.required?.length) merged.required = [...(merged.required ?? []), ...part.required];
    if (part.description) merged.description = merged.description ? `${merged.description} ${part.description}` : part.description;
  }
  return merged;
}

function walk(codec: Walkable, describe: Describe): JsonSchema {
  switch (codec._tag) {
    case 'NullType':
      return { type: 'null' };
    case 'UndefinedType':
      return {};
    case 'StringType':
      return { type: 'string' };
    case 'NumberType':
      return { type: 'number' };
    case 'BooleanType':
      return { type: 'boolean' };
    case 'UnknownType':
    case 'AnyType':
      return {};
    case 'LiteralType':
      return { const: codec.value };
    case 'KeyofType':
      return { type: 'string', enum: Object.keys(codec.keys) };
    case 'RefinementType': {
      const base = describe(codec.type);
      const hint = REFINEMENT_HINTS.get(codec);
      return { ...base, ...hint, description: codec.name };
    }
    case 'ArrayType':
    case 'ReadonlyArrayType':
      return { type: 'array', items: describe(codec.type) };
    case 'InterfaceType':
      return objectOf(codec.props, true, describe);
    case 'PartialType':
      return objectOf(codec.props, false, describe);
    case 'DictionaryType':
      return { type: 'object', additionalProperties: describe(codec.codomain) };
    case 'UnionType': {
      const members = codec.types.map(describe);
      const literals = members.every((m) => 'const' in m && Object.keys(m).length === 1);
      return literals ? { enum: members.map((m) => m.const!) } : { anyOf: members };
    }
    case 'IntersectionType': {
      const members = codec.types.map(describe);
      return members.every(isPlainObject) ? mergeObjects(members) : { allOf: members };
    }
    case 'ExactType':
      // io-ts `exact` strips undeclared fields without an error.
      return { ...describe(codec.type), 'x-unknown-fields': 'ignored' };
    case 'ReadonlyType':
      return describe(codec.type);
    default: {
      const unreachable: never = codec;
      return unreachable;
    }
  }
}

// Probes for objects built with `new t.Type` (both strictObject helpers): decoding an object whose
// every property reads as a value no codec accepts makes the codec report each declared field,
// with the field's own codec in the error's context; reading `undefined` instead reports only
// the required ones; an undeclared key shows whether unknown fields are refused. (A field whose
// codec accepts anything at all, t.unknown, stays invisible to the probe.)
/** An object that has no keys but reads `value` for any field (and `fixed` values for some). */
function everyFieldReads(value: unknown, fixed: Record<string, unknown> = {}): object {
  return new Proxy({}, { get: (_target, key) => (typeof key !== 'string' ? undefined : key in fixed ? fixed[key] : value), ownKeys: () => [] });
}

/** The declared field each error points at (the first real key below the root), with its codec. */
function fieldsNamedBy(errors: t.Errors): Map<string, t.Any> {
  const fields = new Map<string, t.Any>();
  for (const error of errors) {
    for (let i = 1; i < error.context.length; i++) {
      const parent = (error.context[i - 1]!.type as { _tag?: string })._tag;
      const entry = error.context[i]!;
      if (entry.key === '' || parent === 'IntersectionType' || parent === 'UnionType') continue;
      if (!fields.has(entry.key)) fields.set(entry.key, entry.type as t.Any);
      break;
    }
  }
  return fields;
}

function errorsOf(codec: t.Any, value: unknown): t.Errors | undefined {
  try {
    const result = codec.decode(value);
    return isLeft(result) ? result.left : [];
  } catch {
    return undefined;
  }
}

/** `fixed`: fields held at a valid value while probing the others (a tagged union's tag). */
function probeObject(codec: t.Any, describe: Describe, fixed: Record<string, unknown> = {}): JsonSchema | undefined {
  const all = errorsOf(codec, everyFieldReads(NOTHING_ACCEPTS, fixed));
  const emptyAccepted = errorsOf(codec, { ...fixed })?.length === 0;
  if (!all) return undefined;
  const fields = fieldsNamedBy(all);
  if (fields.size === 0 && !emptyAccepted) return undefined;
  const required = [...fieldsNamedBy(errorsOf(codec, everyFieldReads(undefined, fixed)) ?? []).keys()].filter((k) => fields.has(k));
  const rejectsUnknown = fieldsNamedBy(errorsOf(codec, { ...fixed, [PROBE_KEY]: 0 }) ?? []).has(PROBE_KEY);
  const fixedProperties = Object.entries(fixed).map(([key, value]) => [key, { const: value }]);
  const properties = Object.fromEntries([...fixedProperties, ...[...fields].map(([key, field]) => [key, describe(field)])]);
  const requiredKeys = [...Object.keys(fixed), ...required];
  return {
    type: 'object',
    properties,
    ...(requiredKeys.length ? { required: requiredKeys } : {}),
    ...(rejectsUnknown ? { additionalProperties: false, 'x-unknown-fields': 'rejected' as const } : {}),
  };
}

/**
 * A union chosen by a tag field (dispatchCodecKit's `taggedUnion`): each branch is probed with the
 * tag held at its value. The tags are named here (the codec keeps them private); a name the codec
 * does not know fails loudly instead of documenting a branch that does not exist.
 */
export function taggedUnionSchema(codec: t.Any, tagKey: string, tags: string[], describe: Describe): JsonSchema {
  const branches = tags.map((tag) => {
    const misnamed = fieldsNamedBy(errorsOf(codec, everyFieldReads(NOTHING_ACCEPTS, { [tagKey]: tag })) ?? []).has(tagKey);
    const branch = misnamed ? undefined : probeObject(codec, describe, { [tagKey]: tag });
    if (!branch) throw new Error(`${codec.name}: "${tag}" is not a value of its tag "${tagKey}"`);
    return branch;
  });
  return { description: `${codec.name}, chosen by \`${tagKey}\``, anyOf: branches };
}

/** An array codec: one element that nothing accepts is reported at index 0, with the item codec. */
function probeArray(codec: t.Any, describe: Describe): JsonSchema | undefined {
  const errors = errorsOf(codec, [NOTHING_ACCEPTS]);
  const item = errors?.map((e) => e.context[1]).find((entry) => entry?.key === '0');
  if (!item) return undefined;
  const emptyRefused = (errorsOf(codec, []) ?? []).length > 0;
  return { type: 'array', items: describe(item.type as t.Any), ...(emptyRefused ? { minItems: 1 } : {}) };
}

/** A scalar codec: which JSON types it accepts at least one sample of. */
function probeScalar(codec: t.Any): JsonSchema {
  const samples: Array<[JsonType, unknown[]]> = [
    ['string', ['', 'a', '2025-01-01', '08:00', 'pb_x']],
    ['number', [0, 1, 0.5, -1, 90, 1e6]],
    ['boolean', [true, false]],
    ['null', [null]],
  ];
  const types = samples.filter(([, values]) => values.some((v) => errorsOf(codec, v)?.length === 0)).map(([type]) => type);
  const type = types.length === 1 ? types[0] : types.length > 1 ? types : undefined;
  return { ...(type ? { type } : {}), description: codec.name };
}

/** Turns codecs into schemas; named object codecs become `components.schemas` entries. */
export class SchemaRegistry {
  readonly schemas: Record<string, JsonSchema> = {};
  private readonly refs = new Map<t.Any, string>();

  readonly describe: Describe = (codec) => {
    const known = this.refs.get(codec);
    if (known) return { $ref: `#/components/schemas/${known}` };
    const custom = CUSTOM_SCHEMAS.get(codec);
    if (custom) return custom(this.describe);
    const tagged = walkable(codec);
    if (tagged) return walk(tagged, this.describe);
    return this.named(codec) ?? probeArray(codec, this.describe) ?? probeScalar(codec);
  };

  /** A custom object codec becomes a component under its own name (suffixed if the name is taken). */
  private named(codec: t.Any): JsonSchema | undefined {
    const base = codec.name.replace(/[^A-Za-z0-9_.-]/g, '_');
    let name = base;
    for (let n = 2; name in this.schemas; n++) name = `${base}${n}`;
    this.refs.set(codec, name);
    this.schemas[name] = {}; // reserved, so a recursive reference finds it
    const schema = probeObject(codec, this.describe);
    if (!schema) {
      this.refs.delete(codec);
      delete this.schemas[name];
      return undefined;
    }
    this.schemas[name] = { description: codec.name, ...schema };
    return { $ref: `#/components/schemas/${name}` };
  }
}

// ---- routes ---------------------------------------------------------------------------------

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Who may call a route: an API key with a scope, the admin token, or anyone. */
export type RouteAccess = { kind: 'apiKey'; scope: Scope } | { kind: 'admin' } | { kind: 'public' };

export interface QueryParamDoc {
  name: string;
  description: string;
  schema: JsonSchema;
  required?: boolean;
}

export interface SuccessDoc {
  status: number;
  description: string;
  /** Media type → schema; absent for an empty answer. */
  content?: Record<string, JsonSchema | ((describe: Describe) => JsonSchema)>;
  headers?: string[];
}

export interface RouteDoc {
  method: HttpMethod;
  /** As the router spells it: `/api/v1/schedules/:id`. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  access: RouteAccess;
  /** Path parameter name → what it is. */
  pathParams?: Record<string, string>;
  query?: QueryParamDoc[];
  /** The codec the route decodes its JSON body with. */
  body?: t.Any;
  /** The body may be left out (the route then decodes `{}`, which its codec must accept). */
  bodyOptional?: boolean;
  /** Commands on an existing stream honour `If-Match` (expected version); `required`: 428 without it. */
  ifMatch?: boolean | 'required';
  /** Commands honour `Idempotency-Key`. */
  idempotent?: boolean;
  /** Reads answer with an ETag and `304` for a matching `If-None-Match`. */
  conditional?: boolean;
  success: SuccessDoc[];
  /** Refusals of this route beyond those its access, body and headers imply. */
  problems?: number[];
}

const SCHEDULE_KEY: RouteAccess = { kind: 'apiKey', scope: 'schedule' };
const SCHEDULE_ID = { id: 'The schedule id (a UUID from POST /api/v1/schedules).' };
const intParam = (name: string, description: string, minimum: number, maximum: number, required = false): QueryParamDoc => ({
  name, description, required, schema: { type: 'integer', minimum, maximum },
});
const json = (schema: JsonSchema | ((describe: Describe) => JsonSchema)) => ({ 'application/json': schema });

/** 202 of a command on an existing schedule: its new version (also the ETag) for the next If-Match. */
const changeAccepted = (extra: Record<string, JsonSchema> = {}): SuccessDoc => ({
  status: 202,
  description: 'Accepted; the schedule is at `version` (also the ETag).',
  headers: ['ETag'],
  content: json({ type: 'object', properties: { scheduleId: { type: 'string' }, version: { type: 'integer' }, ...extra }, required: ['scheduleId', 'version'] }),
});
const appendedEvents: JsonSchema = { type: 'array', description: 'The events the command appended.', items: { type: 'object' } };
const versioned = (key: string, items: JsonSchema): JsonSchema => ({
  type: 'object', properties: { scheduleId: { type: 'string' }, version: { type: 'integer' }, [key]: { type: 'array', items } }, required: ['scheduleId', 'version', key],
});

const scheduleView = (describe: Describe): JsonSchema => ({
  type: 'object',
  description: 'The schedule read model.',
  properties: {
    scheduleId: { type: 'string' }, name: { type: 'string' },
    status: { type: 'string', description: 'requested, generating, generated, failed or cancelled' },
    published: { type: 'boolean' }, publishedAt: { type: ['string', 'null'] }, startDate: { type: 'string', format: 'date' },
    days: { type: 'integer' }, employees: { type: 'integer' }, shifts: { type: 'integer' }, generation: { type: 'integer' },
    score: { anyOf: [describe(Score), { type: 'null' }] }, bestScore: { anyOf: [describe(Score), { type: 'null' }] },
    stats: { type: ['object', 'null'] }, failureReason: { type: ['string', 'null'] }, version: { type: 'integer' },
    createdAt: { type: 'string', format: 'date-time' }, updatedAt: { type: 'string', format: 'date-time' },
  },
});

/** /api/v1/schedules (src/api/routes/schedules.ts). */
export const SCHEDULE_ROUTES: RouteDoc[] = [
  {
    method: 'post', path: '/api/v1/schedules', tag: 'Schedules', summary: 'Request a schedule (RequestSchedule)', access: SCHEDULE_KEY,
    description: 'Submits a roster problem; a solve worker generates the roster. Solver defaults fill what `solver` leaves out. A retried request with the same Idempotency-Key addresses the same schedule.',
    body: RequestScheduleBody, idempotent: true,
    success: [{
      status: 202, description: 'Accepted; follow `Location` or the `events` stream.', headers: ['Location', 'ETag'],
      content: json((describe) => ({
        type: 'object',
        properties: { scheduleId: { type: 'string' }, status: { const: 'requested' }, version: { type: 'integer' }, solver: describe(ResolvedSolverSettings), links: { type: 'object', properties: { self: { type: 'string' }, events: { type: 'string' } } } },
        required: ['scheduleId', 'status', 'version', 'solver'],
      })),
    }],
  },
  {
    method: 'get', path: '/api/v1/schedules', tag: 'Schedules', summary: 'List schedules', access: SCHEDULE_KEY,
    query: [
      intParam('limit', 'Page size (default 50).', 1, 200),
      { name: 'status', description: 'Only schedules in this status.', schema: { type: 'string' } },
      { name: 'published', description: 'Only published (true) or unpublished (false) schedules.', schema: { type: 'string', enum: ['true', 'false'] } },
      { name: 'cursor', description: 'The `nextCursor` of the previous page.', schema: { type: 'string' } },
    ],
    success: [{ status: 200, description: 'One page, newest first.', content: json((d) => ({ type: 'object', properties: { schedules: { type: 'array', items: scheduleView(d) }, nextCursor: { type: ['string', 'null'] } } })) }],
  },
  {
    method: 'get', path: '/api/v1/schedules/:id', tag: 'Schedules', summary: 'Get a schedule (or, with asOf, the schedule as it was)', access: SCHEDULE_KEY,
    pathParams: SCHEDULE_ID, conditional: true,
    query: [{ name: 'asOf', description: 'A stream version or an ISO 8601 timestamp: folds the history up to it (then with assignments, no ETag).', schema: { type: 'string' } }],
    success: [{ status: 200, description: 'The schedule.', headers: ['ETag'], content: json(scheduleView) }],
  },
  {
    method: 'get', path: '/api/v1/schedules/:id/assignments', tag: 'Schedules', summary: 'Assignments, by employee and by day range', access: SCHEDULE_KEY,
    pathParams: SCHEDULE_ID, conditional: true,
    query: [{ name: 'employee', description: 'Only this employee.', schema: { type: 'string' } }, intParam('fromDay', 'First day index.', 0, 100_000), intParam('toDay', 'Last day index.', 0, 100_000)],
    success: [{ status: 200, description: 'The assignments.', headers: ['ETag'], content: json(versioned('assignments', { type: 'object', description: 'employeeId, day, date, shiftId, start, end, pinned, source' })) }],
  },
  {
    method: 'get', path: '/api/v1/schedules/:id/unfilled', tag: 'Schedules', summary: 'Unfilled demand', access: SCHEDULE_KEY, pathParams: SCHEDULE_ID, conditional: true,
    success: [{ status: 200, description: 'Cover requirements the roster leaves short.', headers: ['ETag'], content: json(versioned('unfilled', { type: 'object' })) }],
  },
  {
    method: 'get', path: '/api/v1/schedules/:id/explain', tag: 'Schedules', summary: 'Explain the score: per-constraint totals and matches', access: SCHEDULE_KEY, pathParams: SCHEDULE_ID, conditional: true,
    success: [{ status: 200, description: 'The explanation.', headers: ['ETag'], content: json({ type: 'object' }) }],
  },
  {
    method: 'get', path: '/api/v1/schedules/:id/recommendations', tag: 'Schedules', summary: 'Rank employees for a shift on a day', access: SCHEDULE_KEY, pathParams: SCHEDULE_ID,
    query: [
      { name: 'shift', description: 'The shift type id.', required: true, schema: { type: 'string' } },
      intParam('day', 'The day index.', 0, 100_000, true),
      intParam('limit', 'How many (default 5).', 1, 100),
    ],
    success: [{ status: 200, description: 'Employees, best first, with score deltas.', headers: ['ETag'], content: json({ type: 'object', properties: { scheduleId: { type: 'string' }, version: { type: 'integer' }, day: { type: 'integer' }, shiftId: { type: 'string' }, recommendations: { type: 'array', items: { type: 'object' } } } }) }],
  },
  {
    method: 'get', path: '/api/v1/schedules/:id/history', tag: 'Schedules', summary: 'History: every event with who, when and which command', access: SCHEDULE_KEY, pathParams: SCHEDULE_ID,
    query: [intParam('fromVersion', 'First version (default 1).', 1, 10_000_000), intParam('limit', 'How many events (default 200).', 1, 1000)],
    success: [{
      status: 200, description: 'The events.',
      content: json({ type: 'object', properties: { scheduleId: { type: 'string' }, events: { type: 'array', items: { type: 'object', properties: Object.fromEntries(['version', 'type', 'recordedAt', 'occurredAt', 'actor', 'commandId', 'correlationId', 'causationId', 'data'].map((k) => [k, {}])) } } } }),
    }],
  },
  {
    method: 'get', path: '/api/v1/schedules/:id/events', tag: 'Schedules', summary: 'Live progress (Server-Sent Events)', access: SCHEDULE_KEY, pathParams: SCHEDULE_ID,
    description: 'A `status` snapshot, then generation events (started, best score, generated, failed, cancelled); the stream ends when the generation ends.',
    success: [{ status: 200, description: 'An event stream.', content: { 'text/event-stream': { type: 'string' } } }],
  },
  {
    method: 'post', path: '/api/v1/schedules/:id/assignments', tag: 'Schedule changes', summary: 'Assign a shift by hand (AssignShift; pinned)', access: SCHEDULE_KEY,
    description: 'Refused with 409 and the broken hard rules unless `force` is true; a forced assignment is recorded with the rules it breaks.',
    pathParams: SCHEDULE_ID, body: AssignShiftBody, ifMatch: true, idempotent: true, problems: [404, 409],
    success: [changeAccepted({ events: appendedEvents })],
  },
  {
    method: 'delete', path: '/api/v1/schedules/:id/assignments/:employeeId/:day', tag: 'Schedule changes', summary: 'Unassign a shift (UnassignShift)', access: SCHEDULE_KEY,
    pathParams: { ...SCHEDULE_ID, employeeId: 'The employee id.', day: 'The day index (0 = start date).' }, ifMatch: true, idempotent: true, problems: [404, 409, 422],
    success: [changeAccepted()],
  },
  {
    method: 'post', path: '/api/v1/schedules/:id/publish', tag: 'Schedule changes', summary: 'Publish (PublishSchedule)', access: SCHEDULE_KEY,
    pathParams: SCHEDULE_ID, ifMatch: true, idempotent: true, problems: [404, 409], success: [changeAccepted()],
  },
  {
    method: 'post', path: '/api/v1/schedules/:id/cancel', tag: 'Schedule changes', summary: 'Cancel the running generation (CancelGeneration)', access: SCHEDULE_KEY,
    pathParams: SCHEDULE_ID, ifMatch: true, idempotent: true, problems: [404, 409], success: [changeAccepted()],
  },
  {
    method: 'post', path: '/api/v1/schedules/:id/unavailability', tag: 'Schedule changes', summary: 'An employee becomes unavailable (MarkEmployeeUnavailable)', access: SCHEDULE_KEY,
    pathParams: SCHEDULE_ID, body: UnavailabilityBody, ifMatch: true, idempotent: true, problems: [404, 409], success: [changeAccepted({ events: appendedEvents })],
  },
  {
    method: 'post', path: '/api/v1/schedules/:id/demand', tag: 'Schedule changes', summary: 'Change demand (ChangeDemand)', access: SCHEDULE_KEY,
    description: 'Give requirements to `set` (added or replaced, matched on day, shift and skill) or to `remove`.',
    pathParams: SCHEDULE_ID, body: DemandBody, ifMatch: true, idempotent: true, problems: [404, 409], success: [changeAccepted({ events: appendedEvents })],
  },
  {
    method: 'post', path: '/api/v1/schedules/:id/replan', tag: 'Schedule changes', summary: 'Re-solve keeping pinned and published assignments (Replan)', access: SCHEDULE_KEY,
    description: '`changePenalty` (default 100) is the soft penalty per changed published assignment.',
    pathParams: SCHEDULE_ID, body: ReplanBody, ifMatch: true, idempotent: true, problems: [404, 409],
    success: [changeAccepted({ changePenalty: { type: 'integer' }, solver: { type: 'object', description: 'The solver settings in force: timeLimitMs, unimprovedLimitMs, seed.' } })],
  },
];

/** /api/v1/admin (src/api/routes/adminKeys.ts). */
export const ADMIN_KEY_ROUTES: RouteDoc[] = [
  {
    method: 'post', path: '/api/v1/admin/keys', tag: 'Admin', summary: 'Issue an API key (the secret is shown once)', access: { kind: 'admin' }, body: IssueKeyBody,
    success: [{
      status: 201, description: 'Issued.', headers: ['Location'],
      content: json({ type: 'object', properties: { key_id: { type: 'string' }, org_id: { type: 'string' }, name: { type: 'string' }, scopes: { type: 'array', items: { type: 'string' } }, expires_at: { type: ['string', 'null'] }, created_at: { type: 'string' }, secret: { type: 'string', description: 'pb_<key id>_<secret>; only a hash is stored.' } } }),
    }],
  },
  {
    method: 'get', path: '/api/v1/admin/keys', tag: 'Admin', summary: 'List API keys (never secrets)', access: { kind: 'admin' },
    query: [{ name: 'org_id', description: 'Only this organisation\'s keys.', schema: { type: 'string' } }],
    success: [{ status: 200, description: 'Up to 1000 keys.', content: json({ type: 'object', properties: { keys: { type: 'array', items: { type: 'object' } } } }) }],
  },
  {
    method: 'delete', path: '/api/v1/admin/keys/:keyId', tag: 'Admin', summary: 'Revoke an API key (refused everywhere within 1 s)', access: { kind: 'admin' },
    pathParams: { keyId: 'The key id (16 hex digits).' }, problems: [404, 409], success: [{ status: 204, description: 'Revoked.' }],
  },
];

const DISPATCH_KEY: RouteAccess = { kind: 'apiKey', scope: 'dispatch' };
const ORDER_ID = { id: 'The service order id (given at creation, or made up then).' };
const DISPATCH_ID = { id: 'The dispatch id (a UUID from POST /api/v1/dispatches).' };
const pageSize = intParam('limit', 'Page size (default 50).', 1, 200);
const cursorParam: QueryParamDoc = { name: 'cursor', description: 'The `nextCursor` of the previous page.', schema: { type: 'string' } };

/** The body of POST /api/v1/service-orders/:id/complete; routes/serviceOrders.ts builds the same one inline. */
const CompleteServiceOrderBody = strictObject('CompleteServiceOrderBody', {}, {});

/** The fields of a service order as the read model and the create answer show them. */
const orderFields = (describe: Describe): Record<string, JsonSchema> => ({
  orderId: { type: 'string' },
  status: { enum: ['open', 'cancelled', 'completed'] },
  location: describe(Location),
  timeWindows: { type: 'array', items: describe(TimeWindow) },
  serviceDuration: { type: 'number' },
  requiredSkills: { type: 'array', items: { type: 'string' } },
  priority: { type: 'integer' },
  demand: { type: 'number' },
  version: { type: 'integer' },
});
const serviceOrderView = (describe: Describe): JsonSchema => ({
  type: 'object',
  description: 'The service order read model.',
  properties: { ...orderFields(describe), cancelReason: { type: ['string', 'null'] }, createdAt: { type: 'string', format: 'date-time' }, updatedAt: { type: 'string', format: 'date-time' } },
});

/** 202 of a command on an existing service order. */
const orderChangeAccepted = (status: string): SuccessDoc => ({
  status: 202,
  description: `Accepted; the order is ${status} at \`version\` (also the ETag).`,
  headers: ['ETag'],
  content: json({ type: 'object', properties: { orderId: { type: 'string' }, status: { const: status }, version: { type: 'integer' } }, required: ['orderId', 'status', 'version'] }),
});

/** /api/v1/service-orders (src/api/routes/serviceOrders.ts). */
export const SERVICE_ORDER_ROUTES: RouteDoc[] = [
  {
    method: 'post', path: '/api/v1/service-orders', tag: 'Service orders', summary: 'Create a service order (CreateServiceOrder)', access: DISPATCH_KEY,
    description: 'A job at a place, to start inside one of its time windows (each `end` not before its `start`). Without `id` one is made up; a retry with the same Idempotency-Key addresses the same order.',
    body: CreateServiceOrderBody, idempotent: true, problems: [409],
    success: [{ status: 201, description: 'Created (open).', headers: ['Location', 'ETag'], content: json((d) => ({ type: 'object', properties: orderFields(d), required: ['orderId', 'status', 'version'] })) }],
  },
  {
    method: 'get', path: '/api/v1/service-orders', tag: 'Service orders', summary: 'List service orders', access: DISPATCH_KEY,
    query: [
      pageSize,
      { name: 'status', description: 'Only orders in this status.', schema: { type: 'string', enum: ['open', 'cancelled', 'completed'] } },
      { name: 'skill', description: 'Only orders requiring this skill.', schema: { type: 'string' } },
      intParam('minPriority', 'Only orders of at least this priority.', 1, 1_000_000_000),
      cursorParam,
    ],
    success: [{ status: 200, description: 'One page, newest first.', content: json((d) => ({ type: 'object', properties: { orders: { type: 'array', items: serviceOrderView(d) }, nextCursor: { type: ['string', 'null'] } } })) }],
  },
  {
    method: 'get', path: '/api/v1/service-orders/:id', tag: 'Service orders', summary: 'Get a service order', access: DISPATCH_KEY,
    pathParams: ORDER_ID, conditional: true,
    success: [{ status: 200, description: 'The order.', headers: ['ETag'], content: json(serviceOrderView) }],
  },
  {
    method: 'patch', path: '/api/v1/service-orders/:id', tag: 'Service orders', summary: 'Change an open service order (UpdateServiceOrder)', access: DISPATCH_KEY,
    description: 'Give at least one field; the others stay as they are. Dispatches already requested keep the order as it was.',
    pathParams: ORDER_ID, body: ServiceOrderChanges, ifMatch: 'required', idempotent: true, problems: [404, 409],
    success: [orderChangeAccepted('open')],
  },
  {
    method: 'post', path: '/api/v1/service-orders/:id/cancel', tag: 'Service orders', summary: 'Cancel an open service order (CancelServiceOrder)', access: DISPATCH_KEY,
    pathParams: ORDER_ID, body: CancelServiceOrderBody, bodyOptional: true, ifMatch: true, idempotent: true, problems: [404, 409],
    success: [orderChangeAccepted('cancelled')],
  },
  {
    method: 'post', path: '/api/v1/service-orders/:id/complete', tag: 'Service orders', summary: 'Complete an open service order (CompleteServiceOrder)', access: DISPATCH_KEY,
    pathParams: ORDER_ID, body: CompleteServiceOrderBody, bodyOptional: true, ifMatch: true, idempotent: true, problems: [404, 409],
    success: [orderChangeAccepted('completed')],
  },
];

const DISPATCH_STATUS: JsonSchema = { enum: ['requested', 'generating', 'generated', 'failed'] };
const dispatchView = (describe: Describe): JsonSchema => ({
  type: 'object',
  description: 'The dispatch read model.',
  properties: {
    dispatchId: { type: 'string' }, name: { type: 'string' }, status: DISPATCH_STATUS,
    generation: { type: 'integer', description: 'Each re-dispatch starts the next generation.' },
    source: { type: 'object', description: '`{kind: "explicit"}` or `{kind: "schedule", scheduleId, day}`: where the technicians came from.' },
    orders: { type: 'integer' }, technicians: { type: 'integer' }, now: { type: ['number', 'null'] }, solver: describe(DispatchSolverSettings),
    objective: { type: ['object', 'null'] }, progress: { type: ['object', 'null'] }, stats: { type: ['object', 'null'] }, failureReason: { type: ['string', 'null'] },
    version: { type: 'integer' }, createdAt: { type: 'string', format: 'date-time' }, updatedAt: { type: 'string', format: 'date-time' },
  },
});
/** The head of every per-dispatch read: which generation the rows belong to. */
const dispatchHead: Record<string, JsonSchema> = { dispatchId: { type: 'string' }, status: DISPATCH_STATUS, generation: { type: 'integer' }, version: { type: 'integer' } };
const visitView: JsonSchema = {
  type: 'object',
  properties: {
    sequence: { type: 'integer' }, orderId: { type: 'string' }, plannedArrival: { type: 'number' }, plannedStart: { type: 'number' }, plannedDeparture: { type: 'number' },
    status: { enum: ['planned', 'started', 'completed'] }, fixed: { type: 'boolean', description: 'Started or completed: re-dispatch keeps it.' },
  },
};
const routeView: JsonSchema = {
  type: 'object',
  properties: { technicianId: { type: 'string' }, departure: { type: 'number' }, arrival: { type: 'number' }, distance: { type: 'number' }, load: { type: 'number' }, visits: { type: 'array', items: visitView } },
};

/** 202 of a change to a dispatch: the events it appended; `generation` when it re-dispatches. */
const dispatchChangeAccepted: SuccessDoc = {
  status: 202,
  description: 'Accepted; the dispatch is at `version` (also the ETag). A change that re-dispatches names the new `generation`.',
  headers: ['ETag'],
  content: json({ type: 'object', properties: { dispatchId: { type: 'string' }, version: { type: 'integer' }, events: appendedEvents, generation: { type: 'integer' } }, required: ['dispatchId', 'version', 'events'] }),
};

/** /api/v1/dispatches (src/api/routes/dispatches.ts). */
export const DISPATCH_ROUTES: RouteDoc[] = [
  {
    method: 'post', path: '/api/v1/dispatches', tag: 'Dispatches', summary: 'Request a dispatch (RequestDispatch)', access: DISPATCH_KEY,
    description: 'Routes open service orders (`orderIds`, default every open order) to technicians: give exactly one of `technicians` or `fromSchedule` (the people on shift that day in a published schedule; 409 when it is not published). A solve worker generates the routes. A retry with the same Idempotency-Key addresses the same dispatch.',
    body: RequestDispatchBody, idempotent: true, problems: [409],
    success: [{
      status: 202, description: 'Accepted; follow `Location`.', headers: ['Location', 'ETag'],
      content: json((describe) => ({
        type: 'object',
        properties: {
          dispatchId: { type: 'string' }, status: { const: 'requested' }, version: { type: 'integer' }, orders: { type: 'integer' }, technicians: { type: 'integer' },
          solver: describe(DispatchSolverSettings), links: { type: 'object', properties: { self: { type: 'string' }, routes: { type: 'string' }, unassigned: { type: 'string' } } },
        },
        required: ['dispatchId', 'status', 'version', 'solver'],
      })),
    }],
  },
  {
    method: 'get', path: '/api/v1/dispatches', tag: 'Dispatches', summary: 'List dispatches', access: DISPATCH_KEY,
    query: [pageSize, { name: 'status', description: 'Only dispatches in this status.', schema: { type: 'string' } }, cursorParam],
    success: [{ status: 200, description: 'One page, newest first.', content: json((d) => ({ type: 'object', properties: { dispatches: { type: 'array', items: dispatchView(d) }, nextCursor: { type: ['string', 'null'] } } })) }],
  },
  {
    method: 'get', path: '/api/v1/dispatches/:id', tag: 'Dispatches', summary: 'Get a dispatch', access: DISPATCH_KEY, pathParams: DISPATCH_ID, conditional: true,
    success: [{ status: 200, description: 'The dispatch.', headers: ['ETag'], content: json(dispatchView) }],
  },
  {
    method: 'get', path: '/api/v1/dispatches/:id/request', tag: 'Dispatches', summary: 'The routing request the next (or latest) generation solves', access: DISPATCH_KEY, pathParams: DISPATCH_ID, conditional: true,
    description: 'The orders and technicians as dispatched, with the visits already fixed (`fixedVisits`) and `now` once the day has changes.',
    success: [{ status: 200, description: 'The request.', headers: ['ETag'], content: json((d) => ({ type: 'object', properties: { dispatchId: { type: 'string' }, version: { type: 'integer' }, request: d(DispatchRequest) } })) }],
  },
  {
    method: 'get', path: '/api/v1/dispatches/:id/routes', tag: 'Dispatches', summary: 'The routes: each technician\'s visits in order', access: DISPATCH_KEY, pathParams: DISPATCH_ID, conditional: true,
    success: [{ status: 200, description: 'The routes of the latest generation.', headers: ['ETag'], content: json({ type: 'object', properties: { ...dispatchHead, routes: { type: 'array', items: routeView } } }) }],
  },
  {
    method: 'get', path: '/api/v1/dispatches/:id/unassigned', tag: 'Dispatches', summary: 'Unassigned orders, each with its reason and what to do about it', access: DISPATCH_KEY, pathParams: DISPATCH_ID, conditional: true,
    success: [{
      status: 200, description: 'The orders the latest generation left out.', headers: ['ETag'],
      content: json((d) => ({ type: 'object', properties: { ...dispatchHead, unassigned: { type: 'array', items: { type: 'object', properties: { orderId: { type: 'string' }, reason: d(UnassignedReasonCodec), explanation: { type: 'string' } } } } } })),
    }],
  },
  {
    method: 'post', path: '/api/v1/dispatches/:id/visits', tag: 'Dispatch changes', summary: 'Report a visit started or completed (ReportVisit)', access: DISPATCH_KEY,
    description: 'A completed visit also completes its service order. A visit reported while a generation runs re-dispatches so the visit is kept.',
    pathParams: DISPATCH_ID, body: ReportVisitBody, ifMatch: true, idempotent: true, problems: [404, 409, 422], success: [dispatchChangeAccepted],
  },
  {
    method: 'post', path: '/api/v1/dispatches/:id/technicians/:technicianId/off-sick', tag: 'Dispatch changes', summary: 'A technician goes off sick (MarkTechnicianOffSick); re-dispatches', access: DISPATCH_KEY,
    description: 'Their open visits go back to the pool; completed ones stay done. 422 for a technician the dispatch does not have.',
    pathParams: { ...DISPATCH_ID, technicianId: 'The technician id (for a dispatch from a schedule, the employee id).' }, body: OffSickBody, ifMatch: true, idempotent: true, problems: [404, 422],
    success: [dispatchChangeAccepted],
  },
  {
    method: 'post', path: '/api/v1/dispatches/:id/orders', tag: 'Dispatch changes', summary: 'Add an open service order (AddDispatchOrder); re-dispatches', access: DISPATCH_KEY,
    pathParams: DISPATCH_ID, body: AddOrderBody, ifMatch: true, idempotent: true, problems: [404, 409, 422], success: [dispatchChangeAccepted],
  },
  {
    method: 'post', path: '/api/v1/dispatches/:id/orders/:orderId/cancel', tag: 'Dispatch changes', summary: 'Cancel an order of the dispatch (CancelDispatchOrder); re-dispatches', access: DISPATCH_KEY,
    description: 'Also cancels the service order. Refused (409) once its visit has started or completed.',
    pathParams: { ...DISPATCH_ID, orderId: 'The service order id.' }, body: CancelOrderBody, ifMatch: true, idempotent: true, problems: [404, 409, 422],
    success: [dispatchChangeAccepted],
  },
  {
    method: 'post', path: '/api/v1/dispatches/:id/redispatch', tag: 'Dispatch changes', summary: 'Re-dispatch now (Redispatch), keeping started and completed visits', access: DISPATCH_KEY,
    description: '`solver` overrides the dispatch\'s solver settings field by field.',
    pathParams: DISPATCH_ID, body: RedispatchBody, ifMatch: true, idempotent: true, problems: [404], success: [dispatchChangeAccepted],
  },
];

/** /health, /version, /metrics (src/api/opsRoutes.ts): no key, never rate limited. */
export const OPS_ROUTES: RouteDoc[] = [
  {
    method: 'get', path: '/health', tag: 'Operations', summary: 'Health of the instance and its dependencies', access: { kind: 'public' },
    success: [
      { status: 200, description: '`ok` or `degraded` (a non-critical dependency failed).', content: json({ type: 'object', properties: { status: { enum: ['ok', 'degraded'] }, dependencies: { type: 'object' } } }) },
      { status: 503, description: 'A critical dependency failed.', content: json({ type: 'object', properties: { status: { const: 'failed' }, failing: { type: 'array', items: { type: 'string' } } } }) },
    ],
  },
  { method: 'get', path: '/version', tag: 'Operations', summary: 'Build information', access: { kind: 'public' }, success: [{ status: 200, description: 'Version, commit, build time.', content: json({ type: 'object' }) }] },
  { method: 'get', path: '/metrics', tag: 'Operations', summary: 'Prometheus metrics', access: { kind: 'public' }, success: [{ status: 200, description: 'Prometheus text format.', content: { 'text/plain': { type: 'string' } } }] },
];

/** /debug/pprof (src/api/routes/debug.ts): admin token and allowed networks only. */
export const DEBUG_ROUTES: RouteDoc[] = [
  {
    method: 'get', path: '/debug/pprof/profile', tag: 'Operations', summary: 'CPU profile of the main thread (.cpuprofile download)', access: { kind: 'admin' },
    description: 'Samples for `seconds` (1-60, default 30); one profile at a time per instance (409).',
    query: [{ name: 'seconds', description: 'How long to sample, 1-60 (default 30).', schema: { type: 'integer', minimum: 1, maximum: 60 } }],
    problems: [409], success: [{ status: 200, description: 'A V8 CPU profile (Chrome DevTools, speedscope).', content: json({ type: 'object', properties: { nodes: { type: 'array', items: { type: 'object' } } } }) }],
  },
  {
    method: 'get', path: '/debug/pprof/heap', tag: 'Operations', summary: 'Heap snapshot (.heapsnapshot download)', access: { kind: 'admin' },
    description: 'Pauses the instance while the snapshot is taken; one at a time per instance (409).',
    problems: [409], success: [{ status: 200, description: 'A V8 heap snapshot (Chrome DevTools › Memory).', content: json({ type: 'object' }) }],
  },
  {
    method: 'get', path: '/debug/pprof/goroutine', tag: 'Operations', summary: 'Active resources by type and the HTTP requests in flight', access: { kind: 'admin' },
    success: [{ status: 200, description: 'What keeps the process busy.', content: json({ type: 'object', properties: { active_resources: { type: 'object' }, http: { type: 'object' } } }) }],
  },
];

/** /openapi.json and /docs (src/api/routes/docs.ts). */
export const DOCS_ROUTES: RouteDoc[] = [
  { method: 'get', path: '/openapi.json', tag: 'Operations', summary: 'This document', access: { kind: 'public' }, success: [{ status: 200, description: 'OpenAPI 3.1.', content: json({ type: 'object' }) }] },
  { method: 'get', path: '/docs', tag: 'Operations', summary: 'This document as a web page', access: { kind: 'public' }, success: [{ status: 200, description: 'HTML.', content: { 'text/html': { type: 'string' } } }] },
];

/** Every documented route. A new router adds its table here. */
export const ROUTE_DOCS: RouteDoc[] = [...SCHEDULE_ROUTES, ...SERVICE_ORDER_ROUTES, ...DISPATCH_ROUTES, ...ADMIN_KEY_ROUTES, ...OPS_ROUTES, ...DEBUG_ROUTES, ...DOCS_ROUTES];

// ---- the route tables of routers ------------------------------------------------------------

export interface RouteKey {
  method: HttpMethod;
  path: string;
}

const METHODS = new Set<string>(['get', 'post', 'put', 'patch', 'delete']);

/** The routes routers really answer (HEAD, which Koa adds to every GET, left out; a RegExp route as its source). */
export function routesOf(routers: Router[]): RouteKey[] {
  const keys: RouteKey[] = [];
  for (const router of routers) {
    for (const layer of router.stack) {
      for (const method of layer.methods.map((m) => m.toLowerCase())) {
        if (METHODS.has(method)) keys.push({ method: method as HttpMethod, path: String(layer.path) });
      }
    }
  }
  return keys;
}

export const routeId = (route: RouteKey): string => `${route.method.toUpperCase()} ${route.path}`;

/** `/a/:id/b` → `/a/{id}/b`. */
export const openApiPath = (koaPath: string): string => koaPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

// ---- the document ---------------------------------------------------------------------------

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers: Array<{ url: string }>;
  tags: Array<{ name: string }>;
  paths: Record<string, Partial<Record<HttpMethod, Operation>>>;
  components: {
    schemas: Record<string, JsonSchema>;
    responses: Record<string, ResponseObject>;
    headers: Record<string, { description: string; schema: JsonSchema }>;
    securitySchemes: Record<string, SecurityScheme>;
  };
}

export interface Operation {
  operationId: string;
  tags: string[];
  summary: string;
  description?: string;
  parameters?: Parameter[];
  requestBody?: { required: boolean; content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, ResponseObject | { $ref: string }>;
  security: Array<Record<string, string[]>>;
  /** The API-key scope the route needs, when it needs one. */
  'x-required-scope'?: Scope;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  description: string;
  schema: JsonSchema;
}

export interface ResponseObject {
  description: string;
  headers?: Record<string, { $ref: string }>;
  content?: Record<string, { schema: JsonSchema }>;
}

export type SecurityScheme =
  | { type: 'http'; scheme: 'bearer'; bearerFormat?: string; description: string }
  | { type: 'apiKey'; in: 'header'; name: string; description: string };

/** What each refusal means, for the shared problem responses. */
const PROBLEM_MEANINGS: Record<number, string> = {
  400: 'Malformed JSON, a body nested deeper than 32 levels, or a malformed If-Match / Idempotency-Key header.',
  401: 'No key, or a malformed, unknown, revoked or expired one (for admin routes: no or a wrong admin token).',
  403: 'The key lacks the route\'s scope (`required_scope`), or an admin route was called from outside the allowed networks.',
  404: 'No such resource in your organisation (another organisation\'s resources are not found either).',
  409: 'Refused by the business rules: `wrong-state`, `already-exists`, `not-assigned`, `already-revoked`, `stale-generation`, or `breaks-hard-rules` with `brokenRules`.',
  412: 'If-Match names an older version (`current_version` says which is current); reload and retry.',
  413: 'The body is larger than the configured limit.',
  415: 'The body is not JSON.',
  422: 'Invalid input: `errors` lists every invalid field with its path (also `unknown-reference`: the body names an order or technician the subject does not have); also a reused Idempotency-Key with another request.',
  428: 'This route needs If-Match: send the ETag of the version you are changing.',
  429: 'Rate limited: see Retry-After and the RateLimit-* headers.',
};

const problemSchema = (describe: Describe): JsonSchema => ({
  type: 'object',
  description: 'RFC 9457 problem details. Extensions by `type`: `errors`, `brokenRules`, `required_scope`, `current_version`.',
  properties: {
    type: { type: 'string', description: 'https://paiban.dev/problems/<slug>, stable per kind of error.' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    errors: { type: 'array', items: { type: 'object', properties: { path: { type: 'string', description: 'e.g. `problem.employees[3].contractId`; empty for the whole body.' }, message: { type: 'string' } }, required: ['path', 'message'] } },
    brokenRules: { type: 'array', items: describe(BrokenRule) },
    required_scope: { type: 'string' },
    current_version: { type: 'integer' },
  },
  required: ['type', 'title', 'status'],
});

const HEADERS: OpenApiDocument['components']['headers'] = {
  ETag: { description: 'The stream version, e.g. "7": send it back as If-Match (commands) or If-None-Match (reads).', schema: { type: 'string' } },
  Location: { description: 'Where the new resource is.', schema: { type: 'string' } },
  'Retry-After': { description: 'Seconds until a retry may succeed.', schema: { type: 'integer' } },
  'RateLimit-Limit': { description: 'Requests allowed per minute.', schema: { type: 'integer' } },
  'RateLimit-Remaining': { description: 'Requests left in the window.', schema: { type: 'integer' } },
  'RateLimit-Reset': { description: 'Seconds until the window resets.', schema: { type: 'integer' } },
};

const SECURITY_SCHEMES: Record<string, SecurityScheme> = {
  apiKeyBearer: { type: 'http', scheme: 'bearer', bearerFormat: 'pb_<key id>_<secret>', description: 'An API key: `Authorization: Bearer pb_…`. Its scopes (`schedule`, `dispatch`) decide which routes it may call.' },
  apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'The same API key in the X-API-Key header.' },
  adminToken: { type: 'http', scheme: 'bearer', description: '`Authorization: Bearer <ADMIN_TOKEN>`, from clients on ADMIN_ALLOWED_CIDRS only.' },
};

const API_DESCRIPTION = [
  'Paiban builds staff rosters: request a schedule, follow its generation, change, publish and replan it.',
  'It also dispatches service orders: create the orders, route them to technicians (given, or the people on shift in a published schedule), read the routes and the unassigned orders with their reasons, and report the day\'s changes, each of which re-dispatches around the visits already started or completed.',
  '',
  '**Authentication.** `/api/v1` routes need an API key (`Authorization: Bearer pb_…` or `X-API-Key`) with the route\'s scope; admin routes need the admin token. No or a bad key: 401; wrong scope: 403; another organisation\'s resource: 404.',
  '',
  '**Errors** are `application/problem+json` with a stable `type`; invalid input answers 422 with `errors: [{path, message}]`, one per invalid field.',
  '',
  '**Concurrency.** Every command answers the stream version as `ETag`; send it as `If-Match` and a stale write gets 412. `Idempotency-Key` makes a retried command a no-op that returns the first answer. Reads honour `If-None-Match` (304).',
  '',
  '**Unknown fields** in request bodies are refused (422, one error per unknown field, e.g. `unknown field "x"`), so a misspelt option never passes silently.',
].join('\n');

/** Where a request body drops undeclared fields instead of refusing them (`x-unknown-fields: ignored`). */
export function unknownFieldsIgnoredAt(document: Pick<OpenApiDocument, 'paths' | 'components'>): string[] {
  const found: string[] = [];
  const visit = (schema: JsonSchema, where: string, seen: Set<string>): void => {
    if (schema.$ref) {
      if (seen.has(schema.$ref)) return;
      const target = document.components.schemas[schema.$ref.slice(schema.$ref.lastIndexOf('/') + 1)];
      if (target) visit(target, where, new Set([...seen, schema.$ref]));
      return;
    }
    if (schema['x-unknown-fields'] === 'ignored') found.push(where);
    for (const [key, field] of Object.entries(schema.properties ?? {})) visit(field, where ? `${where}.${key}` : key, seen);
    if (schema.items) visit(schema.items, `${where}[]`, seen);
    for (const member of [...(schema.anyOf ?? []), ...(schema.allOf ?? [])]) visit(member, where, seen);
  };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const body = operation.requestBody?.content['application/json']?.schema;
      if (!body) continue;
      const before = found.length;
      visit(body, '', new Set());
      for (let i = before; i < found.length; i++) found[i] = `${method.toUpperCase()} ${path}: ${found[i] || 'the body'}`;
    }
  }
  return found;
}

/** The policy paragraph's exceptions, read off the schemas so the sentence cannot go stale. */
function describeExceptions(ignoredAt: string[]): string {
  if (ignoredAt.length === 0) return '';
  return `\n\nExceptions, marked \`x-unknown-fields: ignored\`, drop undeclared fields without an error: ${ignoredAt.map((w) => `\`${w}\``).join('; ')}.`;
}

function problemResponses(route: RouteDoc): number[] {
  const statuses = new Set(route.problems ?? []);
  if (route.access.kind !== 'public') [401, 403].forEach((s) => statuses.add(s));
  // Ops paths are never rate limited; everything else may be.
  if (!OPS_ROUTES.includes(route)) statuses.add(429);
  if (route.body) [400, 413, 415, 422].forEach((s) => statuses.add(s));
  if (route.query?.length) statuses.add(422);
  if (route.pathParams && 'id' in route.pathParams) statuses.add(404);
  if (route.ifMatch) [400, 412].forEach((s) => statuses.add(s));
  if (route.ifMatch === 'required') statuses.add(428);
  if (route.idempotent) [400, 422].forEach((s) => statuses.add(s));
  return [...statuses].sort((a, b) => a - b);
}

function securityOf(access: RouteAccess): Array<Record<string, string[]>> {
  switch (access.kind) {
    case 'apiKey':
      return [{ apiKeyBearer: [access.scope] }, { apiKeyHeader: [access.scope] }];
    case 'admin':
      return [{ adminToken: [] }];
    case 'public':
      return [];
    default: {
      const unreachable: never = access;
      return unreachable;
    }
  }
}

function parametersOf(route: RouteDoc): Parameter[] {
  const names = [...route.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);
  const parameters: Parameter[] = names.map((name) => ({ name, in: 'path', required: true, description: route.pathParams?.[name] ?? name, schema: { type: 'string' } }));
  for (const q of route.query ?? []) parameters.push({ name: q.name, in: 'query', required: q.required ?? false, description: q.description, schema: q.schema });
  if (route.ifMatch) {
    const required = route.ifMatch === 'required';
    parameters.push({ name: 'If-Match', in: 'header', required, description: `The ETag (version) you last saw; a stale one gets 412${required ? ', none 428' : ''}.`, schema: { type: 'string' } });
  }
  if (route.idempotent) parameters.push({ name: 'Idempotency-Key', in: 'header', required: false, description: '1-200 of letters, digits and . _ : -; a retry with the same key returns the first answer.', schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,200}$' } });
  if (route.conditional) parameters.push({ name: 'If-None-Match', in: 'header', required: false, description: 'An ETag you hold: 304 when it is current.', schema: { type: 'string' } });
  return parameters;
}

function operationOf(route: RouteDoc, registry: SchemaRegistry): Operation {
  const responses: Operation['responses'] = {};
  for (const success of route.success) {
    responses[String(success.status)] = {
      description: success.description,
      ...(success.headers ? { headers: Object.fromEntries(success.headers.map((h) => [h, { $ref: `#/components/headers/${h}` }])) } : {}),
      ...(success.content ? { content: Object.fromEntries(Object.entries(success.content).map(([type, schema]) => [type, { schema: typeof schema === 'function' ? schema(registry.describe) : schema }])) } : {}),
    };
  }
  if (route.conditional) responses['304'] = { description: 'Not modified: your If-None-Match is the current version.', headers: { ETag: { $ref: '#/components/headers/ETag' } } };
  for (const status of problemResponses(route)) responses[String(status)] = { $ref: `#/components/responses/Problem${status}` };
  const parameters = parametersOf(route);
  return {
    operationId: `${route.method}${openApiPath(route.path).replace(/[{}]/g, '').split(/[/._-]/).filter(Boolean).map((p) => p[0]!.toUpperCase() + p.slice(1)).join('')}`,
    tags: [route.tag],
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(route.body ? { requestBody: { required: !route.bodyOptional, content: { 'application/json': { schema: registry.describe(route.body) } } } } : {}),
    responses,
    security: securityOf(route.access),
    ...(route.access.kind === 'apiKey' ? { 'x-required-scope': route.access.scope } : {}),
  };
}

/** The OpenAPI 3.1 document for the given routes (default: every documented route). */
export function buildOpenApiDocument(routes: RouteDoc[] = ROUTE_DOCS): OpenApiDocument {
  const registry = new SchemaRegistry();
  const paths: OpenApiDocument['paths'] = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    paths[path] = { ...paths[path], [route.method]: operationOf(route, registry) };
  }
  const description = API_DESCRIPTION + describeExceptions(unknownFieldsIgnoredAt({ paths, components: { schemas: registry.schemas } as OpenApiDocument['components'] }));
  const problem = problemSchema(registry.describe);
  registry.schemas.Problem = problem;
  const responses: Record<string, ResponseObject> = {};
  for (const [status, meaning] of Object.entries(PROBLEM_MEANINGS)) {
    responses[`Problem${status}`] = {
      description: meaning,
      ...(status === '429' ? { headers: Object.fromEntries(['Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'].map((h) => [h, { $ref: `#/components/headers/${h}` }])) } : {}),
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Paiban API', version: buildInfo().version, description },
    servers: [{ url: '/' }],
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: { schemas: registry.schemas, responses, headers: HEADERS, securitySchemes: SECURITY_SCHEMES },
  };
}

/**
 * The document for what is mounted: documented routes the routers do not serve (say, a router
 * switched off) are left out. The operations and docs routes are always served.
 */
export function documentForRouters(routers: Router[]): OpenApiDocument {
  const served = new Set(routesOf(routers).map(routeId));
  const always = new Set([...OPS_ROUTES, ...DOCS_ROUTES]);
  return buildOpenApiDocument(ROUTE_DOCS.filter((route) => always.has(route) || served.has(routeId(route))));
}
