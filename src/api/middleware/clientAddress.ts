// Who is calling, as far as the network can tell: the socket's peer address, or — when that peer
// is a configured trusted proxy — the right-most X-Forwarded-For address not itself a trusted
// proxy. A client cannot spoof its address by sending X-Forwarded-For directly.
import type { Middleware } from 'koa';
import { BlockList, isIP } from 'node:net';

/** Strips the IPv4-mapped IPv6 prefix so `::ffff:10.0.0.1` matches IPv4 ranges. */
export function normaliseAddress(address: string): string {
  const trimmed = address.trim();
  return trimmed.toLowerCase().startsWith('::ffff:') && isIP(trimmed.slice(7)) === 4 ? trimmed.slice(7) : trimmed;
}

/** A set of CIDR ranges (or single addresses) that can tell whether an address is inside. */
export class AddressRanges {
  private readonly list = new BlockList();
  readonly size: number;

  constructor(cidrs: readonly string[]) {
    for (const cidr of cidrs) {
      const [address, prefix] = cidr.split('/');
      const family = isIP(address);
      if (!family) throw new Error(`not an IP address or CIDR range: ${cidr}`);
      const type = family === 4 ? 'ipv4' : 'ipv6';
      if (prefix === undefined) this.list.addAddress(address, type);
      else this.list.addSubnet(address, Number(prefix), type);
    }
    this.size = cidrs.length;
  }

  has(address: string): boolean {
    const normalised = normaliseAddress(address);
    const family = isIP(normalised);
    return family !== 0 && this.list.check(normalised, family === 4 ? 'ipv4' : 'ipv6');
  }
}

declare module 'koa' {
  interface DefaultState {
    clientAddress: string;
  }
}

export function clientAddress(trustedProxies: AddressRanges): Middleware {
  // Returns next() instead of awaiting it: one promise fewer per request.
  return (ctx, next) => {
    let address = normaliseAddress(ctx.socket.remoteAddress ?? '');
    if (trustedProxies.size > 0 && trustedProxies.has(address)) {
      const forwarded = ctx.get('X-Forwarded-For').split(',').map((hop) => normaliseAddress(hop)).filter((hop) => isIP(hop));
      for (let i = forwarded.length - 1; i >= 0; i--) {
        address = forwarded[i];
        if (!trustedProxies.has(address)) break;
      }
    }
    ctx.state.clientAddress = address;
    return next();
  };
}
