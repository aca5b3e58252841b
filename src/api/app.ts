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
  // The operations paths share no prefix with the resource routers, so their router goes last:
  // an API request is answered before reaching it.
  app.use(mountRouters([...(options.routers ?? []), opsRouter(options.checks)]));
  return app;
}

/**
 * The routers' middleware, each router's routes followed by its allowedMethods (405/501 with
 * Allow), as `app.use(router.routes()); app.use(router.allowedMethods())` in turn would mount them,
 * except that a router with a prefix is skipped for paths outside it: none of its routes could
 * match, so running it would only cost time. Paths are compared ignoring case, as the routes do.
 */
export function mountRouters(routers: readonly Router[]): Middleware {
  const mounted = routers.map((router) => {
    rememberMatches(router);
    const routes = router.routes() as Middleware;
    const allowedMethods = router.allowedMethods() as Middleware;
    return { covers: coverage(router), run: ((ctx, next) => routes(ctx, () => allowedMethods(ctx, next))) as Middleware };
  });
  return (ctx, next) => {
    const path = ctx.path;
    const from = (index: number): Promise<unknown> => {
      for (let i = index; i < mounted.length; i++) {
        if (!mounted[i].covers(path)) continue;
        // As koa-compose does: a synchronous throw becomes a rejection.
        try {
          return Promise.resolve(mounted[i].run(ctx, () => from(i + 1)));
        } catch (error) {
          return Promise.reject(error as Error);
        }
      }
      return next();
    };
    return from(0);
  };
}

/** Longest path whose match is remembered, and how many are remembered per router. */
const REMEMBERED_PATH_LENGTH = 256;
const REMEMBERED_MATCHES = 1000;

/**
 * Makes a router remember its recent matches by method and path. @koa/router tests the path
 * against the regular expression of every route on each request (seventeen for the schedules),
 * and clients polling a resource ask for the same path over and over. The routes do not change
 * once mounted, so a remembered match stays right.
 */
function rememberMatches(router: Router): void {
  const match = router.match.bind(router);
  const remembered = new Map<string, ReturnType<Router['match']>>();
  router.match = (path, method) => {
    if (path.length > REMEMBERED_PATH_LENGTH) return match(path, method);
    const key = `${method} ${path}`;
    let result = remembered.get(key);
    if (!result) {
      result = match(path, method);
      if (remembered.size >= REMEMBERED_MATCHES) remembered.delete(remembered.keys().next().value as string);
      remembered.set(key, result);
    }
    // A list of its own: the router appends later routers' matches to it (ctx.matched).
    return { ...result, path: [...result.path] };
  };
}

/** Which paths a router may answer: under its prefix, or any when a route could lie outside it. */
function coverage(router: Router): (path: string) => boolean {
  // The prefix's literal part: a parameter (`/orgs/:org`) or other pattern syntax matches more.
  const literal = (router.opts.prefix ?? '').split(/[:*?+!(){}[\]\\]/)[0].toLowerCase();
  // A prefix applies to every string route; a RegExp route is not prefixed and may match anything.
  // A router told to match another path than ctx.path (routerPath) is always run.
  const allUnder = literal !== '' && router.opts.routerPath === undefined && router.stack.every((layer) => typeof layer.path === 'string' && layer.path.toLowerCase().startsWith(literal));
  if (!allUnder) return () => true;
  const under = new RegExp(`^${literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'i');
  return (path) => under.test(path);
}
