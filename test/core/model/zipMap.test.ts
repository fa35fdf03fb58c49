import { readFileSync } from 'node:fs';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import {
  buildOnnxModel,
  logisticRegressionModel,
  type OnnxGraph,
  type OnnxNode,
} from '../../../src/core/model/onnxWriter.js';
import { ProtobufReader, type ProtobufField } from '../../../src/core/model/protobufReader.js';
import { ProtobufWriter } from '../../../src/core/model/protobufWriter.js';
import { exposeZipMapInputs } from '../../../src/core/model/zipMap.js';
import { seededRandom } from '../../support/prng.js';
import {
  dense,
  maxRelativeDifference,
  randomMatrix,
  randomWeights,
  softmax,
} from '../../fixtures/models/reference.js';

const F = 4;
const C = 3;
const ROWS = 33;
const WEIGHTS = randomWeights(14, F, C); // F × C
const BIAS = [0.25, -0.5, 0.125];

type Labels = { strings: string[] } | { ints: number[] };

/**
 * A converter's classifier tail: LinearClassifier with a softmax gives the [N, C] scores, a
 * ZipMap turns them into output_probability. The label output feeds nothing, as in skl2onnx.
 */
function classifierGraph(labels: Labels, extra: Partial<OnnxGraph> = {}): OnnxGraph {
  const intLabels = 'ints' in labels;
  const nodes: OnnxNode[] = [
    {
      opType: 'LinearClassifier',
      domain: 'ai.onnx.ml',
      name: 'linear',
      inputs: ['input'],
      outputs: ['label', 'probabilities'],
      attributes: {
        // LinearClassifier's coefficients are C × F, row per class.
        coefficients: { floats: WEIGHTS[0]!.flatMap((_, c) => WEIGHTS.map((row) => row[c]!)) },
        intercepts: { floats: BIAS },
        multi_class: { int: 1 },
        post_transform: { string: 'SOFTMAX' },
        ...(intLabels ? { classlabels_ints: labels } : { classlabels_strings: labels }),
      },
    },
    {
      opType: 'ZipMap',
      domain: 'ai.onnx.ml',
      name: 'zipmap',
      inputs: ['probabilities'],
      outputs: ['output_probability'],
      attributes: intLabels ? { classlabels_int64s: labels } : { classlabels_strings: labels },
    },
  ];
  return {
    inputs: [{ name: 'input', shape: ['N', F] }],
    outputs: [{ name: 'output_probability', mapSequence: { key: intLabels ? 'int64' : 'string' } }],
    nodes,
    domains: { 'ai.onnx.ml': 1 },
    ...extra,
  };
}

const X = randomMatrix(15, ROWS, F);
const EXPECTED = softmax(dense(X, ROWS, WEIGHTS, BIAS), C);

async function fetchTensor(bytes: Uint8Array, name: string) {
  const session = await InferenceSession.create(bytes);
  try {
    const input = new Tensor('float32', X, [ROWS, F]);
    // Fetch only the tensor: onnxruntime-node cannot return the ZipMap's sequence of maps.
    const out = await session.run({ input }, [name]);
    return { outputNames: session.outputNames, tensor: out[name]! };
  } finally {
    await session.release();
  }
}

/** Every field of a message as [number, bytes] pairs. */
function fieldsOf(bytes: Uint8Array, start = 0, end = bytes.length): [number, string][] {
  const reader = new ProtobufReader(bytes, start, end);
  const out: [number, string][] = [];
  for (let f = reader.next(); f; f = reader.next()) {
    out.push([f.number, Buffer.from(bytes.subarray(f.start, f.end)).toString('hex')]);
  }
  return out;
}

/** The contents of each GraphProto.output, in order. */
function outputsOf(bytes: Uint8Array): Uint8Array[] {
  const graph = graphField(bytes);
  const reader = new ProtobufReader(bytes, graph.dataStart, graph.dataEnd);
  const out: Uint8Array[] = [];
  for (let f = reader.next(); f; f = reader.next()) {
    if (f.number === 12) out.push(bytes.subarray(f.dataStart, f.dataEnd));
  }
  return out;
}

