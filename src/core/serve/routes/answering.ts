import type { IncomingMessage } from 'node:http';
import { ROUTING_KEY_HEADER, routesToCanary } from '../canary.js';
import { headerSafe } from '../safeText.js';
import { timed, type Answer, type Reply, type ServerContext, type ServingModel } from './route.js';

/**
 * The model that answers a request: the one a version in its path pins, else the canary for its
 * share of routing keys (the x-modelship-routing-key header, else the request id), else the
 * primary.
 */
export function answeringModel(
  server: ServerContext,
  req: IncomingMessage,
  id: string,
  pinned: ServingModel | undefined,
): ServingModel {
  if (pinned) return pinned;
  if (!server.canary) return server.primary;
  const header = req.headers[ROUTING_KEY_HEADER];
  const key = typeof header === 'string' && header !== '' ? header : id;
  return routesToCanary(key, server.canary.percent) ? server.canary.model : server.primary;
}

/**
 * A 200 answer from `model`: with a canary, headers name the model and version; with a shadow,
 * the same request is queued for it once the answer is written (`logged` is the primary's half
 * of the log line, `onShadow` scores the request on the shadow by the same route).
 */
export function modelAnswer(
  server: ServerContext,
  model: ServingModel,
  answered: {
    route: 'predict' | 'infer';
    id: string;
    rows: number;
    ms: number;
    reply: Reply;
    logged: Record<string, unknown>;
  },
  onShadow: (shadow: ServingModel, deadline: number) => Promise<Record<string, unknown>>,
): Answer {
  const headers = servedByHeaders(server, model);
  const shadow = server.shadow;
  const { route, id, rows, ms } = answered;
  return {
    rows,
    reply: { ...answered.reply, ...(headers ? { headers } : {}) },
    ...(shadow
      ? {
          after: () =>
            shadow.scorer.submit({
              id,
              route,
              rows,
              primary: {
                model: model.name,
                version: model.version,
                sha256: model.loaded().served.sha256,
                provider: model.loaded().served.provider,
                ms,
                body: answered.logged,
              },
              models: { primary: model, shadow: shadow.model },
              score: async () => {
                const { sha256, provider } = shadow.model.loaded().served;
                const scored = await timed(undefined, shadow.model, () =>
                  onShadow(shadow.model, performance.now() + server.requestTimeoutMs),
                );
                return { sha256, provider, ...scored };
              },
            }),
        }
      : {}),
  };
}

/** With a canary, the headers that name the model and version that answered. */
function servedByHeaders(
  server: ServerContext,
  model: ServingModel,
): Record<string, string> | undefined {
  if (!server.canary) return undefined;
  return {
    'x-modelship-model': headerSafe(model.name),
    'x-modelship-model-version': headerSafe(model.version),
  };
}
