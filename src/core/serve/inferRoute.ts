import { randomUUID } from 'node:crypto';
import type { Tensor } from 'onnxruntime-node';
import type { z } from 'zod';
import { BadRequest, inferRequestSchema, oipDatatype, oipShape } from './inferRequest.js';
import type { ModelRunner } from './modelRunner.js';
import { inputTensor, outputJson } from './oipTensors.js';
import type { ServedModel, TensorInfo } from './servedModel.js';

export interface InferContext {
  served: ServedModel;
  runner: ModelRunner;
  name: string;
  version: string;
  /** The row width modelship.yml's features make: fills a free second input dimension. */
  width?: number;
  /** The most elements an input may declare (what the body limit can carry). */
  maxElements: number;
  deadline: number;
}

/** GET /v2/models/{m}: inputs and outputs as the session declares them, −1 for free dimensions. */
export function modelMetadata(served: ServedModel, name: string, version: string, width?: number) {
  const tensor = (t: TensorInfo, isInput: boolean) => ({
    name: t.name,
    datatype: t.type === null ? 'BYTES' : oipDatatype(t.type),
    shape: oipShape(
      isInput && width !== undefined && served.inputs.length === 1 && t.shape?.length === 2
        ? [t.shape[0]!, typeof t.shape[1] === 'number' ? t.shape[1] : width]
        : t.shape,
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

/**
 * POST /v2/models/{m}/infer: every model input by name, converted to its declared type; the
 * outputs asked for (default: every tensor output) in one run. Parameters are accepted and ignored.
 */
export async function inferReply(
  body: unknown,
  ctx: InferContext,
): Promise<{ body: Record<string, unknown>; rows: number }> {
  const parsed = inferRequestSchema.safeParse(body);
  if (!parsed.success) {
    throw new BadRequest(`invalid inference request: ${zodMessage(parsed.error)}`);
  }
  const request = parsed.data;
  const { served } = ctx;
  const known = served.inputs.map((i) => i.name);
  const feeds: Record<string, Tensor> = {};
  let rows = 0;
  for (const input of request.inputs) {
    const info = served.inputs.find((i) => i.name === input.name);
    if (!info) {
      throw new BadRequest(
        `unexpected input ${JSON.stringify(input.name)}; the model's inputs are ${known.join(', ')}.`,
      );
    }
    if (feeds[input.name]) throw new BadRequest(`input ${input.name} is given twice.`);
    const width = served.inputs.length === 1 ? ctx.width : undefined;
    const fed = inputTensor(input, info, {
      ...(width !== undefined ? { width } : {}),
      maxElements: ctx.maxElements,
    });
    feeds[input.name] = fed.tensor;
    rows = Math.max(rows, fed.rows);
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
  return {
    rows,
    body: {
      model_name: ctx.name,
      model_version: ctx.version,
      id: request.id ?? randomUUID(),
      outputs: wanted.map((output) => outputJson(output, result[output]!)),
    },
  };
}

export function zodMessage(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') : 'body'}: ${i.message}`)
    .join('; ');
}
