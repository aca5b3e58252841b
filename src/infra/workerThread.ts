// Starts a worker thread on a TypeScript module of this project, whether the project runs
// compiled (dist/*.js) or from source under tsx (*.ts). From source, the thread registers tsx's
// loader itself first: loader hooks registered in the main thread do not reach worker threads.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * `sibling` is the thread module's name without extension, resolved next to `callerUrl` (pass
 * `import.meta.url`), e.g. `startModuleThread(import.meta.url, './solveThreadMain', data)`.
 */
export function startModuleThread(callerUrl: string, sibling: string, workerData: unknown): Worker {
  const fromSource = new URL(callerUrl).pathname.endsWith('.ts');
  const url = new URL(`${sibling}${fromSource ? '.ts' : '.js'}`, callerUrl);
  if (!fromSource) return new Worker(url, { workerData });
  // createRequire, not import.meta.resolve: test runners may load the caller as CommonJS. The ESM
  // build of tsx's register API: its CommonJS build cannot register from an eval'd thread.
  const tsxPackage = createRequire(callerUrl).resolve('tsx/package.json');
  const tsxApi = pathToFileURL(join(dirname(tsxPackage), 'dist/esm/api/index.mjs')).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((api) => { api.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}
