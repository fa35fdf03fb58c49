import { ProtobufReader, ProtobufError, WireType, type ProtobufField } from './protobufReader.js';
import { ProtobufWriter } from './protobufWriter.js';

/** A ZipMap output of the model, and the tensor it is built from. */
export interface ZipMapOutput {
  /** The ZipMap node's output name (e.g. output_probability). */
  output: string;
  /** The float tensor that feeds it, now also a graph output. */
  tensor: string;
  /** Class labels in column order: strings (classlabels_strings) or numbers (classlabels_int64s). */
  classes: string[] | number[];
}

/** The model bytes to load, and what was exposed in them. */
export interface ExposedModel {
  bytes: Uint8Array;
  zipMaps: ZipMapOutput[];
  /**
   * The class labels of each ai.onnx.ml classifier node (LinearClassifier, TreeEnsembleClassifier,
   * SVMClassifier) of the main graph, in the order of its score columns: how a converter's
   * label output names the columns of a probability tensor that no ZipMap follows.
   */
  classifiers: (string[] | number[])[];
  /** The tensors this added as graph outputs (none when every one already was an output). */
  added: string[];
}

// Field numbers from onnx/onnx.proto.
const MODEL_GRAPH = 7;
const GRAPH = { node: 1, input: 11, output: 12, valueInfo: 13 } as const;
const NODE = { input: 1, output: 2, name: 3, opType: 4, attribute: 5, domain: 7 } as const;
const ATTRIBUTE = { name: 1, ints: 8, strings: 9 } as const;
const VALUE_INFO = { name: 1, type: 2 } as const;
const TYPE = { tensor: 1 } as const;
const TENSOR = { elemType: 1, shape: 2 } as const;
const SHAPE = { dim: 1 } as const;
const DIM = { value: 1 } as const;
const FLOAT = 1;
const ZIPMAP = new TextEncoder().encode('ZipMap');
const CLASSIFIERS = ['LinearClassifier', 'TreeEnsembleClassifier', 'SVMClassifier'].map((op) =>
  new TextEncoder().encode(op),
);
const ML_DOMAIN = new TextEncoder().encode('ai.onnx.ml');
const lenient = new TextDecoder();

/**
 * Converters (skl2onnx, onnxmltools) end classifiers with an ai.onnx.ml ZipMap, whose output is a
 * sequence of maps that onnxruntime-node cannot return. This adds the float [N, C] tensor that
 * feeds each ZipMap of the main graph as an extra graph output, so a session can fetch it, and
 * reads the class labels off the ZipMap. Only the graph message changes: every other byte of the
 * model, unknown fields included, is copied as it is. Returns the same bytes (same object) when
 * there is nothing to add. Throws a ProtobufError or an Error on malformed input.
 *
 * The ZipMap outputs stay in the graph, so a session must name what it fetches
 * (`session.run(feeds, [tensor, ...])`): fetching them fails with "Non tensor type is
 * temporarily not supported".
 */
