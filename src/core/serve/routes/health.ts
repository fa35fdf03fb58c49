import { exactPath, type Route } from './route.js';

/** GET /v2/health/live: the process answers. */
export const healthLive: Route = {
  name: 'health_live',
  method: 'GET',
  match: exactPath('/v2/health/live'),
  handle: () => ({ reply: { status: 200, body: { live: true } } }),
};

/** GET /v2/health/ready: 200 once the model is loaded, 503 before and while closing. */
export const healthReady: Route = {
  name: 'health_ready',
  method: 'GET',
  match: exactPath('/v2/health/ready'),
  handle: (_request, server) => {
    const ready = server.isReady();
    return { reply: { status: ready ? 200 : 503, body: { ready } } };
  },
};
