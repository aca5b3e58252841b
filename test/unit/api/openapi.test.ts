// The OpenAPI document against the service itself: every route the routers serve is documented
// and nothing else is; the document is structurally OpenAPI 3.1; each request-body schema accepts
// and refuses exactly what its io-ts codec does under systematic mutations (unknown, missing and
// mistyped fields, at every level); the documented scopes are the ones the routers enforce; and
// /openapi.json and /docs serve it (the page self-contained).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import Router from '@koa/router';
import * as fc from 'fast-check';
import * as t from 'io-ts';
import { buildApi } from '../../../src/api/api.js';
import { jsonBody } from '../../../src/api/middleware/jsonBody.js';
import { problems } from '../../../src/api/middleware/problems.js';
import { securityHeaders } from '../../../src/api/middleware/securityHeaders.js';
import {
  buildOpenApiDocument,
  CUSTOM_SCHEMAS,
  DISPATCH_ROUTES,
  documentForRouters,
  openApiPath,
  REFINEMENT_HINTS,
  ROUTE_DOCS,
  routeId,
  routesOf,
  SchemaRegistry,
  SERVICE_ORDER_ROUTES,
  taggedUnionSchema,
  type JsonSchema,
  type OpenApiDocument,
  type RouteKey,
} from '../../../src/api/openapi.js';
import { opsRouter } from '../../../src/api/opsRoutes.js';
import { AddOrderBody, CancelOrderBody, dispatchesRouter, OffSickBody, RedispatchBody, ReportVisitBody, RequestDispatchBody } from '../../../src/api/routes/dispatches.js';
import { DOCS_CSP, docsRouter } from '../../../src/api/routes/docs.js';
import { AssignShiftBody, DemandBody, ReplanBody, RequestScheduleBody, UnavailabilityBody } from '../../../src/api/routes/schedules.js';
import { CancelServiceOrderBody, CreateServiceOrderBody, serviceOrdersRouter } from '../../../src/api/routes/serviceOrders.js';
import { IssueKeyBody } from '../../../src/domain/apiKeys.js';
import { DispatchRequest, TravelModel } from '../../../src/domain/dispatch.js';
import { ServiceOrderChanges } from '../../../src/domain/serviceOrders.js';
import { loadConfig } from '../../../src/infra/config.js';
import type { Services } from '../../../src/infra/services.js';
import type { ReadCache } from '../../../src/projections/readCache.js';

// Routers only capture their dependencies when built; no route runs far enough here to use them.
const stubServices = { redis: undefined, database: {}, eventStore: {}, commandResults: {} } as unknown as Services;
const apiRouters = (): Router[] => buildApi(stubServices, loadConfig({ env: {} }), {} as ReadCache).routers;

/** Everything an instance serves: the ops routes (app.ts), the API routers, and the docs router. */
function allRouters(): Router[] {
  const api = apiRouters();
  return [opsRouter([]), ...api, docsRouter(api)];
}

