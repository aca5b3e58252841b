// A tiny aggregate for testing the generic command machinery: a tip jar that must be opened before
// it takes tips, and holds at most 100.
import * as t from 'io-ts';
import { accept, reject, type Decider } from '../../../src/commands/decider.js';
import type { Aggregate } from '../../../src/commands/commandHandler.js';

export const TipJarCommand = t.union([
  t.type({ type: t.literal('OpenJar'), jarId: t.string, owner: t.string }),
  t.type({ type: t.literal('AddTip'), jarId: t.string, amount: t.number }),
]);
export type TipJarCommand = t.TypeOf<typeof TipJarCommand>;

export const TipJarEvent = t.union([
  t.type({ type: t.literal('JarOpened'), owner: t.string }),
  t.type({ type: t.literal('TipAdded'), amount: t.number }),
]);
export type TipJarEvent = t.TypeOf<typeof TipJarEvent>;

export const TipJarRejection = t.type({ code: t.keyof({ already_open: null, not_open: null, jar_full: null }) });
export type TipJarRejection = t.TypeOf<typeof TipJarRejection>;

export interface TipJar {
  open: boolean;
  total: number;
}

export const tipJarDecider: Decider<TipJarCommand, TipJarEvent, TipJar, TipJarRejection> = {
  initialState: { open: false, total: 0 },
  evolve(state, event) {
    switch (event.type) {
      case 'JarOpened':
        return { ...state, open: true };
      case 'TipAdded':
        return { ...state, total: state.total + event.amount };
      default: {
        const unexpected: never = event;
        return unexpected;
      }
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'OpenJar':
        return state.open ? reject({ code: 'already_open' }) : accept({ type: 'JarOpened', owner: command.owner });
      case 'AddTip':
        if (!state.open) return reject({ code: 'not_open' });
        if (state.total + command.amount > 100) return reject({ code: 'jar_full' });
        return accept({ type: 'TipAdded', amount: command.amount });
      default: {
        const unexpected: never = command;
        return unexpected;
      }
    }
  },
};

export const tipJar: Aggregate<TipJarCommand, TipJarEvent, TipJar, TipJarRejection> = {
  name: 'tipjar',
  commandCodec: TipJarCommand,
  eventCodec: TipJarEvent,
  rejectionCodec: TipJarRejection,
  decider: tipJarDecider,
  streamId: (command, context) => `tipjar-${context.orgId}-${command.jarId}`,
};
