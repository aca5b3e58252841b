// Who the client is: X-Forwarded-For is believed only from configured trusted proxies, and then
// only up to the first hop that is not itself a trusted proxy (a client cannot prepend its way in).
import assert from 'node:assert/strict';
import type { Context, Next } from 'koa';
import { AddressRanges, clientAddress, normaliseAddress } from '../../../src/api/middleware/clientAddress.js';

/** Runs the middleware on a minimal context and returns the address it settled on. */
async function addressOf(trusted: string[], peer: string, forwardedFor = ''): Promise<string> {
  const ctx = {
    socket: { remoteAddress: peer },
    state: {} as { clientAddress?: string },
    get: (name: string) => (name.toLowerCase() === 'x-forwarded-for' ? forwardedFor : ''),
  };
  let reached = false;
  await clientAddress(new AddressRanges(trusted))(ctx as unknown as Context, (async () => void (reached = true)) as Next);
  assert.ok(reached, 'the middleware passes the request on');
  return ctx.state.clientAddress!;
}

describe('client address', () => {
  it('matches CIDR ranges and single addresses, IPv4 and IPv6, and IPv4-mapped IPv6', () => {
    const ranges = new AddressRanges(['10.0.0.0/8', '192.168.1.7', '::1/128', 'fc00::/7']);
    assert.ok(ranges.has('10.200.3.4'));
    assert.ok(ranges.has('::ffff:10.1.1.1'), 'IPv4-mapped IPv6 is the IPv4 address');
    assert.ok(ranges.has('192.168.1.7'));
    assert.ok(!ranges.has('192.168.1.8'));
    assert.ok(ranges.has('::1'));
    assert.ok(ranges.has('fd12::5'));
    assert.ok(!ranges.has('11.0.0.1'));
    assert.ok(!ranges.has('not-an-address'), 'garbage is in no range');
    assert.ok(!ranges.has(''), 'an unknown peer is in no range');
  });

  it('refuses a malformed range at start-up rather than ignoring it', () => {
    assert.throws(() => new AddressRanges(['10.0.0.0/8', 'intranet']), /intranet/);
  });

  it('normalises IPv4-mapped IPv6 and leaves real IPv6 alone', () => {
    assert.equal(normaliseAddress('::ffff:127.0.0.1'), '127.0.0.1');
    assert.equal(normaliseAddress(' ::FFFF:10.0.0.1 '), '10.0.0.1');
    assert.equal(normaliseAddress('::1'), '::1');
  });

  it('ignores X-Forwarded-For when no proxy is trusted (a client cannot claim an address)', async () => {
    assert.equal(await addressOf([], '203.0.113.5', '10.0.0.1'), '203.0.113.5');
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    assert.equal(await addressOf(['10.0.0.0/8'], '203.0.113.5', '10.0.0.1, 127.0.0.1'), '203.0.113.5');
  });

  it('believes a trusted proxy: the right-most hop that is not itself a trusted proxy', async () => {
    // The client sent "X-Forwarded-For: 10.9.9.9" itself (spoofed); nginx appended the real peer.
    assert.equal(await addressOf(['127.0.0.1/32'], '127.0.0.1', '10.9.9.9, 198.51.100.7'), '198.51.100.7');
    // Two proxies of ours in a row are skipped.
    assert.equal(await addressOf(['127.0.0.1/32', '10.0.0.0/8'], '::ffff:127.0.0.1', '198.51.100.7, 10.0.0.3'), '198.51.100.7');
  });

  it('skips garbage hops and keeps the peer when X-Forwarded-For says nothing usable', async () => {
    assert.equal(await addressOf(['127.0.0.1/32'], '127.0.0.1', ''), '127.0.0.1');
    assert.equal(await addressOf(['127.0.0.1/32'], '127.0.0.1', 'unknown, <script>'), '127.0.0.1');
    assert.equal(await addressOf(['127.0.0.1/32'], '127.0.0.1', '198.51.100.7, bogus'), '198.51.100.7');
  });
});
