import { exactPath, type Route } from './route.js';

/** GET /v2: the server's name, version and protocol extensions. */
export const serverMetadata: Route = {
  name: 'server_metadata',
  method: 'GET',
  match: exactPath('/v2', '/v2/'),
  handle: (_request, server) => ({
    reply: {
      status: 200,
      body: {
        name: server.serverName,
        version: server.serverVersion,
        extensions: ['binary_tensor_data'],
      },
    },
  }),
};
