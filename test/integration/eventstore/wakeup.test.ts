import assert from 'node:assert/strict';
import { IdleBackoff, Wakeup } from '../../../src/infra/eventstore/wakeup.js';

describe('reader waits between empty reads', () => {
  it('re-checks soon after activity, then backs off to the poll interval', () => {
    const backoff = new IdleBackoff(100, 5);
    assert.deepEqual([backoff.next(), backoff.next(), backoff.next(), backoff.next(), backoff.next(), backoff.next()], [5, 10, 20, 40, 80, 100]);
    backoff.reset();
    assert.equal(backoff.next(), 5);
  });

  it('a signal cuts a wait short, and a signal sent before the wait is not lost', async () => {
    const wakeup = new Wakeup();
    const started = Date.now();
    const waiting = wakeup.wait(10_000);
    wakeup.signal();
    assert.equal(await waiting, true);
    assert.ok(Date.now() - started < 1000);
    wakeup.signal();
    assert.equal(await wakeup.wait(10_000), true);
    assert.equal(await wakeup.wait(10), false, 'a timed-out wait reports no signal');
  });
});
