import { Tensor } from 'onnxruntime-node';
import { countCopy } from './copyCount.js';
import { BadRequest, OIP_DATATYPES, oipDatatype, type InferRequest } from './inferRequest.js';
import { NumericData } from './numericJson.js';
import type { TensorInfo } from './servedModel.js';

type InferInput = InferRequest['inputs'][number];

/** A tensor as a run returns it, or a slice of a micro-batched run's output. */
export interface OutputTensor {
  type: string;
  dims: readonly number[];
  data: ArrayLike<number | bigint | string | boolean>;
}

type NumericArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint16Array
  | Uint32Array;

const NUMERIC_ARRAYS: Record<string, new (length: number) => NumericArray> = {
  float32: Float32Array,
  float64: Float64Array,
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
  bool: Uint8Array,
};

/** Inclusive ranges of the integer tensor types below 64 bits. */
const INTEGER_RANGES: Record<string, [number, number]> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  uint8: [0, 255],
  uint16: [0, 65535],
  uint32: [0, 4294967295],
};

/**
 * Turns one OIP input into the tensor the model declares: checks the datatype against the
 * model's element type (BYTES feeds string inputs only, numbers feed numeric inputs), the shape
 * against the declared one (`width` fills a free second dimension), the nesting of `data`
 * against the shape, and converts every element. `maxElements` bounds what a shape may ask for
 * before anything is allocated.
 */
export function inputTensor(
  input: InferInput,
  info: TensorInfo,
  options: { width?: number; maxElements: number; binary?: Buffer; anyRows?: boolean },
): { tensor: Tensor; rows: number } {
  const name = input.name;
  const datatype = input.datatype.toUpperCase();
  if (!(OIP_DATATYPES as readonly string[]).includes(datatype)) {
    throw new BadRequest(
      `input ${name}: unknown datatype ${JSON.stringify(input.datatype)}; expected one of ${OIP_DATATYPES.join(', ')}.`,
    );
  }
  const type = info.type;
  if (type === null) throw new BadRequest(`input ${name}: the model's input is not a tensor.`);
  const wanted = oipDatatype(type);
  if (type === 'string' && datatype !== 'BYTES') {
    throw new BadRequest(
      `input ${name}: the model takes strings, so send datatype BYTES with string data, not ${datatype}.`,
    );
  }
  if (type !== 'string' && datatype === 'BYTES') {
    throw new BadRequest(
      `input ${name}: datatype BYTES (strings) cannot feed the model's ${type} input; send ${wanted} (or another numeric datatype) with numbers.`,
    );
  }
  if (type !== 'string' && type !== 'int64' && type !== 'uint64' && !NUMERIC_ARRAYS[type]) {
    throw new BadRequest(
      `input ${name}: the model's ${type} input is not supported by this server.`,
    );
  }
  const shape = input.shape;
  checkShape(name, shape, info.shape, options.width, options.anyRows);
  let count = 1;
  for (const d of shape) count *= d;
  if (count > options.maxElements) {
    throw new BadRequest(
      `input ${name}: shape [${shape.join(', ')}] holds ${count} elements, more than a request body can carry.`,
    );
  }
  const rows = shape.length ? shape[0]! : 1;
  if (options.binary) {
    return { tensor: binaryTensor(name, datatype, type, shape, count, options.binary), rows };
  }
  const convert = converter(name, datatype, type);
  let data = input.data;
  if (data instanceof NumericData) {
    // Numbers read straight from the body: the checks and conversions of `walk`, without the
    // JS arrays, where the levels follow the shape; else the arrays, for walk's messages.
    const values = type === 'string' ? undefined : followsShape(data, shape);
    if (values) return { tensor: numericTensor(type, datatype, shape, values, convert), rows };
    data = data.toArrays();
  }
  if (type === 'string') {
    const strings: string[] = new Array<string>(count);
    walk(name, data, shape, (value, i) => (strings[i] = convert(value, i) as string));
    return { tensor: new Tensor('string', strings, shape), rows };
  }
  if (type === 'int64' || type === 'uint64') {
    const big = type === 'int64' ? new BigInt64Array(count) : new BigUint64Array(count);
    walk(name, data, shape, (value, i) => (big[i] = convert(value, i) as bigint));
    return { tensor: new Tensor(type, big, shape), rows };
  }
  const array = new NUMERIC_ARRAYS[type]!(count);
  walk(name, data, shape, (value, i) => (array[i] = convert(value, i) as number));
  return { tensor: new Tensor(type as 'float32', array as Float32Array, shape), rows };
}

/**
 * The values of numeric data whose levels pass walk's checks against `shape` (each level of
 * arrays holds its dimension's count, the level of numbers every element below it), else
 * undefined.
 */
function followsShape(data: NumericData, shape: readonly number[]): Float64Array | undefined {
  const { lengths } = data;
  const last = lengths.length - 1;
  for (let d = 0; d < last; d++) {
    if (d >= shape.length - 1 || lengths[d] !== shape[d]) return undefined;
  }
  let below = 1;
  for (let d = last; d < shape.length; d++) below *= shape[d]!;
  return lengths[last] === below ? data.values : undefined;
}

