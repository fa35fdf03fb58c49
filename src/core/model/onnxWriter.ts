import {
  buildOnnxModel,
  type AttributeValue,
  type Dim,
  type ElemType,
  type Initializer,
  type OnnxNode,
} from './onnxEncoding.js';

export * from './onnxEncoding.js';

/** Names and versions shared by the model builders below. */
export interface BuilderOptions {
  /** Name of the float input [N, F]; default 'input'. */
  inputName?: string;
  /** Name of the output; default 'probabilities' for classifiers, 'prediction' for regressors. */
  outputName?: string;
  opset?: number;
  producer?: string;
}

/** How a binary classifier lays out P(positive): [N, 2] (1−p, p), [N, 1] or [N]. */
export type BinaryOutput = 'proba2' | 'proba1' | 'vector';

/** A dense layer: `weights` is in × out (row i holds input i's weights), `bias` has out values. */
export interface DenseLayer {
  weights: readonly (readonly number[])[];
  bias: readonly number[];
}

/** Logistic regression, sigmoid(x·w + b), with P(positive) laid out as `output` says. */
export function logisticRegressionModel(
  options: BuilderOptions & { weights: readonly number[]; bias: number; output?: BinaryOutput },
): Uint8Array {
  const g = new GraphBuilder(options.weights.length, options);
  const logit = g.dense(g.input, column(options.weights), [options.bias]);
  const name = options.outputName ?? 'probabilities';
  return g.build(name, binaryOutput(g, g.op('Sigmoid', [logit]), options.output ?? 'proba2', name));
}

/** Multinomial logistic regression: softmax(x·W + b) as [N, C]; `weights` is F × C. */
export function softmaxRegressionModel(
  options: BuilderOptions & { weights: readonly (readonly number[])[]; bias: readonly number[] },
): Uint8Array {
  const g = new GraphBuilder(options.weights.length, options);
  const logits = g.dense(g.input, options.weights, options.bias);
  const name = options.outputName ?? 'probabilities';
  g.op('Softmax', [logits], { axis: { int: 1 } }, name);
  return g.build(name, ['N', options.bias.length]);
}

/** Linear regression, x·w + b, as [N] ('vector', the default) or [N, 1] ('column'). */
export function linearRegressionModel(
  options: BuilderOptions & {
    weights: readonly number[];
    bias: number;
    output?: 'vector' | 'column';
  },
): Uint8Array {
  const g = new GraphBuilder(options.weights.length, options);
  const name = options.outputName ?? 'prediction';
  const y = g.dense(g.input, column(options.weights), [options.bias]);
  if (options.output === 'column') {
    g.op('Identity', [y], {}, name);
    return g.build(name, ['N', 1]);
  }
  g.flatten(y, name);
  return g.build(name, ['N']);
}

/**
 * A multilayer perceptron: `activation` after every layer but the last, whose output is turned
 * into P(positive) as [N, 2] ('proba2', one unit), class probabilities ('softmax', C units) or a
 * value per row as [N] ('regression', one unit).
 */
export function mlpModel(
  options: BuilderOptions & {
    layers: readonly DenseLayer[];
    activation: 'relu' | 'tanh';
    output: 'proba2' | 'softmax' | 'regression';
  },
): Uint8Array {
  const { layers, output } = options;
  if (layers.length === 0) throw new RangeError('mlpModel: needs at least one layer');
  const g = new GraphBuilder(layers[0]!.weights.length, options);
  let h = g.input;
  layers.forEach((layer, i) => {
    const inputs = i === 0 ? layer.weights.length : layers[i - 1]!.bias.length;
    if (layer.weights.length !== inputs) {
      throw new RangeError(
        `mlpModel: layer ${i + 1} has ${layer.weights.length} weight rows, but its input has ${inputs} values`,
      );
    }
    h = g.dense(h, layer.weights, layer.bias, `layer ${i + 1}`);
    if (i < layers.length - 1) h = g.op(options.activation === 'relu' ? 'Relu' : 'Tanh', [h]);
  });
  const units = layers.at(-1)!.bias.length;
  if (output !== 'softmax' && units !== 1) {
    throw new RangeError(
      `mlpModel: output '${output}' needs 1 unit in the last layer, not ${units}`,
    );
  }
  if (output === 'softmax') {
    const name = options.outputName ?? 'probabilities';
    g.op('Softmax', [h], { axis: { int: 1 } }, name);
    return g.build(name, ['N', units]);
  }
  if (output === 'proba2') {
    const name = options.outputName ?? 'probabilities';
    return g.build(name, binaryOutput(g, g.op('Sigmoid', [h]), 'proba2', name));
  }
  const name = options.outputName ?? 'prediction';
  g.flatten(h, name);
  return g.build(name, ['N']);
}