function graphField(bytes: Uint8Array): ProtobufField {
  const reader = new ProtobufReader(bytes);
  for (let f = reader.next(); f; f = reader.next()) if (f.number === 7) return f;
  throw new Error('no graph');
}

describe('exposeZipMapInputs', () => {
  it('exposes the tensor feeding a ZipMap with int64 labels, and onnxruntime returns it', async () => {
    const original = buildOnnxModel(classifierGraph({ ints: [0, 1, 2] }));
    const { bytes, zipMaps } = exposeZipMapInputs(original);
    expect(zipMaps).toEqual([
      { output: 'output_probability', tensor: 'probabilities', classes: [0, 1, 2] },
    ]);
    expect(bytes).not.toBe(original);
    const { outputNames, tensor } = await fetchTensor(bytes, 'probabilities');
    expect(outputNames).toEqual(['output_probability', 'probabilities']);
    expect(tensor.type).toBe('float32');
    expect(tensor.dims).toEqual([ROWS, C]);
    expect(maxRelativeDifference(tensor.data as Float32Array, EXPECTED)).toBeLessThan(1e-5);
  });

  it('reads string class labels in column order', async () => {
    const labels = ['setosa', 'versicolor', 'virginica'];
    const { bytes, zipMaps, added } = exposeZipMapInputs(
      buildOnnxModel(classifierGraph({ strings: labels })),
    );
    expect(added).toEqual(['probabilities']);
    expect(zipMaps).toEqual([
      { output: 'output_probability', tensor: 'probabilities', classes: labels },
    ]);
    const { tensor } = await fetchTensor(bytes, 'probabilities');
    expect(maxRelativeDifference(tensor.data as Float32Array, EXPECTED)).toBeLessThan(1e-5);
  });

  it('reads negative and large int64 labels, packed or one field per value', () => {
    const labels = [-7, 0, 2 ** 40];
    const packed = exposeZipMapInputs(buildOnnxModel(classifierGraph({ ints: labels })));
    expect(packed.zipMaps[0]!.classes).toEqual(labels);
    // proto2's default, which ONNX's Python serializer writes: one varint field per value.
    const unpacked = zipMapOnlyModel((node) =>
      node.message(5, (a) => {
        a.string(1, 'classlabels_int64s');
        for (const label of labels) a.int(8, label);
        a.int(20, 7);
      }),
    );
    expect(exposeZipMapInputs(unpacked).zipMaps[0]!.classes).toEqual(labels);
  });

  it('returns the same bytes, untouched, when the graph has no ZipMap', () => {
    const model = logisticRegressionModel({ weights: [1, 2], bias: 0.5 });
    const copy = model.slice();
    const result = exposeZipMapInputs(model);
    expect(result.bytes).toBe(model);
    expect(result.zipMaps).toEqual([]);
    expect(model).toEqual(copy);
  });

  it('adds nothing when the ZipMap input is already a graph output', async () => {
    const graph = classifierGraph({ ints: [3, 5, 9] });
    const model = buildOnnxModel({
      ...graph,
      outputs: [...graph.outputs, { name: 'probabilities', shape: ['N', C] }],
    });
    const { bytes, zipMaps, added } = exposeZipMapInputs(model);
    expect(bytes).toBe(model);
    expect(added).toEqual([]);
    expect(zipMaps).toEqual([
      { output: 'output_probability', tensor: 'probabilities', classes: [3, 5, 9] },
    ]);
    const { outputNames } = await fetchTensor(bytes, 'probabilities');
    expect(outputNames).toEqual(['output_probability', 'probabilities']);
  });

  it('copies the declared shape from value_info when the graph has one', async () => {
    const model = buildOnnxModel(
      classifierGraph(
        { ints: [0, 1, 2] },
        { valueInfo: [{ name: 'probabilities', shape: ['batch', C] }] },
      ),
    );
    const { bytes } = exposeZipMapInputs(model);
    const session = await InferenceSession.create(bytes);
    try {
      const meta = session.outputMetadata.find((m) => m.name === 'probabilities');
      expect(meta).toMatchObject({ isTensor: true, type: 'float32', shape: ['batch', C] });
    } finally {
      await session.release();
    }
  });

  it('declares float [?, C] without value_info, C the number of class labels', async () => {
    const { bytes } = exposeZipMapInputs(buildOnnxModel(classifierGraph({ ints: [0, 1, 2] })));
    const added = outputsOf(bytes).at(-1)!;
    // ValueInfoProto{name, type{tensor_type{elem_type 1, shape{dim{}, dim{dim_value 3}}}}}
    const expected = new ProtobufWriter()
      .string(1, 'probabilities')
      .message(2, (t) =>
        t.message(1, (tensor) =>
          tensor
            .int(1, 1)
            .message(2, (shape) =>
              shape.message(1, () => undefined).message(1, (d) => d.int(1, C)),
            ),
        ),
      )
      .finish();
    expect(added).toEqual(expected);
    const session = await InferenceSession.create(bytes);
    try {
      const meta = session.outputMetadata.find((m) => m.name === 'probabilities');
      expect(meta).toMatchObject({ isTensor: true, type: 'float32' });
      expect(meta?.isTensor && meta.shape.at(-1)).toBe(C);
    } finally {
      await session.release();
    }
  });

  it('changes only the graph: every other field, unknown ones included, keeps its bytes', () => {
    const built = buildOnnxModel(classifierGraph({ ints: [0, 1, 2] }));
    // Unknown fields before and after the graph, and an unknown field inside it.
    const model = new ProtobufWriter()
      .string(99, 'before')
      .bytes(
        7,
        graphContents(built, (g) => g.string(98, 'inside')),
      )
      .finish();
    const withRest = concat(model, withoutGraph(built), new ProtobufWriter().int(97, 5).finish());

    const { bytes } = exposeZipMapInputs(withRest);
    const before = fieldsOf(withRest).filter(([n]) => n !== 7);
    const after = fieldsOf(bytes).filter(([n]) => n !== 7);
    expect(after).toEqual(before);
    // The graph's old contents come first, unchanged; one output follows.
    const oldGraph = graphField(withRest);
    const newGraph = graphField(bytes);
    const oldContents = withRest.subarray(oldGraph.dataStart, oldGraph.dataEnd);
    expect(bytes.subarray(newGraph.dataStart, newGraph.dataStart + oldContents.length)).toEqual(
      oldContents,
    );
    const added = fieldsOf(bytes, newGraph.dataStart + oldContents.length, newGraph.dataEnd);
    expect(added.map(([n]) => n)).toEqual([12]);
    const inside = Buffer.from(new ProtobufWriter().string(98, 'inside').finish()).toString('hex');
    expect(fieldsOf(bytes, newGraph.dataStart, newGraph.dataEnd)).toContainEqual([98, inside]);
  });

  it('grows the graph length prefix across a varint boundary', async () => {
    // Pad the graph so its length sits just under 2^14, where the prefix needs a third byte.
    const plain = buildOnnxModel(classifierGraph({ ints: [0, 1, 2] }));
    const contents = graphContents(plain, () => undefined);
    const pad = 2 ** 14 - 1 - contents.length - 4; // doc_string field: tag, 2-byte length, text
    const model = concat(
      new ProtobufWriter()
        .bytes(
          7,
          graphContents(plain, (g) => g.string(10, 'x'.repeat(pad))),
        )
        .finish(),
      withoutGraph(plain),
    );
    expect(graphField(model).dataStart - graphField(model).tagEnd).toBe(2);
    const { bytes } = exposeZipMapInputs(model);
    expect(graphField(bytes).dataStart - graphField(bytes).tagEnd).toBe(3);
    const { tensor } = await fetchTensor(bytes, 'probabilities');
    expect(maxRelativeDifference(tensor.data as Float32Array, EXPECTED)).toBeLessThan(1e-5);
  });

  it('exposes a tensor once when two ZipMaps read it', () => {
    const graph = classifierGraph({ ints: [0, 1, 2] });
    const second: OnnxNode = { ...graph.nodes[1]!, name: 'again', outputs: ['again'] };
    const { bytes, zipMaps } = exposeZipMapInputs(
      buildOnnxModel({ ...graph, nodes: [...graph.nodes, second] }),
    );
    expect(zipMaps.map((z) => [z.output, z.tensor])).toEqual([
      ['output_probability', 'probabilities'],
      ['again', 'probabilities'],
    ]);
    const outputs = fieldsOf(bytes, graphField(bytes).dataStart, graphField(bytes).dataEnd);
    expect(outputs.filter(([n]) => n === 12)).toHaveLength(2);
  });

  it('rewrites a 50 MB model in well under a second', () => {
    const weights = new Float32Array((50 * 2 ** 20) / 4).fill(0.5);
    const graph = classifierGraph({ ints: [0, 1, 2] });
    const model = buildOnnxModel({
      ...graph,
      initializers: [{ name: 'unused', dims: [weights.length], data: weights }],
    });
    expect(model.length).toBeGreaterThan(50 * 2 ** 20);
    const started = performance.now();
    const { bytes, zipMaps } = exposeZipMapInputs(model);
    const elapsed = performance.now() - started;
    expect(zipMaps).toHaveLength(1);
    // About 50 ms here (one copy of the bytes); the bound leaves room for a loaded CI runner.
    expect(elapsed).toBeLessThan(800);
    // The old graph, initializer included, is copied whole before the new output.
    const before = graphField(model);
    const after = graphField(bytes);
    const contents = model.subarray(before.dataStart, before.dataEnd);
    expect(
      Buffer.compare(bytes.subarray(after.dataStart, after.dataStart + contents.length), contents),
    ).toBe(0);
    expect(Buffer.compare(bytes.subarray(after.end), model.subarray(before.end))).toBe(0);
  });

  it('reads a graph written in two pieces, as protobuf merges them', async () => {
    // The nodes in a first ModelProto.graph field, the rest in a second: one graph to a reader.
    const built = buildOnnxModel(classifierGraph({ strings: ['a', 'b', 'c'] }));
    const graph = graphField(built);
    const reader = new ProtobufReader(built, graph.dataStart, graph.dataEnd);
    const nodes = new ProtobufWriter();
    const rest = new ProtobufWriter();
    for (let f = reader.next(); f; f = reader.next()) {
      (f.number === 1 ? nodes : rest).bytes(f.number, built.subarray(f.dataStart, f.dataEnd));
    }
    const split = concat(
      new ProtobufWriter().bytes(7, nodes.finish()).bytes(7, rest.finish()).finish(),
      withoutGraph(built),
    );
    const { bytes, zipMaps } = exposeZipMapInputs(split);
    expect(zipMaps).toEqual([
      { output: 'output_probability', tensor: 'probabilities', classes: ['a', 'b', 'c'] },
    ]);
    const { tensor } = await fetchTensor(bytes, 'probabilities');
    expect(maxRelativeDifference(tensor.data as Float32Array, EXPECTED)).toBeLessThan(1e-5);
  });

  it('leaves alone a ZipMap of another domain and one inside a subgraph', () => {
    const otherDomain = zipMapOnlyModel(
      (n) => n.message(5, (a) => a.string(1, 'classlabels_int64s').packedInts(8, [0]).int(20, 7)),
      'com.example',
    );
    expect(exposeZipMapInputs(otherDomain)).toEqual({
      bytes: otherDomain,
      zipMaps: [],
      classifiers: [],
      added: [],
    });
    // An If node whose then_branch (AttributeProto.g) holds a ZipMap: only the main graph counts.
    const nested = new ProtobufWriter()
      .message(7, (g) =>
        g.message(1, (n) =>
          n
            .string(1, 'condition')
            .string(2, 'out')
            .string(4, 'If')
            .message(5, (a) =>
              a.string(1, 'then_branch').bytes(
                6,
                graphContents(otherDomain.slice(), () => undefined),
              ),
            ),
        ),
      )
      .finish();
    expect(exposeZipMapInputs(nested).bytes).toBe(nested);
  });

  it('treats an empty label list as absent, as onnxruntime does', () => {
    const model = zipMapOnlyModel((n) => {
      n.message(5, (a) => a.string(1, 'classlabels_strings').int(20, 8));
      n.message(5, (a) => a.string(1, 'classlabels_int64s').packedInts(8, [4, 2]).int(20, 7));
    });
    expect(exposeZipMapInputs(model).zipMaps[0]!.classes).toEqual([4, 2]);
  });

  it('never fails with anything but its own errors on corrupted models', () => {
    const model = buildOnnxModel(classifierGraph({ strings: ['a', 'b', 'c'] }));
    const random = seededRandom(20);
    const known =
      /^(malformed protobuf: |the ONNX model has no graph$|(a ZipMap node|ZipMap node '[^']*') )/;
    let rewritten = 0;
    for (let i = 0; i < 2000; i++) {
      const corrupt = model.slice(0, i % 3 === 0 ? Math.floor(random() * model.length) : undefined);
      for (let k = 0; k < 1 + (i % 4); k++) {
        corrupt[Math.floor(random() * corrupt.length)] = Math.floor(random() * 256);
      }
      try {
        const { bytes } = exposeZipMapInputs(corrupt);
        // Whatever it returns is still well-formed protobuf.
        fieldsOf(bytes);
        if (bytes !== corrupt) rewritten++;
      } catch (error) {
        expect(error).toBeInstanceOf(Error);
        expect((error as Error).message).toMatch(known);
      }
    }
    expect(rewritten).toBeGreaterThan(0);
  });

  it('exposes a ZipMap input that is the graph input itself, declared as the input is', async () => {
    const model = buildOnnxModel({
      inputs: [{ name: 'input', shape: ['N', C] }],
      outputs: [{ name: 'output_probability', mapSequence: { key: 'int64' } }],
      nodes: [zipMapNode('input', [0, 1, 2])],
      domains: { 'ai.onnx.ml': 1 },
    });
    const { bytes, zipMaps } = exposeZipMapInputs(model);
    expect(zipMaps[0]!.tensor).toBe('input');
    const session = await InferenceSession.create(bytes);
    try {
      // Declared as the input is: ['N', C].
      expect(session.outputMetadata.find((m) => m.name === 'input')).toMatchObject({
        shape: ['N', C],
      });
      const p = new Float32Array([0.2, 0.3, 0.5, 0.6, 0.3, 0.1]);
      const out = await session.run({ input: new Tensor('float32', p, [2, C]) }, ['input']);
      expect(out.input!.data).toEqual(p);
    } finally {
      await session.release();
    }
  });

  it('scans a graph of 50 000 nodes in linear time', () => {
    const nodes: OnnxNode[] = Array.from({ length: 50_000 }, (_, i) => ({
      opType: 'Identity',
      name: `identity_${i}`,
      inputs: [i ? `t${i - 1}` : 'input'],
      outputs: [`t${i}`],
    }));
    const model = buildOnnxModel({
      inputs: [{ name: 'input', shape: ['N', C] }],
      outputs: [{ name: 'output_probability', mapSequence: { key: 'int64' } }],
      nodes: [...nodes, zipMapNode('t49999', [0, 1, 2])],
      domains: { 'ai.onnx.ml': 1 },
    });
    const started = performance.now();
    const { zipMaps } = exposeZipMapInputs(model);
    // About 20 ms here; a scan quadratic in the nodes would take minutes. The bound leaves
    // room for a cold JIT on a loaded CI runner.
    expect(performance.now() - started).toBeLessThan(2000);
    expect(zipMaps[0]!.tensor).toBe('t49999');
  });

  describe('models written by ONNX’s Python library, against scikit-learn', () => {
    // test/fixtures/zipmap/make_zipmap_models.py: skl2onnx's LogisticRegression graphs.
    const fixture = (name: string) => new URL(`../../fixtures/zipmap/${name}`, import.meta.url);
    const expected = JSON.parse(readFileSync(fixture('expected.json'), 'utf8')) as Record<
      string,
      { classes: string[] | number[]; x: number[][]; proba: number[][] }
    >;

    for (const [name, cases] of Object.entries(expected)) {
      it(`${name}: predict_proba from the exposed tensor, labels from the ZipMap`, async () => {
        const original = new Uint8Array(readFileSync(fixture(`${name}.onnx`)));
        const { bytes, zipMaps } = exposeZipMapInputs(original);
        expect(zipMaps).toEqual([
          { output: 'output_probability', tensor: 'probabilities', classes: cases.classes },
        ]);
        const session = await InferenceSession.create(bytes);
        try {
          expect(session.outputNames).toEqual([
            'output_label',
            'output_probability',
            'probabilities',
          ]);
          const width = cases.x[0]!.length;
          const x = new Tensor('float32', Float32Array.from(cases.x.flat()), [
            cases.x.length,
            width,
          ]);
          const out = await session.run({ float_input: x }, ['probabilities', 'output_label']);
          const proba = out.probabilities!;
          expect(proba.dims).toEqual([cases.x.length, cases.classes.length]);
          // float32 arithmetic in onnxruntime against float64 in scikit-learn.
          const want = cases.proba.flat();
          const got = Array.from(proba.data as Float32Array);
          const worst = Math.max(...got.map((p, i) => Math.abs(p - want[i]!)));
          expect(worst).toBeLessThan(1e-5);
          // The label the model predicts is the class of the largest probability column.
          const labels = Array.from(out.output_label!.data as ArrayLike<unknown>, (v) =>
            typeof v === 'bigint' ? Number(v) : v,
          );
          const argmax = cases.proba.map((row) => cases.classes[row.indexOf(Math.max(...row))]);
          expect(labels).toEqual(argmax);
        } finally {
          await session.release();
        }
      });
    }
  });

  describe('malformed input', () => {
    const model = buildOnnxModel(classifierGraph({ ints: [0, 1, 2] }));

    it('rejects truncated bytes', () => {
      expect(() => exposeZipMapInputs(model.subarray(0, model.length - 20))).toThrow(
        /malformed protobuf: .*(remain|cut off)/,
      );
    });

    it('rejects bytes that are not protobuf', () => {
      const text = new TextEncoder().encode('{"not": "onnx"}');
      expect(() => exposeZipMapInputs(text)).toThrow(/malformed protobuf/);
      expect(() => exposeZipMapInputs(new Uint8Array([0xff, 0xff, 0xff]))).toThrow(
        /malformed protobuf: varint at byte 0 is cut off/,
      );
      expect(() => exposeZipMapInputs(new Uint8Array(12).fill(0xff))).toThrow(
        /longer than ten bytes/,
      );
    });

    it('rejects a model without a graph, or a graph that is not a message', () => {
      expect(() => exposeZipMapInputs(new Uint8Array())).toThrow('the ONNX model has no graph');
      expect(() => exposeZipMapInputs(new ProtobufWriter().int(7, 1).finish())).toThrow(
        /ModelProto.graph at byte 0 is not a length-delimited message/,
      );
    });

    it('rejects a graph length beyond the end of the file', () => {
      const lying = new Uint8Array([0x3a, 0xff, 0x01, 0x0a, 0x00]);
      expect(() => exposeZipMapInputs(lying)).toThrow(
        'malformed protobuf: field 7 at byte 0 needs 255 bytes, but only 2 remain',
      );
    });

    it('rejects a ZipMap without class labels or with both kinds', () => {
      expect(() => exposeZipMapInputs(zipMapOnlyModel(() => undefined))).toThrow(
        "ZipMap node 'zipmap' has no class labels (classlabels_strings or classlabels_int64s)",
      );
      const both = zipMapOnlyModel((node) => {
        node.message(5, (a) => a.string(1, 'classlabels_int64s').packedInts(8, [0]).int(20, 7));
        node.message(5, (a) => a.string(1, 'classlabels_strings').string(9, 'a').int(20, 8));
      });
      expect(() => exposeZipMapInputs(both)).toThrow(
        "ZipMap node 'zipmap' has both classlabels_strings and classlabels_int64s; it needs one",
      );
    });

    it('rejects a ZipMap label beyond safe integers', () => {
      const huge = zipMapOnlyModel((node) =>
        node.message(5, (a) =>
          a
            .string(1, 'classlabels_int64s')
            .packedInts(8, [2n ** 60n])
            .int(20, 7),
        ),
      );
      expect(() => exposeZipMapInputs(huge)).toThrow(
        "ZipMap node 'zipmap' has the class label 1152921504606846976, beyond JavaScript's safe integers",
      );
    });

    it('rejects text that is not UTF-8 in a ZipMap, and only there', () => {
      const notUtf8 = new Uint8Array([0xc3, 0x28]);
      // ONNX's strings are proto2 bytes: other nodes and outputs may hold anything.
      const elsewhere = new ProtobufWriter()
        .message(7, (g) =>
          g
            .message(1, (n) => n.bytes(3, notUtf8).string(4, 'Identity'))
            .message(12, (v) => v.bytes(1, notUtf8)),
        )
        .finish();
      expect(exposeZipMapInputs(elsewhere).bytes).toBe(elsewhere);
      const label = zipMapOnlyModel((n) =>
        n.message(5, (a) => a.string(1, 'classlabels_strings').bytes(9, notUtf8).int(20, 8)),
      );
      expect(() => exposeZipMapInputs(label)).toThrow(/field 9 at byte \d+ is not valid UTF-8/);
    });
  });
});

function zipMapNode(input: string, labels: number[]): OnnxNode {
  return {
    opType: 'ZipMap',
    domain: 'ai.onnx.ml',
    inputs: [input],
    outputs: ['output_probability'],
    attributes: { classlabels_int64s: { ints: labels } },
  };
}

/** An Identity → ZipMap model whose ZipMap attributes `attributes` writes. */
function zipMapOnlyModel(
  attributes: (node: ProtobufWriter) => void,
  domain = 'ai.onnx.ml',
): Uint8Array {
  return new ProtobufWriter()
    .int(1, 8)
    .message(7, (g) => {
      g.message(1, (n) =>
        n.string(1, 'input').string(2, 'p').string(3, 'identity').string(4, 'Identity'),
      );
      g.message(1, (n) => {
        n.string(1, 'p').string(2, 'output_probability').string(3, 'zipmap').string(4, 'ZipMap');
        attributes(n);
        n.string(7, domain);
      });
    })
    .finish();
}

/** The graph's contents with more fields written after them. */
function graphContents(model: Uint8Array, more: (graph: ProtobufWriter) => void): Uint8Array {
  const field = graphField(model);
  const extra = new ProtobufWriter();
  more(extra);
  return concat(model.subarray(field.dataStart, field.dataEnd), extra.finish());
}

/** The model's bytes less its graph field. */
function withoutGraph(model: Uint8Array): Uint8Array {
  const field = graphField(model);
  return concat(model.subarray(0, field.start), model.subarray(field.end));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

describe('classifier labels', () => {
  const converted = (name: string) =>
    new Uint8Array(readFileSync(`test/fixtures/converter-models/${name}/model.onnx`));

  it('reads the labels of the classifier node beside a probability tensor without ZipMap', () => {
    // skl2onnx with zipmap off: LinearClassifier's classlabels_strings name the columns.
    const pipeline = converted('credit_pipeline');
    const exposed = exposeZipMapInputs(pipeline);
    expect(exposed.bytes).toBe(pipeline);
    expect(exposed.zipMaps).toEqual([]);
    expect(exposed.classifiers).toEqual([['bad', 'good']]);
    // onnxmltools' XGBoost: TreeEnsembleClassifier with classlabels_int64s.
    expect(exposeZipMapInputs(converted('penguins_xgboost')).classifiers).toEqual([[0, 1, 2]]);
  });

  it('finds none in a model without an ai.onnx.ml classifier', () => {
    expect(exposeZipMapInputs(converted('weather_linear')).classifiers).toEqual([]);
  });
});
