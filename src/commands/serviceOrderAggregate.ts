// The service-order aggregate as the command handler sees it: codecs, decider and stream naming.
import { ServiceOrderCommand, ServiceOrderEvent, ServiceOrderRejection, streamIdOfServiceOrder } from '../domain/serviceOrders.js';
import type { Aggregate } from './commandHandler.js';
import { serviceOrderDecider, type ServiceOrderState } from './serviceOrderDecider.js';

export const serviceOrderAggregate: Aggregate<ServiceOrderCommand, ServiceOrderEvent, ServiceOrderState, ServiceOrderRejection> = {
  name: 'service-order',
  commandCodec: ServiceOrderCommand,
  eventCodec: ServiceOrderEvent,
  rejectionCodec: ServiceOrderRejection,
  decider: serviceOrderDecider,
  streamId: (command, context) => streamIdOfServiceOrder(context.orgId, command.orderId),
};
