// The dispatch aggregate as the command handler sees it: codecs, decider and stream naming.
import { DispatchCommand, DispatchEvent, DispatchRejection, streamIdOfDispatch } from '../domain/dispatchService.js';
import type { Aggregate } from './commandHandler.js';
import { dispatchDecider, type DispatchState } from './dispatchDecider.js';

export const dispatchAggregate: Aggregate<DispatchCommand, DispatchEvent, DispatchState, DispatchRejection> = {
  name: 'dispatch',
  commandCodec: DispatchCommand,
  eventCodec: DispatchEvent,
  rejectionCodec: DispatchRejection,
  decider: dispatchDecider,
  streamId: (command, context) => streamIdOfDispatch(context.orgId, command.dispatchId),
};
