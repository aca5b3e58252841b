// Reading request bodies: a size limit enforced while reading (413 before the rest arrives), 415
// for other media types, 400 for malformed or too deeply nested JSON, as problem+json.
import assert from 'node:assert/strict';
import Koa from 'koa';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { jsonBody, jsonDepth, MAX_JSON_DEPTH } from '../../../src/api/middleware/jsonBody.js';
import { problems } from '../../../src/api/middleware/problems.js';
import { rawExchange } from '../../support/fuzzRoutes.js';

const LIMIT = 4096;

describe('JSON body reader', () => {
  let server: http.Server;
  let port: number;
  let seen: unknown[] = [];

  before(async () => {
    const app = new Koa();
    app.silent = true;
    app.use(problems());
    app.use(jsonBody(LIMIT));
    app.use((ctx) => {
      seen.push(ctx.request.body);
      ctx.body = { ok: true };
    });
    server = http.createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => (seen = []));

  const post = (body: string, contentType = 'application/json') =>
    fetch(`http://127.0.0.1:${port}/x`, { method: 'POST', headers: { 'Content-Type': contentType }, body });

  it('passes a JSON body within the limit to the route', async () => {
    const answer = await post('{"a":[1,2,{"b":"]]]"}]}');
    assert.equal(answer.status, 200);
    assert.deepEqual(seen, [{ a: [1, 2, { b: ']]]' }] }]);
  });

  it('accepts the operations guide\u2019s `curl -d \'{…}\'` (JSON labelled as a form), but not a real form', async () => {
    assert.equal((await post('{"name":"客户A"}', 'application/x-www-form-urlencoded')).status, 200);
    assert.deepEqual(seen, [{ name: '客户A' }]);
    const form = await post('name=x&scopes=schedule', 'application/x-www-form-urlencoded');
    assert.equal(form.status, 415);
  });

  it('answers 413 for a declared Content-Length over the limit before the body is sent', async () => {
    const { statusLine, bytesSent } = await rawExchange(
      port,
      `POST /x HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${100 * 1024 * 1024}\r\n\r\n`,
      Array.from({ length: 200 }, () => 'x'.repeat(1024)),
    );
    assert.match(statusLine, / 413 /);
    assert.ok(bytesSent < 100 * 1024, `answered after ${bytesSent} of 100 MiB`);
  });

  it('answers 413 (an answer, not a reset connection) for a chunked body that grows past the limit', async () => {
    const { statusLine, bytesSent } = await rawExchange(
      port,
      'POST /x HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
      Array.from({ length: 2000 }, () => `400\r\n${'x'.repeat(1024)}\r\n`),
    );
    assert.match(statusLine, / 413 /);
    assert.ok(bytesSent < 64 * 1024, `stopped reading after ${bytesSent} bytes (limit ${LIMIT})`);
  });

  it('answers 415 for other media types, 400 for malformed JSON, 400 for nesting past the maximum', async () => {
    assert.equal((await post('{"a":1}', 'text/plain')).status, 415);
    const malformed = await post('{"a":');
    assert.equal(malformed.status, 400);
    assert.match(malformed.headers.get('content-type') ?? '', /^application\/problem\+json/);
    const body = (await malformed.json()) as { type: string; detail: string };
    assert.equal(body.type, 'https://paiban.dev/problems/malformed-json');
    assert.doesNotMatch(body.detail, /\n\s+at /, 'no stack trace');
    const deep = await post('['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1));
    assert.equal(deep.status, 400);
    assert.equal(((await deep.json()) as { type: string }).type, 'https://paiban.dev/problems/too-deep');
    assert.equal((await post('['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH))).status, 200, 'exactly the maximum is fine');
    assert.equal(seen.length, 1, 'only the acceptable body reached the route');
  });

  it('measures nesting outside strings only', () => {
    assert.equal(jsonDepth('{"a":"[[[[{{{{","b":[{"c":"\\"[["}]}'), 3);
    assert.equal(jsonDepth('1'), 0);
    assert.equal(jsonDepth('[[],[[]]]'), 3);
  });
});