function documentedRoutes(document: OpenApiDocument): Set<string> {
  return new Set(Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`)));
}

/** Routes served but not documented, and documented but not served. */
function routeDrift(served: RouteKey[], document: OpenApiDocument): { undocumented: string[]; notServed: string[] } {
  const servedIds = new Set(served.map((r) => routeId({ method: r.method, path: openApiPath(r.path) })));
  const documented = documentedRoutes(document);
  return { undocumented: [...servedIds].filter((id) => !documented.has(id)), notServed: [...documented].filter((id) => !servedIds.has(id)) };
}

// ---- a validator for the JSON Schema subset the generator emits ----------------------------

type Schemas = Record<string, JsonSchema>;

const JSON_TYPES: Record<string, (v: unknown) => boolean> = {
  object: (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  array: Array.isArray,
  string: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number',
  integer: (v) => Number.isInteger(v),
  boolean: (v) => typeof v === 'boolean',
  null: (v) => v === null,
};

function schemaAccepts(schema: JsonSchema, value: unknown, schemas: Schemas): boolean {
  if (schema.$ref) return schemaAccepts(schemas[schema.$ref.replace('#/components/schemas/', '')]!, value, schemas);
  if (schema.type !== undefined && ![schema.type].flat().some((type) => JSON_TYPES[type]!(value))) return false;
  if (schema.const !== undefined && value !== schema.const) return false;
  if (schema.enum && !schema.enum.includes(value as string)) return false;
  if (schema.anyOf && !schema.anyOf.some((s) => schemaAccepts(s, value, schemas))) return false;
  if (schema.allOf && !schema.allOf.every((s) => schemaAccepts(s, value, schemas))) return false;
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) return false;
    if (schema.maximum !== undefined && value > schema.maximum) return false;
    if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) return false;
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) return false;
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) return false;
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) return false;
    if (schema.items && !value.every((item) => schemaAccepts(schema.items!, item, schemas))) return false;
  }
  if (JSON_TYPES.object!(value)) {
    const object = value as Record<string, unknown>;
    if (schema.required?.some((key) => !(key in object))) return false;
    for (const [key, field] of Object.entries(object)) {
      const declared = schema.properties?.[key];
      if (declared) {
        if (!schemaAccepts(declared, field, schemas)) return false;
      } else if (schema.additionalProperties === false) return false;
      else if (typeof schema.additionalProperties === 'object' && !schemaAccepts(schema.additionalProperties, field, schemas)) return false;
    }
  }
  return true;
}

// ---- mutations of a valid body --------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface Mutation {
  what: string;
  value: Json;
}

function withChange(root: Json, path: Array<string | number>, change: (parent: Record<string, Json>) => void): Json {
  const copy = structuredClone(root);
  let node = copy as Record<string, Json>;
  for (const key of path) node = (node as Record<string | number, Json>)[key] as Record<string, Json>;
  change(node);
  return copy;
}

/** At every object (and the first element of every array): an unknown field, each field removed, each field mistyped. */
function* mutations(root: Json, node: Json = root, path: Array<string | number> = []): Generator<Mutation> {
  if (Array.isArray(node)) {
    if (node.length > 0) yield* mutations(root, node[0]!, [...path, 0]);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const at = path.join('.') || '(root)';
  yield { what: `unknown field at ${at}`, value: withChange(root, path, (o) => (o.zzUnknownField = 1)) };
  for (const [key, field] of Object.entries(node)) {
    yield { what: `${at}.${key} removed`, value: withChange(root, path, (o) => delete o[key]) };
    const wrong: Json = typeof field === 'object' && field !== null ? 12345 : { wrongType: true };
    yield { what: `${at}.${key} mistyped`, value: withChange(root, path, (o) => (o[key] = wrong)) };
    yield* mutations(root, field, [...path, key]);
  }
}

/** The mutations on which schema and codec disagree (each with who accepted it). */
function disagreements(codec: t.Any, schema: JsonSchema, schemas: Schemas, valid: Json): string[] {
  const found: string[] = [];
  for (const { what, value } of [{ what: 'the valid body', value: valid }, ...mutations(valid)]) {
    const byCodec = codec.decode(value)._tag === 'Right';
    const bySchema = schemaAccepts(schema, value, schemas);
    if (byCodec !== bySchema) found.push(`${what}: codec ${byCodec ? 'accepts' : 'refuses'}, schema ${bySchema ? 'accepts' : 'refuses'}`);
  }
  return found;
}

const coverRequirement = { day: 0, shiftId: 'D', required: 1, underWeight: 100, overWeight: 10, skill: 'nurse', hardMinimum: true };
const rosterProblem: Json = {
  startDate: '2026-01-05',
  days: 7,
  shiftTypes: [{ id: 'D', start: '07:00', durationMinutes: 480, name: 'Day', requiredSkills: ['nurse'] }],
  contracts: [
    { id: 'full', maxShiftsPerType: { D: 5 }, minTotalMinutes: 0, maxTotalMinutes: 2400, maxConsecutiveWorkDays: 5, minConsecutiveWorkDays: 1, minConsecutiveDaysOff: 1, maxWeekends: 1, minRestMinutes: 600, rules: { minRest: { level: 'soft', weight: 5 } } },
  ],
  employees: [{ id: 'e1', contractId: 'full', name: 'Ann', skills: ['nurse'], hourlyCost: 20, unavailableDays: [3] }],
  cover: [coverRequirement],
  forbiddenSuccessions: [{ from: 'D', to: 'D' }],
  shiftOnRequests: [{ employeeId: 'e1', day: 1, weight: 2, shiftId: 'D' }],
  shiftOffRequests: [{ employeeId: 'e1', day: 2, weight: 2 }],
  pins: [{ employeeId: 'e1', day: 0, shiftId: null }],
  baseline: { assignments: [{ employeeId: 'e1', day: 1, shiftId: 'D' }], changePenalty: 10 },
  rules: { overlap: { level: 'hard' }, skills: { level: 'soft', weight: 3 } },
  weights: { fairness: 1, cost: 1 },
  exemptEdgeRuns: false,
};

/** A valid, field-rich body per codec a route decodes. */
const BODY_SAMPLES: Array<{ name: string; codec: t.Any; valid: Json }> = [
  { name: 'RequestScheduleBody', codec: RequestScheduleBody, valid: { name: 'Week 2', problem: rosterProblem, solver: { timeLimitMs: 5000, unimprovedLimitMs: 500, seed: 3 } } },
  { name: 'AssignShiftBody', codec: AssignShiftBody, valid: { employeeId: 'e1', day: 2, shiftId: 'D', force: true } },
  { name: 'UnavailabilityBody', codec: UnavailabilityBody, valid: { employeeId: 'e1', days: [1, 2], reason: 'sick' } },
  { name: 'DemandBody', codec: DemandBody, valid: { set: [coverRequirement], remove: [{ day: 1, shiftId: 'D', skill: 'nurse' }] } },
  { name: 'ReplanBody', codec: ReplanBody, valid: { changePenalty: 50, solver: { seed: 1 } } },
  { name: 'IssueKeyBody', codec: IssueKeyBody, valid: { name: '客户A', scopes: ['schedule', 'dispatch'], org_id: 'acme', expires_at: '2030-01-01T00:00:00Z' } },
  ...dispatchBodySamples(),
];

/** The route's own body codec, for one a router builds inline (not exported). */
function bodyOfRoute(method: string, path: string): t.Any {
  const codec = ROUTE_DOCS.find((r) => r.method === method && r.path === path)?.body;
  assert.ok(codec, `${method} ${path} documents a body`);
  return codec;
}

/** Valid, field-rich bodies of the service-order and dispatch routes (every optional field given). */
function dispatchBodySamples(): Array<{ name: string; codec: t.Any; valid: Json }> {
  const geo = (lat: number, lon: number): Json => ({ lat, lon });
  const order = { location: { x: 1, y: 2 }, timeWindows: [{ start: 0, end: 100 }], serviceDuration: 5, requiredSkills: ['gas'], priority: 2, demand: 1 };
  const solver = { timeLimitMs: 1000, unimprovedLimitMs: 100, seed: 7 };
  return [
    { name: 'CreateServiceOrderBody', codec: CreateServiceOrderBody, valid: { id: 'o-1', ...order } },
    { name: 'ServiceOrderChanges', codec: ServiceOrderChanges, valid: { ...order, location: geo(31.2, 121.5) } },
    { name: 'CancelServiceOrderBody', codec: CancelServiceOrderBody, valid: { reason: 'customer called' } },
    { name: 'CompleteServiceOrderBody', codec: bodyOfRoute('post', '/api/v1/service-orders/:id/complete'), valid: {} },
    {
      name: 'RequestDispatchBody (technicians)',
      codec: RequestDispatchBody,
      valid: {
        name: 'Monday',
        orderIds: ['o-1', 'o-2'],
        technicians: [{ id: 't1', startLocation: { x: 0, y: 0 }, shift: { start: 0, end: 480 }, endLocation: { x: 5, y: 5 }, skills: ['gas'], capacity: 10, fixedCost: 1 }],
        travel: { kind: 'euclidean', speed: 2 },
        objective: { mode: 'weighted', unassignedPenalty: 1000, technicianFixedCost: 1, travelCost: 1 },
        solver,
      },
    },
    {
      name: 'RequestDispatchBody (fromSchedule)',
      codec: RequestDispatchBody,
      valid: {
        travel: { kind: 'haversine', speedKmh: 40 },
        fromSchedule: {
          scheduleId: 's-1',
          day: 2,
          technicians: [{ employeeId: 'e1', startLocation: geo(31.2, 121.5), endLocation: geo(31.0, 121.4), capacity: 10, fixedCost: 1 }],
          defaultLocation: geo(31.1, 121.45),
        },
      },
    },
    { name: 'ReportVisitBody', codec: ReportVisitBody, valid: { orderId: 'o-1', technicianId: 't1', status: 'started', serviceStart: 30 } },
    { name: 'OffSickBody', codec: OffSickBody, valid: { now: 60, reason: 'flu' } },
    { name: 'AddOrderBody', codec: AddOrderBody, valid: { orderId: 'o-2', now: 60 } },
    { name: 'CancelOrderBody', codec: CancelOrderBody, valid: { now: 60, reason: 'customer called' } },
    { name: 'RedispatchBody', codec: RedispatchBody, valid: { now: 60, solver } },
  ];
}

/** Dispatch codecs (their routes come later): the generator must already describe them faithfully. */
const serviceOrder = { id: 'o1', location: { x: 1, y: 2 }, timeWindows: [{ start: 0, end: 100 }], serviceDuration: 5, requiredSkills: ['gas'], priority: 2, demand: 1 };
const dispatchRequest = (travel: Json, locations: [Json, Json]): Json => ({
  orders: [{ ...serviceOrder, location: locations[0] }],
  technicians: [{ id: 't1', startLocation: locations[1], shift: { start: 0, end: 480 }, endLocation: locations[1], skills: ['gas'], capacity: 10, fixedCost: 1 }],
  travel,
  objective: { mode: 'weighted', unassignedPenalty: 1000, technicianFixedCost: 1, travelCost: 1 },
  fixedVisits: [{ orderId: 'o1', technicianId: 't1', status: 'started', serviceStart: 30 }],
  now: 10,
  solver: { timeLimitMs: 1000, iterationBudget: 10, unimprovedLimitMs: 100, seed: 0 },
});
const DISPATCH_SAMPLES: Array<{ name: string; codec: t.Any; valid: Json }> = [
  { name: 'DispatchRequest (euclidean)', codec: DispatchRequest, valid: dispatchRequest({ kind: 'euclidean', speed: 2 }, [{ x: 1, y: 2 }, { x: 0, y: 0 }]) },
  { name: 'DispatchRequest (haversine)', codec: DispatchRequest, valid: dispatchRequest({ kind: 'haversine', speedKmh: 40 }, [{ lat: 31.2, lon: 121.5 }, { lat: 31.0, lon: 121.4 }]) },
  { name: 'DispatchRequest (matrix)', codec: DispatchRequest, valid: dispatchRequest({ kind: 'matrix', durations: [[0, 5], [5, 0]], distances: [[0, 3], [3, 0]] }, [{ matrixIndex: 1 }, { matrixIndex: 0 }]) },
];

// ---- structural OpenAPI 3.1 checks ----------------------------------------------------------

const SCHEMA_KEYWORDS = new Set(['$ref', 'type', 'description', 'properties', 'required', 'additionalProperties', 'items', 'minItems', 'enum', 'const', 'anyOf', 'allOf', 'minimum', 'maximum', 'exclusiveMinimum', 'minLength', 'pattern', 'format']);
const JSON_TYPE_NAMES = new Set(Object.keys(JSON_TYPES));

/** Every place a schema sits, with a name for messages. */
function* schemasIn(document: OpenApiDocument): Generator<[string, JsonSchema]> {
  function* below(where: string, schema: JsonSchema): Generator<[string, JsonSchema]> {
    yield [where, schema];
    for (const [key, field] of Object.entries(schema.properties ?? {})) yield* below(`${where}.${key}`, field);
    if (schema.items) yield* below(`${where}[]`, schema.items);
    if (typeof schema.additionalProperties === 'object') yield* below(`${where}{}`, schema.additionalProperties);
    for (const [i, member] of [...(schema.anyOf ?? []), ...(schema.allOf ?? [])].entries()) yield* below(`${where}|${i}`, member);
  }
  for (const [name, schema] of Object.entries(document.components.schemas)) yield* below(`#/components/schemas/${name}`, schema);
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const where = `${method} ${path}`;
      for (const parameter of operation.parameters ?? []) yield* below(`${where} ${parameter.name}`, parameter.schema);
      for (const [type, media] of Object.entries(operation.requestBody?.content ?? {})) yield* below(`${where} body ${type}`, media.schema);
      for (const [status, response] of Object.entries(operation.responses)) {
        if ('$ref' in response) continue;
        for (const [type, media] of Object.entries(response.content ?? {})) yield* below(`${where} ${status} ${type}`, media.schema);
      }
    }
  }
}

