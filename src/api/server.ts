// The HTTP server around the Koa app, with graceful shutdown: stop accepting, let in-flight
// requests finish (bounded), then drop whatever connections remain.
import type Koa from 'koa';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RunningServer {
  server: Server;
  port: number;
  /** Stops accepting, waits up to `timeoutMs` for in-flight requests, then closes everything. */
  close(timeoutMs: number): Promise<{ drained: boolean }>;
}

export async function listen(app: Koa, port: number, host = '0.0.0.0'): Promise<RunningServer> {
  let inFlight = 0;
  let idle: (() => void) | undefined;
  const handle = app.callback();
  const server = createServer((req, res) => {
    inFlight++;
    res.on('close', () => {
      inFlight--;
      if (inFlight === 0) idle?.();
    });
    void handle(req, res);
  });
  // Long solver requests are not served inline, so the defaults only need to cover slow clients.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  return {
    server,
    port: (server.address() as AddressInfo).port,
    async close(timeoutMs) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const drained = await new Promise<boolean>((resolve) => {
        if (inFlight === 0) return resolve(true);
        const timer = setTimeout(() => resolve(false), timeoutMs);
        idle = () => {
          clearTimeout(timer);
          resolve(true);
        };
      });
      server.closeAllConnections();
      await closed;
      return { drained };
    },
  };
}
