import { ProtobufWriter } from './protobufWriter.js';

/** Tensor element types the writer can declare (ONNX TensorProto.DataType). */
export type ElemType = 'float' | 'double' | 'int32' | 'int64' | 'uint8';
/** A dimension: a size, or a name such as 'N' for the batch. */
export type Dim = number | string;

/** A graph input or output: a named tensor of a declared type and shape. */
export interface ValueInfo {
  name: string;
  /** Default 'float'. */
  elemType?: ElemType;
  shape: readonly Dim[];
}

/** A graph output that is a sequence of maps from class label to float, as ZipMap writes. */
export interface MapSequenceInfo {
  name: string;
  /** The maps' key type: int64 or string class labels. */
  mapSequence: { key: 'int64' | 'string' };
}

/** A constant tensor of the graph (weights, biases, shapes). */
export interface Initializer {
  name: string;
  dims: readonly number[];
  /** Row-major values; written as little-endian raw_data. */
  data: ArrayLike<number>;
  /** Default 'float'. */
  elemType?: ElemType;
}

/** A typed attribute value: JavaScript numbers cannot tell an int from a float. */
export type AttributeValue =
  | { int: number }
  | { float: number }
  | { ints: readonly number[] }
  | { floats: readonly number[] }
  | { string: string }
  | { strings: readonly string[] };

/** One operator of the graph. */
export interface OnnxNode {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name?: string;
  domain?: string;
  attributes?: Readonly<Record<string, AttributeValue>>;
}

/** Everything `buildOnnxModel` writes. */
export interface OnnxGraph {
  inputs: readonly ValueInfo[];
  outputs: readonly (ValueInfo | MapSequenceInfo)[];
  nodes: readonly OnnxNode[];
  initializers?: readonly Initializer[];
  /** GraphProto.value_info: declared types of intermediate tensors. */
  valueInfo?: readonly ValueInfo[];
  /** Default opset of the ai.onnx domain: 17. */
  opset?: number;
  /** Opsets of other operator domains, such as { 'ai.onnx.ml': 3 }. */
  domains?: Readonly<Record<string, number>>;
  /** Default 'modelship'. */
  producer?: string;
  producerVersion?: string;
  graphName?: string;
  docString?: string;
  /** ModelProto.metadata_props, shown by tools such as Netron. */
  metadata?: Readonly<Record<string, string>>;
}

const ELEM_TYPES: Record<ElemType, { code: number; bytes: number }> = {
  float: { code: 1, bytes: 4 },
  int32: { code: 6, bytes: 4 },
  int64: { code: 7, bytes: 8 },
  double: { code: 11, bytes: 8 },
  uint8: { code: 2, bytes: 1 },
};

const ATTRIBUTE_TYPES = { float: 1, int: 2, string: 3, floats: 6, ints: 7, strings: 8 } as const;
/** TensorProto.DataType of a map's keys. */
const KEY_TYPES = { int64: 7, string: 8 } as const;

/** Serializes a model to ONNX protobuf bytes, ready for `InferenceSession.create`. */
export function buildOnnxModel(graph: OnnxGraph): Uint8Array {
  const opset = graph.opset ?? 17;
  const model = new ProtobufWriter()
    .int(1, irVersionFor(opset))
    .string(2, graph.producer ?? 'modelship');
  if (graph.producerVersion) model.string(3, graph.producerVersion);
  if (graph.docString) model.string(6, graph.docString);
  model.message(7, (g) => writeGraph(g, graph));
  model.message(8, (o) => o.string(1, '').int(2, opset));
  for (const [domain, version] of Object.entries(graph.domains ?? {})) {
    model.message(8, (o) => o.string(1, domain).int(2, version));
  }
  for (const [key, value] of Object.entries(graph.metadata ?? {})) {
    model.message(14, (entry) => entry.string(1, key).string(2, value));
  }
  return model.finish();
}

/** The IR version that goes with an opset (onnx/docs/Versioning.md). */
function irVersionFor(opset: number): number {
  if (opset >= 21) return 10;
  if (opset >= 19) return 9;
  if (opset >= 15) return 8;
  return 7;
}