function structuralProblems(document: OpenApiDocument): string[] {
  const problems: string[] = [];
  const fail = (message: string) => problems.push(message);
  if (!/^3\.1\.\d+$/.test(document.openapi)) fail(`openapi is ${document.openapi}`);
  if (!document.info?.title || !document.info.version) fail('info needs title and version');
  const text = JSON.stringify(document);
  if (JSON.stringify(JSON.parse(text)) !== text) fail('the document does not survive a JSON round trip');
  // Every $ref names something in this document.
  for (const [, ref] of text.matchAll(/"\$ref":"([^"]+)"/g)) {
    const target = ref!.replace(/^#\//, '').split('/').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], document);
    if (!ref!.startsWith('#/') || target === undefined) fail(`unresolved $ref ${ref}`);
  }
  const declaredTags = new Set(document.tags.map((tag) => tag.name));
  const operationIds = new Set<string>();
  for (const [path, item] of Object.entries(document.paths)) {
    if (!path.startsWith('/')) fail(`path ${path} does not start with /`);
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!).sort();
    for (const [method, operation] of Object.entries(item)) {
      const where = `${method} ${path}`;
      if (!['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'].includes(method)) fail(`${where}: not an HTTP method`);
      if (operationIds.has(operation.operationId)) fail(`${where}: operationId ${operation.operationId} repeats`);
      operationIds.add(operation.operationId);
      for (const tag of operation.tags) if (!declaredTags.has(tag)) fail(`${where}: tag ${tag} is not declared`);
      const parameters = operation.parameters ?? [];
      const inPath = parameters.filter((p) => p.in === 'path');
      if (JSON.stringify(inPath.map((p) => p.name).sort()) !== JSON.stringify(templated)) fail(`${where}: path parameters do not match the template`);
      for (const p of parameters) {
        if (!['path', 'query', 'header', 'cookie'].includes(p.in)) fail(`${where}: parameter ${p.name} in ${p.in}`);
        if (p.in === 'path' && p.required !== true) fail(`${where}: path parameter ${p.name} must be required`);
      }
      const seen = new Set(parameters.map((p) => `${p.in}:${p.name}`));
      if (seen.size !== parameters.length) fail(`${where}: a parameter repeats`);
      if (operation.requestBody && Object.keys(operation.requestBody.content).length === 0) fail(`${where}: request body without content`);
      if (Object.keys(operation.responses).length === 0) fail(`${where}: no responses`);
      for (const [status, response] of Object.entries(operation.responses)) {
        if (!/^[1-5](\d\d|XX)$/.test(status) && status !== 'default') fail(`${where}: response key ${status}`);
        if (!('$ref' in response) && typeof response.description !== 'string') fail(`${where} ${status}: no description`);
      }
      for (const requirement of operation.security) {
        for (const scheme of Object.keys(requirement)) if (!(scheme in document.components.securitySchemes)) fail(`${where}: unknown security scheme ${scheme}`);
      }
    }
  }
  for (const response of Object.values(document.components.responses)) if (typeof response.description !== 'string') fail('a shared response lacks a description');
  for (const [where, schema] of schemasIn(document)) {
    for (const keyword of Object.keys(schema)) if (!SCHEMA_KEYWORDS.has(keyword) && !keyword.startsWith('x-')) fail(`${where}: unknown keyword ${keyword}`);
    for (const type of [schema.type ?? []].flat()) if (!JSON_TYPE_NAMES.has(type)) fail(`${where}: unknown type ${type}`);
    if (schema.required && !schema.properties) fail(`${where}: required without properties`);
    for (const key of schema.required ?? []) if (!(key in (schema.properties ?? {}))) fail(`${where}: required ${key} is not a property`);
    if (schema.pattern !== undefined) {
      try {
        new RegExp(schema.pattern, 'u');
      } catch {
        fail(`${where}: pattern ${schema.pattern} is not a regular expression`);
      }
    }
  }
  return problems;
}

