// The operations endpoints every instance serves (API and worker alike): /health, /version and
// /metrics. Unprotected by API keys: probes and Prometheus call them.
import Router from '@koa/router';
import { registry } from '../infra/metrics.js';
import { buildInfo } from '../infra/buildInfo.js';

/** One dependency /health checks. A failing `critical` dependency makes /health answer 503. */
export interface HealthCheck {
  name: string;
  critical: boolean;
  check(): Promise<void>;
}

export interface DependencyStatus {
  status: 'ok' | 'failed';
  latency_ms: number;
  error?: string;
}

const CHECK_TIMEOUT_MS = 2000;

async function runCheck(check: HealthCheck): Promise<DependencyStatus> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check.check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return { status: 'ok', latency_ms: Math.round((performance.now() - started) * 10) / 10 };
  } catch (error) {
    const message = (error as Error).message || String(error);
    return { status: 'failed', latency_ms: Math.round(performance.now() - started), error: message.split('\n')[0] };
  } finally {
    clearTimeout(timer);
  }
}

export function opsRouter(checks: HealthCheck[]): Router {
  const router = new Router();

  router.get('/health', async (ctx) => {
    const results = await Promise.all(checks.map(runCheck));
    const dependencies = Object.fromEntries(checks.map((check, i) => [check.name, results[i]]));
    const failing = checks.filter((check, i) => check.critical && results[i].status === 'failed').map((c) => c.name);
    const degraded = checks.filter((check, i) => !check.critical && results[i].status === 'failed').map((c) => c.name);
    ctx.status = failing.length ? 503 : 200;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      status: failing.length ? 'failed' : degraded.length ? 'degraded' : 'ok',
      ...(failing.length ? { failing } : {}),
      ...(degraded.length ? { degraded } : {}),
      dependencies,
    };
  });

  router.get('/version', (ctx) => {
    ctx.body = buildInfo();
  });

  router.get('/metrics', async (ctx) => {
    ctx.type = registry.contentType;
    ctx.body = await registry.metrics();
  });

  return router;
}
