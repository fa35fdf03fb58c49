import { z } from 'zod';
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

const INTEGER_TYPES = new Set(['UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32']);

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
        data: z.unknown(),
      }),
    )
    .min(1),
  outputs: z
    .array(z.object({ name: z.string(), parameters: z.record(z.string(), z.unknown()).optional() }))
    .optional(),
});

export type InferRequest = z.infer<typeof inferRequestSchema>;

/** A request the client got wrong: answered with 400 and this message. */
export class BadRequest extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/**
 * Turns one OIP input into the model's float32 [rows, F] matrix: checks the name, datatype and
 * shape, flattens nested data row-major and converts every element.
 */
export function inputMatrix(
  input: InferRequest['inputs'][number],
  model: { inputName: string; inputShape: Shape },
  width: number | undefined,
): { matrix: Float32Array; rows: number; width: number } {
  if (input.name !== model.inputName) {
    throw new BadRequest(
      `unexpected input ${JSON.stringify(input.name)}; the model's input is ${JSON.stringify(model.inputName)}.`,
    );
  }
  const datatype = input.datatype.toUpperCase();
  if (!(OIP_DATATYPES as readonly string[]).includes(datatype)) {
    throw new BadRequest(
      `input ${input.name}: unknown datatype ${JSON.stringify(input.datatype)}; expected one of ${OIP_DATATYPES.join(', ')}.`,
    );
  }
  if (datatype === 'BYTES') {
    throw new BadRequest(
      `input ${input.name}: datatype BYTES cannot feed the model's float input; send FP32 (or another numeric datatype).`,
    );
  }
  const shape = input.shape;
  if (shape.length !== 2) {
    throw new BadRequest(
      `input ${input.name}: shape [${shape.join(', ')}] has rank ${shape.length}, but the model takes [rows, ${width ?? 'F'}].`,
    );
  }
  const [rows, cols] = shape as [number, number];
  if (width !== undefined && cols !== width) {
    throw new BadRequest(
      `input ${input.name}: shape [${shape.join(', ')}] has ${cols} columns, but the model takes ${width}.`,
    );
  }
  const fixedBatch = model.inputShape[0];
  if (typeof fixedBatch === 'number' && fixedBatch !== rows) {
    throw new BadRequest(
      `input ${input.name}: shape [${shape.join(', ')}] has ${rows} rows, but the model takes exactly ${fixedBatch}.`,
    );
  }
  const expected = rows * cols;
  const matrix = new Float32Array(expected);
  let n = 0;
  const visit = (value: unknown, depth: number): void => {
    if (Array.isArray(value)) {
      if (depth > shape.length) throw new BadRequest(`input ${input.name}: data nests too deeply.`);
      for (const item of value) visit(item, depth + 1);
      return;
    }
    if (n >= expected) {
      throw new BadRequest(
        `input ${input.name}: data has more than the ${expected} elements shape [${shape.join(', ')}] holds.`,
      );
    }
    matrix[n] = element(value, datatype, input.name, n);
    n++;
  };
  if (!Array.isArray(input.data)) {
    throw new BadRequest(`input ${input.name}: data must be an array (flat or nested row-major).`);
  }
  visit(input.data, 0);
  if (n !== expected) {
    throw new BadRequest(
      `input ${input.name}: data has ${n} elements, but shape [${shape.join(', ')}] holds ${expected}.`,
    );
  }
  return { matrix, rows, width: cols };
}

function element(value: unknown, datatype: string, name: string, index: number): number {
  if (datatype === 'BOOL') {
    if (typeof value === 'boolean') return value ? 1 : 0;
    if (value === 0 || value === 1) return value;
    throw new BadRequest(`input ${name}: element ${index} is not a BOOL.`);
  }
  // Integers beyond 2^53 arrive as strings from clients that keep INT64 exact.
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && (datatype === 'INT64' || datatype === 'UINT64')
        ? Number(value)
        : NaN;
  if (typeof value !== 'number' && !(typeof value === 'string' && Number.isFinite(n))) {
    throw new BadRequest(
      `input ${name}: element ${index} (${JSON.stringify(value) ?? 'undefined'}) is not a ${datatype} number.`,
    );
  }
  if (datatype === 'INT64' || datatype === 'UINT64' || INTEGER_TYPES.has(datatype)) {
    if (!Number.isInteger(n) || (datatype.startsWith('U') && n < 0)) {
      throw new BadRequest(`input ${name}: element ${index} (${n}) is not a ${datatype}.`);
    }
  }
  return n;
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
