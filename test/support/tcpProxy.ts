// A TCP proxy in front of a real server (PostgreSQL, Redis) that a test can cut and restore, to
// make the server unreachable for one process without stopping it for everyone else.
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export class TcpProxy {
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(
    private readonly target: { host: string; port: number },
    /** Delay added before each chunk is forwarded to the server (ms), to keep requests in flight. */
    public delayMs = 0,
  ) {}

  /** Starts (or restarts, on the same port) accepting connections. */
  async start(): Promise<number> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      this.sockets.add(client).add(upstream);
      const forget = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('data', (chunk) => {
        if (this.delayMs) setTimeout(() => upstream.write(chunk), this.delayMs);
        else upstream.write(chunk);
      });
      upstream.pipe(client);
      client.on('error', forget).on('close', forget);
      upstream.on('error', forget).on('close', forget);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  /** Cuts every connection and refuses new ones. */
  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }
}
