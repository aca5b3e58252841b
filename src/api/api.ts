// The /api/v1 surface: the middleware every API request passes (client address, security
// headers, CORS, body parsing, key authentication, rate limits) and the resource routers.
import type Router from '@koa/router';
import type { Middleware } from 'koa';
import type { AppConfig } from '../infra/config.js';
import type { Services } from '../infra/services.js';
import type { ReadCache } from '../projections/readCache.js';
import { requireAdmin } from './middleware/adminAuth.js';
import { authenticate, keyVerifier } from './middleware/apiKeyAuth.js';
import { AddressRanges, clientAddress } from './middleware/clientAddress.js';
import { jsonBody } from './middleware/jsonBody.js';
import { rateLimit } from './middleware/rateLimit.js';
import { saneInput } from './middleware/saneInput.js';
import { cors, securityHeaders } from './middleware/securityHeaders.js';
import { adminKeysRouter } from './routes/adminKeys.js';
import { debugRouter, trackInFlightRequests } from './routes/debug.js';
import { dispatchesRouter } from './routes/dispatches.js';
import { docsRouter } from './routes/docs.js';
import { schedulesRouter } from './routes/schedules.js';
import { serviceOrdersRouter } from './routes/serviceOrders.js';

export interface Api {
  middleware: Middleware[];
  routers: Router[];
}

/** Paths that probes and Prometheus call: never rate limited, never authenticated. */
const OPS_PATHS = new Set(['/health', '/version', '/metrics']);

export function buildApi(services: Services, config: AppConfig, readCache: ReadCache): Api {
  const { security } = config;
  const limiter = rateLimit({
    perKeyPerMinute: config.rate_limit.per_key_per_minute,
    perAddressPerMinute: config.rate_limit.per_ip_per_minute,
    redis: services.redis,
  });
  const limited: Middleware = (ctx, next) => (config.rate_limit.enabled && !OPS_PATHS.has(ctx.path) ? limiter(ctx, next) : next());

  const adminOnly = requireAdmin({ token: security.admin_token, allowed: new AddressRanges(security.admin_allowed_cidrs) });

  const routers = [
    adminKeysRouter(services, adminOnly),
    schedulesRouter({ services, readCache, limits: config.limits }),
    serviceOrdersRouter({ services }),
    dispatchesRouter({ services }),
  ];
  return {
    middleware: [
      // First, so /debug/pprof/goroutine lists every request in flight, even one being refused.
      trackInFlightRequests(),
      clientAddress(new AddressRanges(security.trusted_proxies)),
      saneInput(),
      securityHeaders(),
      cors(security.cors_origins),
      jsonBody(config.limits.body_bytes),
      authenticate(keyVerifier(services.eventStore)),
      limited,
    ],
    // The API reference (/openapi.json, /docs) describes the resource routers; /debug/pprof (admin
    // only) is internal and stays out of it.
    routers: [...routers, debugRouter(adminOnly), docsRouter(routers)],
  };
}
