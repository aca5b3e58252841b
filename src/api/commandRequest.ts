// From an HTTP request to a command's context, and from a command's outcome to an HTTP answer.
import type { Context } from 'koa';
import { randomUUID } from 'node:crypto';
import type { CommandContext, CommandOutcome } from '../commands/commandHandler.js';
import { HttpProblem, invalidInput } from './problem.js';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,200}$/;

/** `If-Match: "7"` (or `7`, or `W/"7"`) → 7; absent → undefined; anything else → 400. */
export function expectedVersionOf(ctx: Context): number | undefined {
  const header = ctx.get('If-Match').trim();
  if (!header) return undefined;
  const match = /^(?:W\/)?"?(\d+)"?$/.exec(header);
  if (!match) throw new HttpProblem(400, 'bad-if-match', 'If-Match must be the ETag of the resource, e.g. "7".');
  return Number(match[1]);
}

export function idempotencyKeyOf(ctx: Context): string | undefined {
  const key = ctx.get('Idempotency-Key').trim();
  if (!key) return undefined;
  if (!IDEMPOTENCY_KEY.test(key)) throw new HttpProblem(400, 'bad-idempotency-key', 'Idempotency-Key must be 1-200 characters of letters, digits and . _ : -');
  return key;
}

/** Who, in which org, when: the context every command of this request carries. */
export function commandContextOf(ctx: Context, orgId: string, options: { expectedVersion?: boolean } = {}): CommandContext {
  return {
    commandId: randomUUID(),
    orgId,
    actorKeyId: ctx.state.actor ?? 'anonymous',
    occurredAt: new Date().toISOString(),
    correlationId: ctx.state.requestId,
    idempotencyKey: idempotencyKeyOf(ctx),
    expectedVersion: options.expectedVersion === false ? undefined : expectedVersionOf(ctx),
  };
}

export const etagOf = (version: number): string => `"${version}"`;

export interface RejectionLike {
  code: string;
  message: string;
  [detail: string]: unknown;
}

/** The status each kind of refusal answers with. */
const REJECTION_STATUS: Record<string, number> = {
  'not-found': 404,
  'already-exists': 409,
  'wrong-state': 409,
  'stale-generation': 409,
  'breaks-hard-rules': 409,
  'not-assigned': 409,
  'already-revoked': 409,
  'unknown-reference': 422,
};

/**
 * Throws the problem for any outcome but `accepted`, and returns the accepted one. The stream's
 * version becomes the ETag either way.
 */
export function acceptedOrThrow<Event, Rejection extends RejectionLike>(
  ctx: Context,
  outcome: CommandOutcome<Event, Rejection>,
): Extract<CommandOutcome<Event, Rejection>, { kind: 'accepted' }> {
  switch (outcome.kind) {
    case 'accepted':
      ctx.set('ETag', etagOf(outcome.version));
      if (outcome.replayed) ctx.set('Idempotent-Replayed', 'true');
      return outcome;
    case 'invalid':
      throw invalidInput([...outcome.errors]);
    case 'conflict':
      throw new HttpProblem(412, 'version-conflict', `The resource is at version ${outcome.actualVersion}, not ${outcome.expectedVersion}; reload it and retry.`, {
        current_version: outcome.actualVersion,
      });
    case 'key_reused':
      throw new HttpProblem(422, 'idempotency-key-reused', `Idempotency-Key "${outcome.idempotencyKey}" was already used for a different request.`);
    case 'rejected': {
      const { code, message, ...details } = outcome.rejection;
      if (outcome.version > 0) ctx.set('ETag', etagOf(outcome.version));
      throw new HttpProblem(REJECTION_STATUS[code] ?? 409, code, message, details);
    }
    default: {
      const unknown: never = outcome;
      return unknown;
    }
  }
}
