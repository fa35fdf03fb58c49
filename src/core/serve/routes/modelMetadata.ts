import { oipDatatype, oipShape } from '../inferRequest.js';
import type { ServedModel, TensorInfo } from '../servedModel.js';
import { checkModelPath, modelPath, widthOf, type Route } from './route.js';

/** GET /v2/models/{m}: inputs and outputs as the session declares them, −1 for free dimensions. */
export function modelMetadata(served: ServedModel, name: string, version: string, width?: number) {
  // A single-input model of a fixed batch size runs any number of rows, in batches of that size.
  const only = served.inputs.length === 1 ? served.inputs[0]!.shape : null;
  const fixed = only && typeof only[0] === 'number' && only[0] > 0 ? only[0] : undefined;
  const rows = (shape: TensorInfo['shape']): TensorInfo['shape'] =>
    fixed !== undefined && shape && shape[0] === fixed ? ['rows', ...shape.slice(1)] : shape;
  const tensor = (t: TensorInfo, isInput: boolean) => ({
    name: t.name,
    datatype: t.type === null ? 'BYTES' : oipDatatype(t.type),
    shape: oipShape(
      rows(
        isInput && width !== undefined && served.inputs.length === 1 && t.shape?.length === 2
          ? [t.shape[0]!, typeof t.shape[1] === 'number' ? t.shape[1] : width]
          : t.shape,
      ),
    ),
  });
  return {
    name,
    versions: [version],
    platform: 'onnxruntime_onnx',
    inputs: served.inputs.map((t) => tensor(t, true)),
    outputs: served.outputs.map((t) => tensor(t, false)),
  };
}

/** GET /v2/models/{m}[/versions/{v}]. */
export const modelMetadataRoute: Route = {
  name: 'model_metadata',
  method: 'GET',
  match: modelPath(''),
  handle: ({ params }, server) => {
    checkModelPath(params, server);
    const { served } = server.loadedModel();
    return {
      reply: {
        status: 200,
        body: modelMetadata(served, server.name, server.version, widthOf(served)),
      },
    };
  },
};