// ---- HTTP ---------------------------------------------------------------------------------

async function serve(app: Koa): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('OpenAPI document', () => {
  const document = buildOpenApiDocument();

  describe('routes', () => {
    it('documents every route the routers serve, and no route they do not', () => {
      const drift = routeDrift(routesOf(allRouters()), document);
      assert.deepEqual(drift.undocumented, [], `served but missing from the document: ${drift.undocumented.join(', ')}`);
      assert.deepEqual(drift.notServed, [], `in the document but served by no router: ${drift.notServed.join(', ')}`);
      assert.ok(documentedRoutes(document).size >= 20, 'the comparison saw the real route tables');
    });

    it('notices a new route nobody documented, and a documented route nobody serves', () => {
      const extra = new Router({ prefix: '/api/v1/widgets' });
      extra.get('/:widgetId', (ctx) => void (ctx.body = {}));
      const withExtra = routeDrift([...routesOf(allRouters()), ...routesOf([extra])], document);
      assert.deepEqual(withExtra.undocumented, ['GET /api/v1/widgets/{widgetId}']);
      const withoutAdmin = routeDrift(routesOf(allRouters()).filter((r) => !r.path.startsWith('/api/v1/admin')), document);
      assert.deepEqual(withoutAdmin.notServed.sort(), ['DELETE /api/v1/admin/keys/{keyId}', 'GET /api/v1/admin/keys', 'POST /api/v1/admin/keys']);
    });

    it('serves only what is mounted: documented routes of an unmounted router are left out', () => {
      const opsAndDocsOnly = documentedRoutes(documentForRouters([]));
      assert.deepEqual([...opsAndDocsOnly].sort(), ['GET /docs', 'GET /health', 'GET /metrics', 'GET /openapi.json', 'GET /version']);
      assert.deepEqual(documentedRoutes(documentForRouters(apiRouters())), documentedRoutes(document));
    });

    it('states the access each /api/v1 route really enforces (scope, or the admin guard)', async () => {
      // A caller whose key has no scope at all: each scoped route must refuse it naming the scope.
      const app = new Koa();
      app.silent = true;
      app.use(problems());
      app.use((ctx, next) => {
        ctx.state.auth = { keyId: '0123456789abcdef', orgId: 'default', scopes: [] };
        ctx.state.clientAddress = '203.0.113.9';
        return next();
      });
      for (const router of apiRouters()) app.use(router.routes());
      const server = await serve(app);
      try {
        const apiRoutes = ROUTE_DOCS.filter((r) => r.path.startsWith('/api/v1'));
        assert.ok(apiRoutes.length > 0);
        for (const route of apiRoutes) {
          const url = server.url + route.path.replace(/:([A-Za-z0-9_]+)/g, '1');
          const answer = await fetch(url, { method: route.method.toUpperCase() });
          const body = (await answer.json()) as { required_scope?: string };
          const where = routeId(route);
          switch (route.access.kind) {
            case 'apiKey':
              assert.equal(answer.status, 403, where);
              assert.equal(body.required_scope, route.access.scope, where);
              break;
            case 'admin':
              assert.ok(answer.status === 401 || answer.status === 403, `${where} answered ${answer.status}`);
              break;
            case 'public':
              assert.fail(`${where} is documented as public`);
              break;
            default: {
              const unreachable: never = route.access;
              assert.fail(String(unreachable));
            }
          }
          const operation = document.paths[openApiPath(route.path)]![route.method]!;
          assert.ok(operation.security.length > 0, `${where} lists its security`);
        }
      } finally {
        await server.close();
      }
    });

    describe('the dispatch routers behave as documented before any command runs', () => {
      // Decoding, If-Match and scope checks come before the routes touch their stores; a command
      // that gets past them meets a store with no streams and answers 404 (requireStream).
      let server: { url: string; close(): Promise<void> };
      before(async () => {
        const services = { database: {}, eventStore: { readStream: async () => [] }, commandResults: {} } as unknown as Services;
        const app = new Koa();
        app.silent = true;
        app.use(problems());
        app.use(jsonBody(1_000_000));
        app.use((ctx, next) => {
          ctx.state.auth = { keyId: '0123456789abcdef', orgId: 'default', scopes: ['dispatch'] };
          return next();
        });
        for (const router of [serviceOrdersRouter({ services }), dispatchesRouter({ services })]) app.use(router.routes());
        server = await serve(app);
      });
      after(() => server.close());

      const routes = [...SERVICE_ORDER_ROUTES, ...DISPATCH_ROUTES];
      const urlOf = (path: string) => server.url + path.replace(/:([A-Za-z0-9_]+)/g, 'x1');
      const send = async (method: string, path: string, body: Json | undefined, headers: Record<string, string> = { 'If-Match': '"1"' }) => {
        const answer = await fetch(urlOf(path), {
          method: method.toUpperCase(),
          headers: { ...headers, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        return { status: answer.status, problem: (await answer.json()) as { errors?: Array<{ path: string }> } };
      };

      it('refuses an unknown field in each documented body with 422 naming it', async () => {
        const withBody = routes.filter((r) => r.body);
        assert.equal(withBody.length, 10);
        for (const route of withBody) {
          const sample = BODY_SAMPLES.find((b) => b.codec === route.body)!;
          const { status, problem } = await send(route.method, route.path, { ...(sample.valid as Record<string, Json>), zzUnknownField: 1 });
          assert.equal(status, 422, routeId(route));
          assert.ok(problem.errors?.some((e) => e.path === 'zzUnknownField'), `${routeId(route)} names the unknown field: ${JSON.stringify(problem.errors)}`);
        }
      });

      it('takes no body where the body is optional', async () => {
        for (const route of routes.filter((r) => r.bodyOptional)) assert.equal((await send(route.method, route.path, undefined)).status, 404, routeId(route));
      });

      it('answers 428 without If-Match exactly where the document requires it', async () => {
        for (const route of routes.filter((r) => r.ifMatch)) {
          const sample = BODY_SAMPLES.find((b) => b.codec === route.body);
          const required = route.ifMatch === 'required';
          const parameter = document.paths[openApiPath(route.path)]![route.method]!.parameters!.find((p) => p.name === 'If-Match')!;
          assert.equal(parameter.required, required, routeId(route));
          const { status } = await send(route.method, route.path, sample?.valid, {});
          if (required) assert.equal(status, 428, routeId(route));
          else assert.notEqual(status, 428, routeId(route));
        }
      });
    });
  });

  describe('structure', () => {
    it('is structurally valid OpenAPI 3.1', () => {
      assert.deepEqual(structuralProblems(document), []);
    });

    it('the structural checks catch broken documents', () => {
      const broken = structuredClone(document);
      broken.openapi = '3.0.3' as '3.1.0';
      broken.paths['/api/v1/schedules/{id}']!.get!.parameters = [];
      broken.paths['/api/v1/schedules']!.post!.requestBody!.content['application/json']!.schema = { $ref: '#/components/schemas/Nope' };
      const found = structuralProblems(broken).join('\n');
      assert.match(found, /openapi is 3\.0\.3/);
      assert.match(found, /get \/api\/v1\/schedules\/\{id\}: path parameters do not match/);
      assert.match(found, /unresolved \$ref #\/components\/schemas\/Nope/);
    });

    it('gives every non-public route its problem responses as problem+json with errors[{path, message}]', () => {
      const problem = document.components.schemas.Problem!;
      assert.deepEqual(problem.properties!.errors!.items!.required, ['path', 'message']);
      for (const route of ROUTE_DOCS) {
        const responses = document.paths[openApiPath(route.path)]![route.method]!.responses;
        if (route.access.kind !== 'public') for (const status of ['401', '403']) assert.ok(status in responses, `${routeId(route)} documents ${status}`);
        if (route.body) assert.ok('422' in responses, `${routeId(route)} documents 422`);
        for (const [status, response] of Object.entries(responses)) {
          if (Number(status) >= 400 && Number(status) < 500) assert.deepEqual(response, { $ref: `#/components/responses/Problem${status}` }, `${routeId(route)} ${status}`);
        }
      }
      for (const response of Object.values(document.components.responses)) {
        assert.deepEqual(response.content, { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } });
      }
    });
  });

  describe('request bodies match their codecs', () => {
    it('each route with a body documents the codec it decodes', () => {
      const bodies = ROUTE_DOCS.filter((r) => r.body).map((r) => r.body);
      for (const { name, codec } of BODY_SAMPLES) assert.ok(bodies.includes(codec), `${name} is a documented body`);
      // And the converse: no documented body escapes the agreement checks below.
      for (const route of ROUTE_DOCS.filter((r) => r.body)) assert.ok(BODY_SAMPLES.some((sample) => sample.codec === route.body), `${routeId(route)}: its body ${route.body!.name} has a sample`);
    });

    it('an optional body is one its codec accepts as {} (what the route decodes when none is sent)', () => {
      const optional = ROUTE_DOCS.filter((r) => r.bodyOptional);
      assert.ok(optional.length >= 2);
      for (const route of optional) {
        assert.equal(route.body!.decode({})._tag, 'Right', routeId(route));
        assert.equal(document.paths[openApiPath(route.path)]![route.method]!.requestBody!.required, false, routeId(route));
      }
    });

    for (const { name, codec, valid } of BODY_SAMPLES) {
      it(`${name}: the schema accepts and refuses what the codec does (unknown, missing, mistyped fields at every level)`, () => {
        const route = ROUTE_DOCS.find((r) => r.body === codec)!;
        const schema = document.paths[openApiPath(route.path)]![route.method]!.requestBody!.content['application/json']!.schema;
        assert.equal(codec.decode(valid)._tag, 'Right', 'the sample is valid');
        assert.deepEqual(disagreements(codec, schema, document.components.schemas, valid), []);
      });
    }

    it('spot check: an unknown field is refused at the top and deep inside; the API description lists where one is ignored', () => {
      const schemas = document.components.schemas;
      const body = schemas.RequestScheduleBody!;
      assert.equal(body.additionalProperties, false);
      assert.equal(schemas.Employee!.additionalProperties, false);
      assert.deepEqual(schemas.Employee!.required, ['id', 'contractId']);
      const valid = BODY_SAMPLES[0]!.valid as { problem: { employees: Array<Record<string, Json>> }; solver: Record<string, Json> };
      const typo = structuredClone(valid);
      typo.problem.employees[0]!.contractID = 'full';
      assert.equal(RequestScheduleBody.decode(typo)._tag, 'Left');
      assert.equal(schemaAccepts(body, typo, schemas), false);
      const extraSolver = structuredClone(valid);
      extraSolver.solver.threads = 4;
      // Solver settings (t.exact) drop undeclared fields today; schema and description follow the codec either way.
      const solverIgnores = RequestScheduleBody.decode(extraSolver)._tag === 'Right';
      assert.equal(schemaAccepts(body, extraSolver, schemas), solverIgnores);
      assert.equal(document.info.description.includes('`POST /api/v1/schedules: solver`'), solverIgnores);
      const issueKey = { name: 'k', scopes: ['schedule'], role: 'admin' };
      assert.equal(document.info.description.includes('/api/v1/admin/keys'), IssueKeyBody.decode(issueKey)._tag === 'Right');
    });

    for (const { name, codec, valid } of DISPATCH_SAMPLES) {
      it(`dispatch ${name}: described faithfully before its routes exist`, () => {
        const registry = new SchemaRegistry();
        const schema = registry.describe(codec);
        assert.equal(codec.decode(valid)._tag, 'Right', 'the sample is valid');
        assert.deepEqual(disagreements(codec, schema, registry.schemas, valid), []);
      });
    }

    it('a tagged union documented with a tag its codec does not know fails loudly', () => {
      const { describe } = new SchemaRegistry();
      assert.throws(() => taggedUnionSchema(TravelModel, 'kind', ['euclidean', 'manhattan'], describe), /"manhattan" is not a value of its tag "kind"/);
      assert.equal(taggedUnionSchema(TravelModel, 'kind', ['euclidean', 'haversine', 'matrix'], describe).anyOf?.length, 3);
    });

    it('refinement hints and custom scalar schemas never refuse what their codec accepts (and agree on numbers)', () => {
      const strings = ['2026-01-05', '2024-02-29', '2025-02-29', '26-01-05', '07:00', '23:59', '24:00', '7:00', '', 'x', 'o-1.a_b:c', 'a b', 'ü', 'x'.repeat(100), 'x'.repeat(101)];
      const { describe } = new SchemaRegistry();
      const scalars = [...CUSTOM_SCHEMAS].map(([codec, schemaOf]) => [codec, schemaOf(describe)] as const).filter(([, schema]) => !schema.anyOf);
      assert.ok(scalars.length >= 10, 'the dispatch number, id and solver-limit codecs are checked');
      for (const [codec, hint] of [...REFINEMENT_HINTS, ...scalars]) {
        const numeric = hint.type === 'integer' || hint.type === 'number';
        // A schema's own bounds, and just past them, so a misstated bound cannot hide between samples.
        const bounds = [hint.minimum, hint.maximum, hint.exclusiveMinimum].filter((b): b is number => b !== undefined).flatMap((b) => [b - 1, b - 0.5, b, b + 0.5, b + 1]);
        const samples: unknown[] = numeric ? [-1, 0, 0.5, 1, 2, 1440, 1441, 1e9, ...bounds] : strings;
        for (const value of samples) {
          const byCodec = codec.decode(value)._tag === 'Right';
          if (byCodec) assert.ok(schemaAccepts(hint, value, {}), `${codec.name} accepts ${JSON.stringify(value)}, its schema refuses it`);
        }
        if (numeric) {
          const agrees = (n: number) => (codec.decode(n)._tag === 'Right') === schemaAccepts(hint, n, {});
          fc.assert(fc.property(fc.oneof(fc.integer({ min: -5000, max: 5000 }), fc.double({ noNaN: true, noDefaultInfinity: true })), agrees), { numRuns: 300 });
          for (const value of bounds) assert.ok(agrees(value), `${codec.name} and its schema disagree on ${value}`);
        }
      }
    });
  });

  describe('/openapi.json and /docs', () => {
    let server: { url: string; close(): Promise<void> };
    before(async () => {
      const app = new Koa();
      app.silent = true;
      app.use(problems());
      app.use(securityHeaders());
      app.use(docsRouter(apiRouters()).routes());
      server = await serve(app);
    });
    after(() => server.close());

    it('serves the document as JSON', async () => {
      const answer = await fetch(`${server.url}/openapi.json`);
      assert.equal(answer.status, 200);
      assert.match(answer.headers.get('content-type') ?? '', /^application\/json/);
      assert.deepEqual(await answer.json(), JSON.parse(JSON.stringify(document)));
    });

    it('serves a self-contained page listing every route, under its own strict CSP', async () => {
      const answer = await fetch(`${server.url}/docs`);
      assert.equal(answer.status, 200);
      assert.match(answer.headers.get('content-type') ?? '', /^text\/html/);
      const csp = answer.headers.get('content-security-policy') ?? '';
      assert.equal(csp, DOCS_CSP);
      assert.match(csp, /default-src 'none'/);
      assert.doesNotMatch(csp, /unsafe-inline|https?:/);
      const page = await answer.text();
      assert.doesNotMatch(page, /<script|<link|<img|<iframe|@import|url\(/i, 'nothing loads from elsewhere');
      for (const [, target] of page.matchAll(/href="([^"]*)"/g)) assert.match(target!, /^(#|\/openapi\.json$)/, `link ${target} stays on the page`);
      // The one inline style is the one the policy pins.
      const style = /<style>([\s\S]*?)<\/style>/.exec(page)![1]!;
      assert.ok(csp.includes(`'sha256-${createHash('sha256').update(style).digest('base64')}'`), 'the CSP pins the page style by hash');
      for (const path of Object.keys(document.paths)) assert.ok(page.includes(`<code>${path}</code>`), `the page shows ${path}`);
      assert.match(page, /Unknown fields are refused \(422\)/);
      assert.match(page, /API key with the <code>schedule<\/code> scope/);
    });
  });
});
