// given(events).when(command).then(events | refusal) for the service order's business rules.
import assert from 'node:assert/strict';
import { isLeft } from 'fp-ts/lib/Either.js';
import { fold } from '../../../src/commands/decider.js';
import { serviceOrderDecider } from '../../../src/commands/serviceOrderDecider.js';
import { ServiceOrderCommand, type ServiceOrderEvent, type ServiceOrderRejection } from '../../../src/domain/serviceOrders.js';

const order = { location: { x: 1, y: 2 }, timeWindows: [{ start: 60, end: 120 }], serviceDuration: 30, requiredSkills: ['gas'], priority: 2 };

function given(...history: ServiceOrderEvent[]) {
  const state = fold(serviceOrderDecider, history);
  return {
    when(input: Record<string, unknown>) {
      const decoded = ServiceOrderCommand.decode({ orderId: 'o1', ...input });
      if (isLeft(decoded)) throw new Error(`test command does not decode: ${JSON.stringify(input)}`);
      const decision = serviceOrderDecider.decide(decoded.right, state);
      return {
        then(...expected: ServiceOrderEvent[]) {
          assert.ok(decision.ok, `expected events, got refusal ${decision.ok ? '' : JSON.stringify(decision.rejection)}`);
          assert.deepEqual(decision.events, expected);
        },
        refused(code: ServiceOrderRejection['code']) {
          assert.ok(!decision.ok, `expected refusal ${code}, got ${JSON.stringify(decision.ok && decision.events)}`);
          assert.equal(decision.rejection.code, code, decision.rejection.message);
        },
      };
    },
  };
}

const created: ServiceOrderEvent = { type: 'ServiceOrderCreated', orderId: 'o1', order };

describe('service order decider', () => {
  it('creates an order once', () => {
    given().when({ type: 'CreateServiceOrder', order }).then(created);
    given(created).when({ type: 'CreateServiceOrder', order }).refused('already-exists');
  });

  it('refuses changes to an order that does not exist', () => {
    given().when({ type: 'UpdateServiceOrder', changes: { priority: 5 } }).refused('not-found');
    given().when({ type: 'CancelServiceOrder', reason: '' }).refused('not-found');
    given().when({ type: 'CompleteServiceOrder' }).refused('not-found');
  });

  it('an update carries the whole order after the change, other fields kept', () => {
    given(created)
      .when({ type: 'UpdateServiceOrder', changes: { priority: 9, timeWindows: [{ start: 0, end: 30 }] } })
      .then({ type: 'ServiceOrderUpdated', orderId: 'o1', order: { ...order, priority: 9, timeWindows: [{ start: 0, end: 30 }] } });
  });

  it('cancelled and completed are final', () => {
    const cancelled: ServiceOrderEvent = { type: 'ServiceOrderCancelled', orderId: 'o1', reason: 'customer away' };
    given(created).when({ type: 'CancelServiceOrder', reason: 'customer away' }).then(cancelled);
    given(created).when({ type: 'CompleteServiceOrder' }).then({ type: 'ServiceOrderCompleted', orderId: 'o1' });
    given(created, cancelled).when({ type: 'CompleteServiceOrder' }).refused('wrong-state');
    given(created, cancelled).when({ type: 'UpdateServiceOrder', changes: { priority: 3 } }).refused('wrong-state');
    given(created, { type: 'ServiceOrderCompleted', orderId: 'o1' }).when({ type: 'CancelServiceOrder', reason: '' }).refused('wrong-state');
  });
});
