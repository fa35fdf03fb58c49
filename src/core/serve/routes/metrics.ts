import { exactPath, type Route } from './route.js';

/** GET /metrics: Prometheus text. */
export const metricsRoute: Route = {
  name: 'metrics',
  method: 'GET',
  match: exactPath('/metrics'),
  handle: (_request, server) => ({
    reply: {
      status: 200,
      body: server.metrics.render(),
      contentType: 'text/plain; version=0.0.4; charset=utf-8',
    },
  }),
};
