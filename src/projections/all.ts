// Every projection the service runs, in one place: the runner, replay and retention use this list.
import { apiKeysProjection } from './apiKeysProjection.js';
import { dispatchesProjection } from './dispatchesProjection.js';
import type { Projection } from './projection.js';
import type { ReadCache } from './readCache.js';
import { schedulesProjection } from './schedulesProjection.js';
import { serviceOrdersProjection } from './serviceOrdersProjection.js';
import { solveJobsProjection } from './solveJobsProjection.js';

export function allProjections(readCache?: ReadCache): Projection[] {
  return [
    schedulesProjection((refs) => readCache?.invalidate(refs) ?? Promise.resolve()),
    solveJobsProjection(),
    apiKeysProjection(),
    serviceOrdersProjection(),
    dispatchesProjection(),
  ];
}