/** Lays out p ([N, 1]) as the binary output asks and returns the output's shape. */
function binaryOutput(g: GraphBuilder, p: string, output: BinaryOutput, name: string): Dim[] {
  if (output === 'proba1') {
    g.op('Identity', [p], {}, name);
    return ['N', 1];
  }
  if (output === 'vector') {
    g.flatten(p, name);
    return ['N'];
  }
  const q = g.op('Sub', [g.constant('one', [1], [1]), p]);
  g.op('Concat', [q, p], { axis: { int: 1 } }, name);
  return ['N', 2];
}

function column(weights: readonly number[]): number[][] {
  return weights.map((w) => [w]);
}

/** Collects nodes and initializers with generated names, then writes the model. */
class GraphBuilder {
  readonly input: string;
  private readonly nodes: OnnxNode[] = [];
  private readonly initializers: Initializer[] = [];
  private count = 0;

  constructor(
    private readonly width: number,
    private readonly options: BuilderOptions,
  ) {
    if (width === 0) throw new RangeError('model builder: needs at least one input feature');
    this.input = options.inputName ?? 'input';
  }

  /** Adds an operator and returns the name of its (single) output. */
  op(
    opType: string,
    inputs: string[],
    attributes: Record<string, AttributeValue> = {},
    output = `${opType.toLowerCase()}_${this.count++}`,
  ): string {
    this.nodes.push({ opType, inputs, outputs: [output], name: output, attributes });
    return output;
  }

  /** Adds a constant tensor and returns its name. */
  constant(base: string, dims: number[], data: ArrayLike<number>, elemType?: ElemType): string {
    const name = `${base}_${this.count++}`;
    this.initializers.push({ name, dims, data, elemType });
    return name;
  }

  /** x · W + b, checking that W is a rectangular in × out matrix and b has out values. */
  dense(
    x: string,
    weights: readonly (readonly number[])[],
    bias: readonly number[],
    what = 'weights',
  ): string {
    const rows = weights.length;
    const cols = bias.length;
    const flat = new Float32Array(rows * cols);
    weights.forEach((row, i) => {
      if (row.length !== cols) {
        throw new RangeError(
          `model builder: ${what} row ${i + 1} has ${row.length} values, but the bias has ${cols}`,
        );
      }
      flat.set(row, i * cols);
    });
    const w = this.constant('weight', [rows, cols], flat);
    const b = this.constant('bias', [cols], bias);
    return this.op('Add', [this.op('MatMul', [x, w]), b]);
  }

  /** Reshapes [N, 1] to [N]. */
  flatten(x: string, output: string): void {
    this.op('Reshape', [x, this.constant('shape', [1], [-1], 'int64')], {}, output);
  }

  build(outputName: string, outputShape: Dim[]): Uint8Array {
    return buildOnnxModel({
      inputs: [{ name: this.input, shape: ['N', this.width] }],
      outputs: [{ name: outputName, shape: outputShape }],
      nodes: this.nodes,
      initializers: this.initializers,
      opset: this.options.opset,
      producer: this.options.producer,
    });
  }
}
