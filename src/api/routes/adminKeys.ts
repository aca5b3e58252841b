// /api/v1/admin/keys: issue (the secret is shown once), list (never secrets), revoke (effective on
// every instance within a second). Admin token and allowed networks only.
import Router from '@koa/router';
import type { Middleware } from 'koa';
import { isLeft } from 'fp-ts/lib/Either.js';
import { randomBytes } from 'node:crypto';
import { handleCommand } from '../../commands/commandHandler.js';
import { apiKeyAggregate } from '../../commands/apiKeyDecider.js';
import { DEFAULT_ORG, IssueKeyBody, streamIdOfKey } from '../../domain/apiKeys.js';
import type { Services } from '../../infra/services.js';
import { acceptedOrThrow, commandContextOf } from '../commandRequest.js';
import { formatKey, hashSecret } from '../middleware/apiKeyAuth.js';
import { formatErrors } from '../../domain/fieldErrors.js';
import { HttpProblem, invalidInput } from '../problem.js';

const LIST_KEYS = `
  SELECT key_id, org_id, name, scopes, created_at, created_by, expires_at, revoked_at, revoked_by
    FROM api_keys WHERE ($1::text IS NULL OR org_id = $1) ORDER BY created_at, key_id LIMIT 1000`;

const KEY_ID = /^[0-9a-f]{16}$/;

export function adminKeysRouter(services: Pick<Services, 'database' | 'eventStore' | 'commands'>, guard: Middleware): Router {
  const router = new Router({ prefix: '/api/v1/admin' });
  router.use(guard);
  const { commands } = services;

  router.post('/keys', async (ctx) => {
    const body = IssueKeyBody.decode(ctx.request.body ?? {});
    if (isLeft(body)) throw invalidInput(formatErrors(body.left));
    const { name, scopes, org_id: orgId = DEFAULT_ORG, expires_at: expiresAt } = body.right;
    if (expiresAt && Date.parse(expiresAt) <= Date.now()) throw invalidInput([{ path: 'expires_at', message: 'must be in the future' }]);
    const keyId = randomBytes(8).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const context = { ...commandContextOf(ctx, orgId, { expectedVersion: false }), idempotencyKey: undefined };
    const command = { type: 'IssueApiKey' as const, keyId, orgId, name: name.trim(), scopes, secretHash: hashSecret(secret), expiresAt: expiresAt ?? null };
    acceptedOrThrow(ctx, await handleCommand(commands, apiKeyAggregate, command, context));
    ctx.status = 201;
    ctx.set('Location', `/api/v1/admin/keys/${keyId}`);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      key_id: keyId,
      org_id: orgId,
      name: command.name,
      scopes,
      expires_at: command.expiresAt,
      created_at: context.occurredAt,
      // Shown once: only a hash is stored.
      secret: formatKey(keyId, secret),
    };
  });

  router.get('/keys', async (ctx) => {
    const org = typeof ctx.query.org_id === 'string' ? ctx.query.org_id : null;
    const { rows } = await services.database.query(LIST_KEYS, [org]);
    ctx.body = { keys: rows };
  });

  router.delete('/keys/:keyId', async (ctx) => {
    const { keyId } = ctx.params;
    if (!KEY_ID.test(keyId)) throw new HttpProblem(404, 'not-found', `No key ${keyId}.`);
    // The revocation is recorded under the key's own org (unknown keys: the default org).
    const [issued] = await services.eventStore.readStream(streamIdOfKey(keyId), { toVersion: 1 });
    const orgId = typeof issued?.data.orgId === 'string' ? issued.data.orgId : DEFAULT_ORG;
    const context = commandContextOf(ctx, orgId, { expectedVersion: false });
    acceptedOrThrow(ctx, await handleCommand(commands, apiKeyAggregate, { type: 'RevokeApiKey', keyId }, context));
    ctx.status = 204;
  });

  return router;
}
