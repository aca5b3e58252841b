// Browser-facing headers: nosniff, no framing, no referrer, a locked-down CSP on every answer
// (errors included); CORS off unless origins are configured, and then only for those origins.
import assert from 'node:assert/strict';
import Koa from 'koa';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { problems } from '../../../src/api/middleware/problems.js';
import { cors, securityHeaders } from '../../../src/api/middleware/securityHeaders.js';
import { HttpProblem } from '../../../src/api/problem.js';

async function serve(origins: string[]): Promise<{ url: string; close(): Promise<void> }> {
  const app = new Koa();
  app.silent = true;
  app.use(problems());
  app.use(securityHeaders());
  app.use(cors(origins));
  app.use((ctx) => {
    if (ctx.path === '/fail') throw new HttpProblem(401, 'unauthorized', 'no');
    ctx.body = { ok: true };
  });
  const server = http.createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const preflight = (origin: string, headers = 'authorization, content-type') => ({
  method: 'OPTIONS',
  headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': headers },
});

describe('security headers and CORS', () => {
  it('sets the security headers on successes and on errors alike', async () => {
    const app = await serve([]);
    try {
      for (const path of ['/ok', '/fail']) {
        const answer = await fetch(app.url + path);
        assert.equal(answer.headers.get('x-content-type-options'), 'nosniff', path);
        assert.equal(answer.headers.get('x-frame-options'), 'DENY', path);
        assert.equal(answer.headers.get('referrer-policy'), 'no-referrer', path);
        assert.match(answer.headers.get('content-security-policy') ?? '', /default-src 'none'/, path);
      }
    } finally {
      await app.close();
    }
  });

  it('is CORS-silent by default: no Access-Control-* header for any origin, preflight included', async () => {
    const app = await serve([]);
    try {
      const simple = await fetch(`${app.url}/ok`, { headers: { Origin: 'https://evil.example' } });
      assert.equal(simple.headers.get('access-control-allow-origin'), null);
      const pre = await fetch(`${app.url}/ok`, preflight('https://evil.example'));
      assert.equal(pre.headers.get('access-control-allow-origin'), null);
      assert.equal(pre.headers.get('access-control-allow-methods'), null);
    } finally {
      await app.close();
    }
  });

  it('answers preflight for a configured origin only, and exposes the headers clients need', async () => {
    const app = await serve(['https://planner.example']);
    try {
      const pre = await fetch(`${app.url}/ok`, preflight('https://planner.example'));
      assert.equal(pre.status, 204);
      assert.equal(pre.headers.get('access-control-allow-origin'), 'https://planner.example');
      assert.match(pre.headers.get('access-control-allow-methods') ?? '', /POST/);
      assert.match(pre.headers.get('access-control-allow-headers') ?? '', /Authorization/i);
      assert.match(pre.headers.get('vary') ?? '', /Origin/);
      const simple = await fetch(`${app.url}/ok`, { headers: { Origin: 'https://planner.example' } });
      assert.equal(simple.headers.get('access-control-allow-origin'), 'https://planner.example');
      assert.match(simple.headers.get('access-control-expose-headers') ?? '', /ETag/);
      const other = await fetch(`${app.url}/ok`, preflight('https://planner.example.evil.test'));
      assert.equal(other.headers.get('access-control-allow-origin'), null, 'no prefix or suffix matching');
    } finally {
      await app.close();
    }
  });

  it('lets a browser send the API key as X-API-Key (a header the API accepts) through preflight', async () => {
    const app = await serve(['https://planner.example']);
    try {
      const pre = await fetch(`${app.url}/ok`, preflight('https://planner.example', 'x-api-key'));
      const allowed = (pre.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(/\s*,\s*/);
      assert.ok(allowed.includes('x-api-key'), `Access-Control-Allow-Headers: ${allowed.join(', ')}`);
    } finally {
      await app.close();
    }
  });
});
