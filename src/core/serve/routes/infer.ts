import { randomUUID } from 'node:crypto';
import type { Tensor } from 'onnxruntime-node';
import { BadRequest, inferRequestSchema, zodMessage } from '../inferRequest.js';
import type { ModelRunner } from '../modelRunner.js';
import { idOf, readInferBody } from '../httpBody.js';
import { inputTensor, outputBytes, outputJson } from '../oipTensors.js';
import type { ServedModel } from '../servedModel.js';
import { answeringModel, modelAnswer } from './answering.js';
import {
  checkModelPath,
  modelPath,
  timed,
  widthOf,
  type Route,
  type ServerContext,
  type ServingModel,
} from './route.js';

export interface InferContext {
  served: ServedModel;
  runner: ModelRunner;
  name: string;
  version: string;
  /** The answer's id (default: the request's, else a new one). */
  id?: string;
  /** The row width modelship.yml's features make: fills a free second input dimension. */
  width?: number;
  /** The most elements an input may declare (what the body limit can carry). */
  maxElements: number;
  deadline: number;
}

/**
 * POST /v2/models/{m}/infer: every model input by name, converted to its declared type; the
 * outputs asked for (default: every tensor output) in one run. Parameters other than those of
 * the binary tensor data extension are accepted and ignored. `binary` is what followed the JSON
 * header of a binary request; outputs asked for as binary come back in `binary`, in order.
 */
export async function inferReply(
  body: unknown,
  ctx: InferContext,
  binary?: Buffer,
): Promise<{ body: Record<string, unknown>; rows: number; binary?: Buffer[] }> {
  const parsed = inferRequestSchema.safeParse(body);
  if (!parsed.success) {
    throw new BadRequest(`invalid inference request: ${zodMessage(parsed.error)}`);
  }
  const request = parsed.data;
  const { served } = ctx;
  const known = served.inputs.map((i) => i.name);
  const feeds: Record<string, Tensor> = {};
  let rows = 0;
  let offset = 0;
  for (const input of request.inputs) {
    const info = served.inputs.find((i) => i.name === input.name);
    if (!info) {
      throw new BadRequest(
        `unexpected input ${JSON.stringify(input.name)}; the model's inputs are ${known.join(', ')}.`,
      );
    }
    if (feeds[input.name]) throw new BadRequest(`input ${input.name} is given twice.`);
    const width = served.inputs.length === 1 ? ctx.width : undefined;
    const size = input.parameters?.binary_data_size;
    let bytes: Buffer | undefined;
    if (size !== undefined) {
      if (!binary || typeof size !== 'number' || !Number.isInteger(size) || size < 0) {
        throw new BadRequest(
          `input ${input.name}: binary_data_size needs a non-negative byte count and a binary request (header Inference-Header-Content-Length).`,
        );
      }
      if (offset + size > binary.length) {
        throw new BadRequest(
          `input ${input.name}: binary_data_size ${size} runs past the ${binary.length} binary bytes sent.`,
        );
      }
      bytes = binary.subarray(offset, offset + size);
      offset += size;
    }
    const fed = inputTensor(input, info, {
      ...(width !== undefined ? { width } : {}),
      maxElements: ctx.maxElements,
      ...(bytes ? { binary: bytes } : {}),
      // The runner runs a single-input fixed-batch model in batches of its size.
      anyRows: served.inputs.length === 1,
    });
    feeds[input.name] = fed.tensor;
    rows = Math.max(rows, fed.rows);
  }
  if (binary && offset !== binary.length) {
    throw new BadRequest(
      `the inputs' binary_data_size add up to ${offset} bytes, but ${binary.length} binary bytes were sent.`,
    );
  }
  const missing = known.filter((name) => !feeds[name]);
  if (missing.length) {
    throw new BadRequest(
      `missing input${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; the model's inputs are ${known.join(', ')}.`,
    );
  }
  const tensors = served.outputs.filter((o) => o.type !== null).map((o) => o.name);
  const wanted = request.outputs?.map((o) => o.name) ?? tensors;
  for (const output of wanted) {
    if (tensors.includes(output)) continue;
    throw new BadRequest(
      served.outputs.some((o) => o.name === output)
        ? `output ${output} is a sequence or map, which the Open Inference Protocol cannot carry; ask for ${tensors.join(', ')}.`
        : `unknown output ${JSON.stringify(output)}; the model's outputs are ${tensors.join(', ')}.`,
    );
  }
  const result = await ctx.runner.run(feeds, [...new Set(wanted)], rows, ctx.deadline);
  const allBinary = request.parameters?.binary_data_output === true;
  const asked = new Map(request.outputs?.map((o) => [o.name, o.parameters?.binary_data]));
  const parts: Buffer[] = [];
  const outputs = wanted.map((output) => {
    const tensor = result[output]!;
    if ((asked.get(output) ?? allBinary) !== true) return outputJson(output, tensor);
    const bytes = outputBytes(tensor);
    parts.push(bytes);
    const { data: _data, ...described } = outputJson(output, { ...tensor, data: [] });
    return { ...described, parameters: { binary_data_size: bytes.length } };
  });
  return {
    rows,
    body: {
      model_name: ctx.name,
      model_version: ctx.version,
      id: ctx.id ?? request.id ?? randomUUID(),
      outputs,
    },
    ...(parts.length ? { binary: parts } : {}),
  };
}

/** POST /v2/models/{m}[/versions/{v}]/infer. */
export const inferRoute: Route = {
  name: 'infer',
  method: 'POST',
  match: modelPath('/infer'),
  inference: true,
  handle: async ({ params, req, ctx }, server) => {
    const pinned = checkModelPath(params, server);
    const { json, binary } = await readInferBody(req, server.maxInferBytes, server.maxJsonDepth);
    ctx.id = idOf(json) ?? ctx.id;
    server.loadedModel();
    const sent = typeof json === 'object' && json !== null ? (json as { id?: unknown }).id : null;
    const id = typeof sent === 'string' ? sent : randomUUID();
    const model = answeringModel(server, req, id, pinned);
    const run = (m: ServingModel, deadline: number) =>
      inferReply(json, inferContext(server, m, id, deadline), binary);
    const { ms, body: out } = await timed(server, model, () => run(model, ctx.deadline));
    return modelAnswer(
      server,
      model,
      {
        route: 'infer',
        id,
        rows: out.rows,
        ms,
        reply: { status: 200, body: out.body, ...(out.binary ? { binary: out.binary } : {}) },
        logged: outputsOf(out),
      },
      async (shadow, deadline) => outputsOf(await run(shadow, deadline)),
    );
  },
};

function inferContext(
  server: ServerContext,
  model: ServingModel,
  id: string,
  deadline: number,
): InferContext {
  const { served, runner } = model.loaded();
  const width = widthOf(served);
  return {
    served,
    runner,
    name: model.name,
    version: model.version,
    id,
    ...(width !== undefined ? { width } : {}),
    maxElements: Math.floor(server.maxInferBytes / 2),
    deadline,
  };
}

/** An answer's outputs, as the shadow log keeps them. */
function outputsOf(answer: { body: Record<string, unknown> }): Record<string, unknown> {
  return { outputs: answer.body.outputs };
}
