// The schedule aggregate as the command handler sees it: codecs, decider and stream naming.
import { ScheduleCommand, ScheduleEvent, ScheduleRejection, streamIdOfSchedule } from '../domain/schedule.js';
import type { Aggregate } from './commandHandler.js';
import { scheduleDecider, type ScheduleState } from './scheduleDecider.js';

export const scheduleAggregate: Aggregate<ScheduleCommand, ScheduleEvent, ScheduleState, ScheduleRejection> = {
  name: 'schedule',
  commandCodec: ScheduleCommand,
  eventCodec: ScheduleEvent,
  rejectionCodec: ScheduleRejection,
  decider: scheduleDecider,
  streamId: (command, context) => streamIdOfSchedule(context.orgId, command.scheduleId),
};
