// The routers mounted by one middleware answer every request exactly as the routers mounted one by
// one (routes, then allowedMethods) would: same status, Allow header, body and matched route.
import assert from 'node:assert/strict';
import Router from '@koa/router';
import Koa, { type Middleware } from 'koa';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mountRouters } from '../../../src/api/app.js';

function routers(): Router[] {
  const things = new Router({ prefix: '/api/things' });
  things.use((ctx, next) => {
    ctx.set('X-Things', 'yes');
    return next();
  });
  things.get('/', (ctx) => void (ctx.body = { list: true }));
  things.get('/:id', (ctx) => void (ctx.body = { id: ctx.params.id }));
  things.post('/:id/do', (ctx) => void (ctx.body = { done: ctx.params.id }));
  const perOrg = new Router({ prefix: '/orgs/:org' });
  perOrg.get('/x', (ctx) => void (ctx.body = { org: ctx.params.org }));
  const patterns = new Router({ prefix: '/api/patterns' });
  patterns.get(/^\/anywhere-\d+$/, (ctx) => void (ctx.body = { pattern: true }));
  const ops = new Router();
  ops.get('/health', (ctx) => void (ctx.body = { ok: true }));
  ops.delete('/api/things/:id', (ctx) => void (ctx.body = { deletedBy: 'ops' }));
  return [things, perOrg, patterns, ops];
}

/** The route pattern each answer was matched by, so the metrics label is compared too. */
const reportRoute: Middleware = async (ctx, next) => {
  await next();
  ctx.set('X-Route', String((ctx as { _matchedRoute?: unknown })._matchedRoute ?? '-'));
};

async function serve(mount: (app: Koa, routers: Router[]) => void): Promise<{ url: string; close(): Promise<void> }> {
  const app = new Koa();
  app.silent = true;
  app.use(reportRoute);
  mount(app, routers());
  const server = http.createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const REQUESTS: [string, string][] = [
  ['GET', '/api/things'],
  ['GET', '/api/things/'],
  ['GET', '/api/things/7'],
  ['HEAD', '/api/things/7'],
  ['GET', '/API/Things/7'],
  ['PUT', '/api/things/7'],
  ['DELETE', '/api/things/7'],
  ['OPTIONS', '/api/things/7'],
  ['POST', '/api/things/7/do'],
  ['GET', '/api/things/7/do'],
  ['GET', '/api/thingsmore'],
  ['GET', '/orgs/acme/x'],
  ['POST', '/orgs/acme/x'],
  ['GET', '/anywhere-42'],
  ['GET', '/api/patterns/anywhere-42'],
  ['GET', '/health'],
  ['PATCH', '/health'],
  ['PROPFIND', '/health'],
  ['PROPFIND', '/nowhere'],
  ['GET', '/nowhere'],
];

describe('mountRouters', () => {
  it('answers like routes() and allowedMethods() of each router mounted in turn', async () => {
    const oneByOne = await serve((app, list) => {
      for (const router of list) {
        app.use(router.routes());
        app.use(router.allowedMethods());
      }
    });
    const mounted = await serve((app, list) => app.use(mountRouters(list)));
    try {
      // Twice: the second time, the routers answer from the matches they remember.
      for (const [method, path] of [...REQUESTS, ...REQUESTS]) {
        const answers = await Promise.all(
          [oneByOne, mounted].map(async (server) => {
            const response = await fetch(server.url + path, { method });
            return { status: response.status, allow: response.headers.get('allow'), things: response.headers.get('x-things'), route: response.headers.get('x-route'), body: await response.text() };
          }),
        );
        assert.deepEqual(answers[1], answers[0], `${method} ${path}`);
      }
    } finally {
      await oneByOne.close();
      await mounted.close();
    }
  });

  it('hands out a fresh list of matched layers each time, though it remembers the match', () => {
    const [things] = routers();
    mountRouters([things]);
    const first = things.match('/api/things/7', 'PUT');
    const matchedLayers = first.path.length;
    // What the router does with ctx.matched when a later router matches the same path.
    first.path.push(...things.match('/api/things/7', 'GET').path);
    assert.equal(things.match('/api/things/7', 'PUT').path.length, matchedLayers);
  });
});