export function exposeZipMapInputs(bytes: Uint8Array): ExposedModel {
  const model = new ProtobufReader(bytes);
  // A message field written more than once is merged: repeated fields concatenate, so the
  // graph's nodes and outputs are those of every occurrence, and new outputs go in the last.
  const graphs: ProtobufField[] = [];
  for (let f = model.next(); f; f = model.next()) {
    if (f.number === MODEL_GRAPH) graphs.push(expectLength(f, 'ModelProto.graph'));
  }
  if (graphs.length === 0) throw new ProtobufError('the ONNX model has no graph');

  const scan: GraphScan = {
    zipMaps: [],
    classifiers: [],
    outputs: new Set(),
    valueInfo: new Map(),
  };
  for (const graph of graphs) scanGraph(model.message(graph), scan);
  const { classifiers } = scan;
  if (scan.zipMaps.length === 0) return { bytes, zipMaps: [], classifiers, added: [] };

  const added = new ProtobufWriter();
  const exposed = new Set(scan.outputs);
  const addedNames: string[] = [];
  for (const { tensor, classes } of scan.zipMaps) {
    if (exposed.has(tensor)) continue;
    exposed.add(tensor);
    addedNames.push(tensor);
    const declared = scan.valueInfo.get(tensor);
    if (declared) {
      // The model's own declaration (value_info, or the graph input that feeds the ZipMap),
      // shape included: the same ValueInfoProto message.
      added.bytes(GRAPH.output, bytes.subarray(declared.dataStart, declared.dataEnd));
    } else {
      // float [?, C]: ZipMap needs a column per class label; the rows are left unknown.
      // (ONNX's checker wants a shape on every graph output.)
      added.message(GRAPH.output, (v) =>
        v
          .string(VALUE_INFO.name, tensor)
          .message(VALUE_INFO.type, (type) =>
            type.message(TYPE.tensor, (t) =>
              t
                .int(TENSOR.elemType, FLOAT)
                .message(TENSOR.shape, (shape) =>
                  shape
                    .message(SHAPE.dim, () => undefined)
                    .message(SHAPE.dim, (d) => d.int(DIM.value, classes.length)),
                ),
            ),
          ),
      );
    }
  }
  const extra = added.finish();
  const { zipMaps } = scan;
  if (extra.length === 0) return { bytes, zipMaps, classifiers, added: [] };
  return {
    bytes: spliceGraph(bytes, graphs.at(-1)!, extra),
    zipMaps,
    classifiers,
    added: addedNames,
  };
}

interface GraphScan {
  zipMaps: ZipMapOutput[];
  classifiers: (string[] | number[])[];
  /** Names of the graph's outputs. */
  outputs: Set<string>;
  /** GraphProto.value_info and input by name: the declared types of tensors. */
  valueInfo: Map<string, ProtobufField>;
}

function scanGraph(graph: ProtobufReader, scan: GraphScan): void {
  for (let f = graph.next(); f; f = graph.next()) {
    if (f.number === GRAPH.node) {
      const node = readNode(graph.message(expectLength(f, 'GraphProto.node')));
      if (node?.zipMap) scan.zipMaps.push(node.zipMap);
      if (node?.classifier) scan.classifiers.push(node.classifier);
    } else if (f.number === GRAPH.output) {
      scan.outputs.add(valueInfoName(graph.message(expectLength(f, 'GraphProto.output'))));
    } else if (f.number === GRAPH.valueInfo || f.number === GRAPH.input) {
      const name = valueInfoName(graph.message(expectLength(f, 'GraphProto.value_info')));
      if (!scan.valueInfo.has(name)) scan.valueInfo.set(name, f);
    }
  }
}

/** A ZipMap's description or a classifier's labels; undefined for any other operator. */
function readNode(
  node: ProtobufReader,
): { zipMap?: ZipMapOutput; classifier?: string[] | number[] } | undefined {
  // Other nodes' text is never decoded: ONNX's proto2 strings need not be UTF-8, and a model
  // onnxruntime loads must not fail here.
  let opType: Uint8Array | undefined;
  let domain: Uint8Array | undefined;
  for (let f = node.next(); f; f = node.next()) {
    if (f.number === NODE.opType) opType = node.raw(f);
    else if (f.number === NODE.domain) domain = node.raw(f);
  }
  if (!sameBytes(domain, ML_DOMAIN)) return undefined;
  if (sameBytes(opType, ZIPMAP)) return { zipMap: readZipMap(node) };
  if (!CLASSIFIERS.some((op) => sameBytes(opType, op))) return undefined;
  const classifier = new ProtobufReader(node.bytes, node.start, node.end);
  const attributes: ProtobufField[] = [];
  for (let f = classifier.next(); f; f = classifier.next()) {
    if (f.number === NODE.attribute) attributes.push(expectLength(f, 'NodeProto.attribute'));
  }
  try {
    return { classifier: classLabels(classifier, attributes, 'a classifier node') };
  } catch {
    // A classifier without readable labels only leaves its score columns unnamed.
    return undefined;
  }
}

