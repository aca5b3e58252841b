// The nginx load-balancer example: `nginx -t` accepts it, and a real nginx running it (ports,
// certificate and upstream addresses rewritten to local ones) redirects HTTP to HTTPS, spreads
// requests over the API instances, skips a dead one, passes the client address on, and answers
// 403 for the admin, debug and metrics endpoints to clients outside the internal networks.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../support/process.js';
import { opsPath, requireTools, run } from './opsSupport.js';

const SHIPPED = readFileSync(opsPath('nginx', 'paiban.conf'), 'utf8');

/** A main nginx.conf around the shipped file (it belongs in the http context), all state in `dir`. */
function mainConfig(dir: string, siteFile: string): string {
  return [
    `pid ${dir}/nginx.pid;`,
    `error_log ${dir}/error.log warn;`,
    'events { worker_connections 64; }',
    'http {',
    `  access_log ${dir}/access.log;`,
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `  ${kind}_temp_path ${dir}/tmp-${kind};`),
    `  include ${siteFile};`,
    '}',
  ].join('\n');
}

function selfSignedCertificate(dir: string): { crt: string; key: string } {
  const crt = path.join(dir, 'paiban.crt');
  const key = path.join(dir, 'paiban.key');
  const result = run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', crt, '-days', '1', '-subj', '/CN=paiban.test']);
  assert.equal(result.status, 0, result.output);
  return { crt, key };
}

interface Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(url: string, options: { localAddress?: string } = {}): Promise<Response> {
  const client = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.get(url, { rejectUnauthorized: false, localAddress: options.localAddress, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url}`)));
    req.on('error', reject);
  });
}

describe('ops/nginx/paiban.conf', function () {
  this.timeout(20_000);
  requireTools('nginx', 'openssl');

  let dir: string;
  let certificate: { crt: string; key: string };
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'paiban-nginx-'));
    chmodSync(dir, 0o755); // nginx workers drop to an unprivileged user when started as root
    for (const kind of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(path.join(dir, `tmp-${kind}`));
    certificate = selfSignedCertificate(dir);
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const withCertificate = (conf: string) =>
    conf.replace(/ssl_certificate\s+\S+;/, `ssl_certificate ${certificate.crt};`).replace(/ssl_certificate_key\s+\S+;/, `ssl_certificate_key ${certificate.key};`);

  it('passes `nginx -t` as shipped (only the certificate paths point at a test certificate)', () => {
    const site = path.join(dir, 'as-shipped.conf');
    writeFileSync(site, withCertificate(SHIPPED));
    writeFileSync(path.join(dir, 'nginx-t.conf'), mainConfig(dir, site));
    const result = run('nginx', ['-t', '-p', dir, '-c', path.join(dir, 'nginx-t.conf')]);
    assert.equal(result.status, 0, result.output);
  });

  it('is checked by an `nginx -t` that does reject a broken file', () => {
    const site = path.join(dir, 'broken.conf');
    writeFileSync(site, withCertificate(SHIPPED).replace('least_conn;', 'least_conn'));
    writeFileSync(path.join(dir, 'nginx-broken.conf'), mainConfig(dir, site));
    assert.notEqual(run('nginx', ['-t', '-p', dir, '-c', path.join(dir, 'nginx-broken.conf')]).status, 0);
  });

  describe('running', () => {
    let nginx: ChildProcess | undefined;
    let upstream: http.Server | undefined;
    const seen: { url: string; forwardedFor: string | undefined; proto: string | undefined }[] = [];
    let httpPort: number;
    let httpsPort: number;

    before(async () => {
      const server = http.createServer((req, res) => {
        seen.push({ url: req.url ?? '', forwardedFor: req.headers['x-forwarded-for'] as string | undefined, proto: req.headers['x-forwarded-proto'] as string | undefined });
        res.end(JSON.stringify({ url: req.url }));
      });
      upstream = server;
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const live = (server.address() as AddressInfo).port;
      const dead = await freePort();
      [httpPort, httpsPort] = [await freePort(), await freePort()];
      // Local ports for the listeners; the first upstream is the live stub, the others a port
      // nobody listens on (a crashed instance).
      let index = 0;
      const site = withCertificate(SHIPPED)
        .replace(/^\s*listen \[::\].*$/gm, '')
        .replace(/listen 80;/, `listen 127.0.0.1:${httpPort};`)
        .replace(/listen 443 /, `listen 127.0.0.1:${httpsPort} `)
        .replace(/server \d+\.\d+\.\d+\.\d+:7012/g, () => `server 127.0.0.1:${index++ === 0 ? live : dead}`);
      assert.equal(index, 3, 'the example lists three API instances');
      writeFileSync(path.join(dir, 'running.conf'), site);
      writeFileSync(path.join(dir, 'nginx-running.conf'), mainConfig(dir, path.join(dir, 'running.conf')));
      nginx = spawn('nginx', ['-p', dir, '-c', path.join(dir, 'nginx-running.conf'), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      nginx.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      for (let attempt = 0; ; attempt++) {
        try {
          await request(`http://127.0.0.1:${httpPort}/`);
          break;
        } catch (error) {
          if (attempt > 50 || nginx.exitCode !== null) throw new Error(`nginx did not start: ${stderr || (error as Error).message}`, { cause: error });
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    });

    after(async () => {
      if (nginx && nginx.exitCode === null) {
        const exited = new Promise((resolve) => nginx!.once('exit', resolve));
        nginx.kill('SIGQUIT');
        await exited;
      }
      const server = upstream;
      if (server) await new Promise((resolve) => server.close(resolve));
    });

    it('redirects plain HTTP to HTTPS', async () => {
      const response = await request(`http://127.0.0.1:${httpPort}/api/v1/schedules?x=1`);
      assert.equal(response.status, 301);
      assert.match(String(response.headers.location), /^https:\/\/[^/]+\/api\/v1\/schedules\?x=1$/);
    });

    it('proxies API requests over HTTPS to a live instance, skipping dead ones, with the client address', async () => {
      for (let i = 0; i < 6; i++) {
        const response = await request(`https://127.0.0.1:${httpsPort}/api/v1/schedules/${i}`);
        assert.equal(response.status, 200, `request ${i}: ${response.body}`);
        assert.deepEqual(JSON.parse(response.body), { url: `/api/v1/schedules/${i}` });
      }
      const last = seen.at(-1);
      assert.equal(last?.forwardedFor, '127.0.0.1');
      assert.equal(last?.proto, 'https');
    });

    it('serves admin, debug and metrics endpoints to internal clients only', async () => {
      // 127.0.0.2 is loopback too, but not in the allow lists: it stands for an outside client.
      const outside = { localAddress: '127.0.0.2' };
      for (const endpoint of ['/api/v1/admin/keys', '/debug/pprof/heap', '/metrics']) {
        assert.equal((await request(`https://127.0.0.1:${httpsPort}${endpoint}`, outside)).status, 403, `${endpoint} from outside`);
        assert.equal((await request(`https://127.0.0.1:${httpsPort}${endpoint}`)).status, 200, `${endpoint} from inside`);
      }
      assert.equal((await request(`https://127.0.0.1:${httpsPort}/api/v1/schedules`, outside)).status, 200, 'the public API stays open');
    });
  });
});
