import { checkModelPath, modelPath, type Route } from './route.js';

/** GET /v2/models/{m}[/versions/{v}]/ready. */
export const modelReady: Route = {
  name: 'model_ready',
  method: 'GET',
  match: modelPath('/ready'),
  handle: ({ params }, server) => {
    checkModelPath(params, server);
    const ready = server.isReady();
    return { reply: { status: ready ? 200 : 503, body: { name: server.name, ready } } };
  },
};