/** The ZipMap node's input, output and class labels. */
function readZipMap(node: ProtobufReader): ZipMapOutput {
  const zipMap = new ProtobufReader(node.bytes, node.start, node.end);
  const inputs: string[] = [];
  const outputs: string[] = [];
  const attributes: ProtobufField[] = [];
  let name = '';
  for (let f = zipMap.next(); f; f = zipMap.next()) {
    if (f.number === NODE.input) inputs.push(zipMap.string(f));
    else if (f.number === NODE.output) outputs.push(zipMap.string(f));
    else if (f.number === NODE.name) name = zipMap.string(f);
    else if (f.number === NODE.attribute) attributes.push(expectLength(f, 'NodeProto.attribute'));
  }
  const label = name ? `ZipMap node '${name}'` : 'a ZipMap node';
  if (inputs.length !== 1 || outputs.length !== 1 || !inputs[0] || !outputs[0]) {
    throw new Error(
      `${label} has ${inputs.length} inputs and ${outputs.length} outputs; ZipMap takes one of each`,
    );
  }
  return { output: outputs[0], tensor: inputs[0], classes: classLabels(zipMap, attributes, label) };
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** classlabels_strings or classlabels_int64s, whichever the node has (the spec asks for one). */
function classLabels(
  node: ProtobufReader,
  attributes: readonly ProtobufField[],
  label: string,
): string[] | number[] {
  let strings: string[] | undefined;
  let ints: number[] | undefined;
  for (const attribute of attributes) {
    const reader = node.message(attribute);
    const fields: ProtobufField[] = [];
    let name = '';
    for (let f = reader.next(); f; f = reader.next()) {
      if (f.number === ATTRIBUTE.name) name = reader.string(f);
      else fields.push(f);
    }
    if (name === 'classlabels_strings') {
      strings = fields.filter((f) => f.number === ATTRIBUTE.strings).map((f) => reader.string(f));
    } else if (name === 'classlabels_int64s') {
      ints = fields
        .filter((f) => f.number === ATTRIBUTE.ints)
        .flatMap((f) => reader.int64s(f))
        .map((v) => safeLabel(v, label));
    }
  }
  // As onnxruntime's ZipMap kernel does, an empty list counts as absent.
  if (strings?.length && ints?.length) {
    throw new Error(`${label} has both classlabels_strings and classlabels_int64s; it needs one`);
  }
  const classes = strings?.length ? strings : ints;
  if (!classes?.length) {
    throw new Error(`${label} has no class labels (classlabels_strings or classlabels_int64s)`);
  }
  return classes;
}

function safeLabel(value: bigint, label: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) {
    throw new Error(`${label} has the class label ${value}, beyond JavaScript's safe integers`);
  }
  return n;
}

/** The name of a graph output or value_info, decoded leniently: it is only compared. */
function valueInfoName(valueInfo: ProtobufReader): string {
  for (let f = valueInfo.next(); f; f = valueInfo.next()) {
    if (f.number === VALUE_INFO.name) return lenient.decode(valueInfo.raw(f));
  }
  return '';
}

/** The model with `extra` appended to the contents of the graph field `graph`. */
function spliceGraph(bytes: Uint8Array, graph: ProtobufField, extra: Uint8Array): Uint8Array {
  const length = varint(graph.dataEnd - graph.dataStart + extra.length);
  const out = new Uint8Array(
    bytes.length - (graph.dataStart - graph.tagEnd) + length.length + extra.length,
  );
  let at = 0;
  for (const part of [
    bytes.subarray(0, graph.tagEnd),
    length,
    bytes.subarray(graph.dataStart, graph.dataEnd),
    extra,
    bytes.subarray(graph.end),
  ]) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A non-negative integer as a protobuf varint. */
function varint(value: number): Uint8Array {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Uint8Array.from(out);
}

function expectLength(field: ProtobufField, what: string): ProtobufField {
  if (field.wire !== WireType.length) {
    throw new ProtobufError(`${what} at byte ${field.start} is not a length-delimited message`);
  }
  return field;
}
