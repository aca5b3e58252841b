// The Koa application: request context (id, access log, metrics), problem+json errors, the
// operations endpoints, and whatever resource routers the caller mounts.
import Koa, { type Middleware } from 'koa';
import type Router from '@koa/router';
import type { Logger } from '../infra/logger.js';
import { requestContext } from './middleware/requestContext.js';
import { problems } from './middleware/problems.js';
import { opsRouter, type HealthCheck } from './opsRoutes.js';

export interface AppOptions {
  logger: Logger;
  checks: HealthCheck[];
  /** Runs for every request after the request context and error handling, before routing. */
  middleware?: Middleware[];
  /** Resource routers (the /api/v1 ones); a known path asked with another method answers 405. */
  routers?: Router[];
}

export function createApp(options: AppOptions): Koa {
  const app = new Koa();
  app.proxy = false;
  // Koa logs errors to stderr by default; ours are logged (once, as JSON) by the problems middleware.
  app.silent = true;
  app.use(requestContext(options.logger));
  app.use(problems());
  for (const middleware of options.middleware ?? []) app.use(middleware);
  for (const router of [opsRouter(options.checks), ...(options.routers ?? [])]) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  return app;
}
