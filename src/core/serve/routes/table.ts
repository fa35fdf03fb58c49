import { healthLive, healthReady } from './health.js';
import { inferRoute } from './infer.js';
import { serverMetadata } from './metadata.js';
import { metricsRoute } from './metrics.js';
import { modelMetadataRoute } from './modelMetadata.js';
import { modelReady } from './modelReady.js';
import { predictRoute } from './predict.js';
import type { Route } from './route.js';

/** Every route of the server; a path matches at most one. */
export const ROUTES: readonly Route[] = [
  healthLive,
  healthReady,
  serverMetadata,
  metricsRoute,
  predictRoute,
  modelMetadataRoute,
  modelReady,
  inferRoute,
];

/** The route serving `path` and the parameters it found, or undefined (404). */
export function findRoute(
  path: string,
): { route: Route; params: Record<string, string> } | undefined {
  for (const route of ROUTES) {
    const params = route.match(path);
    if (params) return { route, params };
  }
  return undefined;
}