/** A numeric tensor of `values` in row-major order, each checked and converted as walk's are. */
function numericTensor(
  type: string,
  datatype: string,
  shape: readonly number[],
  values: Float64Array,
  convert: (value: unknown, index: number) => number | bigint | string,
): Tensor {
  const floats = (type === 'float32' || type === 'float64') && datatype.startsWith('FP');
  if (type === 'int64' || type === 'uint64') {
    const big =
      type === 'int64' ? new BigInt64Array(values.length) : new BigUint64Array(values.length);
    for (let i = 0; i < values.length; i++) big[i] = convert(values[i], i) as bigint;
    return new Tensor(type, big, shape);
  }
  const array = new NUMERIC_ARRAYS[type]!(values.length);
  // A float request into a float tensor converts nothing and checks nothing: one typed copy.
  if (floats) array.set(values);
  else for (let i = 0; i < values.length; i++) array[i] = convert(values[i], i) as number;
  return new Tensor(type as 'float32', array as Float32Array, shape);
}

function checkShape(
  name: string,
  shape: readonly number[],
  declared: TensorInfo['shape'],
  width: number | undefined,
  anyRows = false,
): void {
  if (!declared || declared.length === 0) return;
  const shown = `[${shape.join(', ')}]`;
  // A fixed-batch model served alone runs in batches of its size, so any number of rows fits.
  const expected = declared.map((d, i) =>
    i === 0 && anyRows
      ? -1
      : typeof d === 'number' && d >= 0
        ? d
        : i === 1 && width !== undefined
          ? width
          : -1,
  );
  const wantedShape = `[${expected.map((d, i) => (d >= 0 ? d : i === 0 ? 'rows' : 'any')).join(', ')}]`;
  if (shape.length !== declared.length) {
    throw new BadRequest(
      `input ${name}: shape ${shown} has rank ${shape.length}, but the model takes ${wantedShape}.`,
    );
  }
  expected.forEach((d, i) => {
    if (d >= 0 && shape[i] !== d) {
      const what = i === 0 ? 'rows' : i === 1 ? 'columns' : `values in dimension ${i}`;
      throw new BadRequest(
        `input ${name}: shape ${shown} has ${shape[i]} ${what}, but the model takes ${wantedShape}.`,
      );
    }
  });
}

/**
 * Visits the elements of flat or nested row-major data in order. A level of arrays must hold
 * exactly its dimension's count; a level of scalars must hold every element below it.
 */
function walk(
  name: string,
  data: unknown,
  shape: readonly number[],
  visit: (value: unknown, index: number) => void,
): void {
  if (!Array.isArray(data)) {
    throw new BadRequest(`input ${name}: data must be an array (flat or nested row-major).`);
  }
  const below = shape.map((_, k) => shape.slice(k).reduce((a, b) => a * b, 1));
  below.push(1);
  let n = 0;
  const level = (value: unknown[], depth: number): void => {
    if (value.length > 0 && Array.isArray(value[0])) {
      if (depth >= shape.length - 1 || value.length !== shape[depth]) {
        throw new BadRequest(
          `input ${name}: nested data does not follow shape [${shape.join(', ')}]: level ${depth + 1} holds ${value.length} arrays.`,
        );
      }
      for (const item of value) {
        if (!Array.isArray(item)) {
          throw new BadRequest(
            `input ${name}: nested data mixes arrays and values at level ${depth + 1}.`,
          );
        }
        level(item, depth + 1);
      }
      return;
    }
    if (value.length !== below[depth]) {
      const where = depth === 0 ? 'data has' : `a level ${depth + 1} array has`;
      throw new BadRequest(
        `input ${name}: ${where} ${value.length} elements, but shape [${shape.join(', ')}] holds ${below[depth]}${depth === 0 ? '' : ' there'}.`,
      );
    }
    for (const item of value) {
      if (Array.isArray(item)) {
        throw new BadRequest(
          `input ${name}: nested data mixes arrays and values at level ${depth + 1}.`,
        );
      }
      visit(item, n++);
    }
  };
  level(data, 0);
}

