import { z } from 'zod';
import { messageOf } from '../errors.js';
import type { Shape } from '../model/onnxModel.js';

/** Open Inference Protocol v2 tensor datatypes. */
export const OIP_DATATYPES = [
  'BOOL',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'FP16',
  'FP32',
  'FP64',
  'BYTES',
] as const;

export const inferRequestSchema = z.object({
  id: z.string().optional(),
  parameters: z.record(z.string(), z.unknown()).optional(),
  inputs: z
    .array(
      z.object({
        name: z.string(),
        shape: z.array(z.number().int().nonnegative()),
        datatype: z.string(),
        parameters: z.record(z.string(), z.unknown()).optional(),
        data: z.unknown().optional(),
      }),
    )
    .min(1),
  outputs: z
    .array(z.object({ name: z.string(), parameters: z.record(z.string(), z.unknown()).optional() }))
    .optional(),
});

export type InferRequest = z.infer<typeof inferRequestSchema>;

/** A request the client got wrong (or one that cannot be answered): this status and message. */
export class BadRequest extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** The OIP datatype of an onnxruntime tensor type. */
export function oipDatatype(type: string): string {
  const map: Record<string, string> = {
    float32: 'FP32',
    float64: 'FP64',
    float16: 'FP16',
    int8: 'INT8',
    int16: 'INT16',
    int32: 'INT32',
    int64: 'INT64',
    uint8: 'UINT8',
    uint16: 'UINT16',
    uint32: 'UINT32',
    uint64: 'UINT64',
    bool: 'BOOL',
    string: 'BYTES',
  };
  return map[type] ?? type.toUpperCase();
}

/** An OIP shape from model metadata: −1 for a named (variable) dimension. */
export function oipShape(shape: Shape | null): number[] {
  return (shape ?? []).map((d) => (typeof d === 'number' && d >= 0 ? d : -1));
}

/** 500 for a model run that failed, with the first line of onnxruntime's message. */
export function inferenceFailed(error: unknown): BadRequest {
  return new BadRequest(`inference failed: ${firstLine(messageOf(error))}`, 500);
}

export function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).trim();
}

/** The first three problems zod found, each as `path: message`. */
export function zodMessage(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') : 'body'}: ${i.message}`)
    .join('; ');
}