function writeGraph(writer: ProtobufWriter, graph: OnnxGraph): void {
  for (const node of graph.nodes) writer.message(1, (n) => writeNode(n, node));
  writer.string(2, graph.graphName ?? 'modelship');
  for (const init of graph.initializers ?? []) writer.message(5, (t) => writeTensor(t, init));
  for (const input of graph.inputs) writer.message(11, (v) => writeValueInfo(v, input));
  for (const output of graph.outputs) writer.message(12, (v) => writeValueInfo(v, output));
  for (const info of graph.valueInfo ?? []) writer.message(13, (v) => writeValueInfo(v, info));
}

function writeNode(writer: ProtobufWriter, node: OnnxNode): void {
  for (const input of node.inputs) writer.string(1, input);
  for (const output of node.outputs) writer.string(2, output);
  if (node.name) writer.string(3, node.name);
  writer.string(4, node.opType);
  for (const [name, value] of Object.entries(node.attributes ?? {})) {
    writer.message(5, (a) => writeAttribute(a, name, value));
  }
  if (node.domain) writer.string(7, node.domain);
}

function writeAttribute(writer: ProtobufWriter, name: string, value: AttributeValue): void {
  writer.string(1, name);
  if ('int' in value) writer.int(3, value.int).int(20, ATTRIBUTE_TYPES.int);
  else if ('float' in value) writer.float(2, value.float).int(20, ATTRIBUTE_TYPES.float);
  else if ('ints' in value) writer.packedInts(8, value.ints).int(20, ATTRIBUTE_TYPES.ints);
  else if ('floats' in value) writer.packedFloats(7, value.floats).int(20, ATTRIBUTE_TYPES.floats);
  else if ('strings' in value) {
    for (const s of value.strings) writer.string(9, s);
    writer.int(20, ATTRIBUTE_TYPES.strings);
  } else writer.string(4, value.string).int(20, ATTRIBUTE_TYPES.string);
}

function writeTensor(writer: ProtobufWriter, tensor: Initializer): void {
  const type = ELEM_TYPES[tensor.elemType ?? 'float'];
  const count = tensor.dims.reduce((a, b) => a * b, 1);
  if (count !== tensor.data.length) {
    throw new RangeError(
      `initializer ${tensor.name}: dims [${tensor.dims.join(', ')}] hold ${count} values, but ${tensor.data.length} were given`,
    );
  }
  if (tensor.dims.length) writer.packedInts(1, tensor.dims);
  writer.int(2, type.code).string(8, tensor.name);
  const raw = new DataView(new ArrayBuffer(count * type.bytes));
  for (let i = 0; i < count; i++) {
    const v = tensor.data[i]!;
    if (tensor.elemType === 'int64') raw.setBigInt64(i * 8, BigInt(v), true);
    else if (tensor.elemType === 'int32') raw.setInt32(i * 4, v, true);
    else if (tensor.elemType === 'double') raw.setFloat64(i * 8, v, true);
    else if (tensor.elemType === 'uint8') raw.setUint8(i, v);
    else raw.setFloat32(i * 4, v, true);
  }
  writer.bytes(9, new Uint8Array(raw.buffer));
}

function writeValueInfo(writer: ProtobufWriter, info: ValueInfo | MapSequenceInfo): void {
  writer.string(1, info.name);
  if ('mapSequence' in info) {
    // TypeProto.sequence_type (4) of map_type (5): key_type, then value_type tensor(float).
    const key = KEY_TYPES[info.mapSequence.key];
    writer.message(2, (type) =>
      type.message(4, (sequence) =>
        sequence.message(1, (element) =>
          element.message(5, (map) =>
            map.int(1, key).message(2, (value) => value.message(1, (t) => t.int(1, 1))),
          ),
        ),
      ),
    );
    return;
  }
  writer.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, ELEM_TYPES[info.elemType ?? 'float'].code);
      tensor.message(2, (shape) => {
        for (const dim of info.shape) {
          shape.message(1, (d) => (typeof dim === 'number' ? d.int(1, dim) : d.string(2, dim)));
        }
      });
    }),
  );
}