/** Checks one element against the request's datatype and converts it to the tensor's type. */
function converter(
  name: string,
  datatype: string,
  type: string,
): (value: unknown, index: number) => number | bigint | string {
  const bad = (index: number, value: unknown, what: string) =>
    new BadRequest(
      `input ${name}: element ${index} (${JSON.stringify(value) ?? 'undefined'}) is not ${what}.`,
    );
  if (type === 'string') {
    return (value, i) => {
      if (typeof value !== 'string') throw bad(i, value, 'a string (BYTES)');
      return value;
    };
  }
  const integerRequest = /INT/.test(datatype);
  const unsignedRequest = datatype.startsWith('U');
  const big = type === 'int64' || type === 'uint64';
  const range = INTEGER_RANGES[type];
  const integerTensor = big || range !== undefined;
  return (value, i) => {
    let n: number;
    if (typeof value === 'number') n = value;
    else if (datatype === 'BOOL' && typeof value === 'boolean') n = value ? 1 : 0;
    else if (integerRequest && typeof value === 'string' && /^-?\d+$/.test(value)) {
      // INT64 beyond 2^53 arrives as a string from clients that keep it exact.
      if (big) {
        const b = BigInt(value);
        if (type === 'uint64' && b < 0n) throw bad(i, value, 'a non-negative integer (uint64)');
        return b;
      }
      n = Number(value);
    } else throw bad(i, value, `a number (datatype ${datatype})`);
    if (datatype === 'BOOL' && n !== 0 && n !== 1) throw bad(i, value, 'a boolean (datatype BOOL)');
    if (integerRequest && (!Number.isInteger(n) || (unsignedRequest && n < 0))) {
      throw bad(
        i,
        value,
        `an integer${unsignedRequest ? ' of 0 or more' : ''} (datatype ${datatype})`,
      );
    }
    if (integerTensor && !Number.isInteger(n)) {
      throw bad(i, value, `an integer, as the model's ${type} input needs`);
    }
    if (range && (n < range[0] || n > range[1])) {
      throw bad(i, value, `within the ${type} range of the model's input`);
    }
    if (type === 'bool') return n !== 0 ? 1 : 0;
    if (big) {
      if (type === 'uint64' && n < 0) throw bad(i, value, 'a non-negative integer (uint64)');
      return BigInt(n);
    }
    return n;
  };
}

/**
 * An input sent with the binary tensor data extension: raw little-endian elements of the model's
 * own datatype (no conversion), or for BYTES each string as a 4-byte length and its UTF-8 bytes.
 */
function binaryTensor(
  name: string,
  datatype: string,
  type: string,
  shape: readonly number[],
  count: number,
  bytes: Buffer,
): Tensor {
  if (datatype !== oipDatatype(type)) {
    throw new BadRequest(
      `input ${name}: binary data must be the model's own datatype ${oipDatatype(type)}, not ${datatype}.`,
    );
  }
  if (type === 'string') {
    const strings: string[] = [];
    let at = 0;
    while (at + 4 <= bytes.length && strings.length < count) {
      const length = bytes.readUInt32LE(at);
      if (at + 4 + length > bytes.length) break;
      strings.push(bytes.toString('utf8', at + 4, at + 4 + length));
      at += 4 + length;
    }
    if (strings.length !== count || at !== bytes.length) {
      throw new BadRequest(
        `input ${name}: the ${bytes.length} binary bytes do not hold the ${count} length-prefixed strings shape [${shape.join(', ')}] needs.`,
      );
    }
    return new Tensor('string', strings, shape);
  }
  // Every typed array constructor: its element size, and a new array or a view of bytes.
  const Typed = (
    type === 'int64' ? BigInt64Array : type === 'uint64' ? BigUint64Array : NUMERIC_ARRAYS[type]!
  ) as {
    BYTES_PER_ELEMENT: number;
    new (length: number): Float32Array;
    new (buffer: ArrayBufferLike, byteOffset: number, length: number): Float32Array;
  };
  const size = count * Typed.BYTES_PER_ELEMENT;
  if (size !== bytes.length) {
    throw new BadRequest(
      `input ${name}: ${bytes.length} binary bytes, but shape [${shape.join(', ')}] of ${datatype} takes ${size}.`,
    );
  }
  // Viewed in place where the body is aligned for the element size (readBody aligns the first
  // input's bytes), else copied.
  let array: Float32Array;
  if (bytes.byteOffset % Typed.BYTES_PER_ELEMENT === 0) {
    array = new Typed(bytes.buffer, bytes.byteOffset, count);
  } else {
    array = new Typed(count);
    new Uint8Array(array.buffer).set(bytes);
    countCopy(bytes.length);
  }
  return new Tensor(type as 'float32', array, shape);
}

/** An output's data as the binary tensor data extension lays it out. */
export function outputBytes(tensor: OutputTensor): Buffer {
  const data = tensor.data;
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const parts = Array.from(data as ArrayLike<string>, (value) => {
    const text = Buffer.from(String(value), 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32LE(text.length);
    return [length, text];
  });
  return Buffer.concat(parts.flat());
}

/** One OIP output: the tensor's dims, datatype and row-major data as JSON values. */
export function outputJson(
  name: string,
  tensor: OutputTensor,
): { name: string; shape: number[]; datatype: string; data: unknown[] } {
  const data = tensor.data;
  let values: unknown[];
  if (tensor.type === 'bool') values = Array.from(data as ArrayLike<number>, (v) => v !== 0);
  else if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    // JSON numbers: exact up to 2^53, which covers labels and counts.
    values = Array.from(data, (v) => Number(v));
  } else values = Array.from(data);
  return { name, shape: [...tensor.dims], datatype: oipDatatype(tensor.type), data: values };
}
