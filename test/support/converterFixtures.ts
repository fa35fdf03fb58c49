/**
 * The converter-shaped models of test/fixtures/converter-models (written by
 * scripts/converter-models/generate.py): their expected.json, their holdouts, and a run of each
 * model on its holdout with the real onnxruntime-node, one batch or one row at a time as the
 * model's input shape asks. ZipMap outputs (sequences of maps, which onnxruntime-node cannot
 * return) are read through Modelship's exposeZipMapInputs: the float tensor that feeds them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { expect } from 'vitest';
import { binaryMetrics } from '../../src/core/metrics/binary.js';
import { multiclassMetrics } from '../../src/core/metrics/multiclass.js';
import { regressionMetrics } from '../../src/core/metrics/regression.js';
import { exposeZipMapInputs, type ZipMapOutput } from '../../src/core/model/zipMap.js';
import { ROOT, runCli, type CliResult } from './cli.js';
import type { ReferenceCase } from './sklearnReference.js';

export const CONVERTER_FIXTURES = join(ROOT, 'test', 'fixtures', 'converter-models');

type Label = string | number;

export interface FixtureInput {
  name: string;
  type: 'float' | 'double' | 'int64' | 'string';
  /** null: any number of rows. */
  shape: (number | null)[];
  /** The holdout columns that fill it, in order. */
  columns: string[];
}

export interface FixtureOutput {
  name: string;
  /** label: predict; probabilities: predict_proba; positive_probability: its positive column;
   * value: predict of a regressor. */
  holds: 'label' | 'probabilities' | 'positive_probability' | 'value';
  type: string;
  /** Absent for a ZipMap output (a sequence of maps). */
  shape?: (number | null)[];
  zipmap?: boolean;
}

export interface FixtureModel {
  exported_as: string;
  task: 'binary-classification' | 'multiclass-classification' | 'regression';
  holdout: string;
  target: string;
  positive?: string;
  /** The model's class labels in the order of its probability columns. */
  classes?: Label[];
  /** Integer class label → the target's value, where the model was trained on encoded labels. */
  labels?: Record<string, string>;
  inputs: FixtureInput[];
  outputs: FixtureOutput[];
  python: { predict: Label[]; predict_proba?: number[][] };
  /** The same graph with (or without) ZipMap. */
  twin?: string;
  model: string;
  config: string;
  opset: Record<string, number>;
  ir_version: number;
  nodes: string[];
}

export const FIXTURE_MODELS = (
  JSON.parse(readFileSync(join(CONVERTER_FIXTURES, 'expected.json'), 'utf8')) as {
    models: Record<string, FixtureModel>;
  }
).models;

export interface Holdout {
  header: string[];
  rows: string[][];
  column(name: string): string[];
}

/** A holdout CSV as the generator writes it: no quoted fields, no commas inside values. */
export function readHoldout(file: string): Holdout {
  const text = readFileSync(join(CONVERTER_FIXTURES, file), 'utf8');
  if (text.includes('"')) throw new Error(`${file}: quoted fields; this reader splits on commas`);
  const [head, ...lines] = text.trimEnd().split('\n');
  const header = head!.split(',');
  const rows = lines.map((line) => line.split(','));
  return {
    header,
    rows,
    column(name) {
      const index = header.indexOf(name);
      if (index < 0) throw new Error(`${file} has no column ${name}`);
      return rows.map((row) => row[index]!);
    },
  };
}

function inputTensor(input: FixtureInput, holdout: Holdout, rows: string[][]): Tensor {
  const indices = input.columns.map((c) => holdout.header.indexOf(c));
  const values = rows.flatMap((row) => indices.map((i) => row[i]!));
  const dims = [rows.length, input.columns.length];
  switch (input.type) {
    case 'string':
      return new Tensor('string', values, dims);
    case 'int64':
      return new Tensor(
        'int64',
        BigInt64Array.from(values, (v) => BigInt(v)),
        dims,
      );
    case 'double':
      return new Tensor('float64', Float64Array.from(values, Number), dims);
    case 'float':
      return new Tensor('float32', Float32Array.from(values, Number), dims);
  }
}

/** What a model answered on its holdout, row by row. */
export interface ModelRun {
  inputNames: readonly string[];
  outputNames: readonly string[];
  /** The ZipMaps exposeZipMapInputs found. */
  zipMaps: ZipMapOutput[];
  labels?: Label[];
  /** N rows of C probabilities (classification), in the model's column order. */
  proba?: number[][];
  /** P(positive) per row, for a model whose only output is that. */
  positive?: number[];
  /** Regression predictions. */
  values?: number[];
}

/** Runs `name` on its holdout with onnxruntime-node and collects its outputs. */
export async function runFixture(name: string): Promise<ModelRun> {
  const entry = FIXTURE_MODELS[name]!;
  const { bytes, zipMaps } = exposeZipMapInputs(
    readFileSync(join(CONVERTER_FIXTURES, entry.model)),
  );
  const session = await InferenceSession.create(bytes);
  const holdout = readHoldout(entry.holdout);
  const batch = entry.inputs[0]!.shape[0] ?? holdout.rows.length;
  // Every tensor output: the ZipMaps' own outputs replaced by the tensors feeding them.
  const fetch = entry.outputs.map((output) =>
    output.zipmap ? zipMaps.find((z) => z.output === output.name)!.tensor : output.name,
  );
  const run: ModelRun = {
    inputNames: [...session.inputNames],
    outputNames: session.outputNames.filter((n) => !zipMaps.some((z) => z.tensor === n)),
    zipMaps,
  };
  for (let start = 0; start < holdout.rows.length; start += batch) {
    const rows = holdout.rows.slice(start, start + batch);
    // A fixed batch takes exactly `batch` rows: the last one is padded with copies of its last
    // row, and only the real rows' answers are kept.
    const padded = [...rows, ...Array<string[]>(batch - rows.length).fill(rows.at(-1)!)];
    const feeds = Object.fromEntries(
      entry.inputs.map((input) => [input.name, inputTensor(input, holdout, padded)]),
    );
    const results = await session.run(feeds, fetch);
    entry.outputs.forEach((output, k) => {
      collect(run, output.holds, results[fetch[k]!]!, padded.length, rows.length);
    });
  }
  await session.release();
  return run;
}

/** Adds the first `keep` of a batch's `rows` answers to the run. */
function collect(
  run: ModelRun,
  holds: FixtureOutput['holds'],
  tensor: Tensor,
  rows: number,
  keep: number,
) {
  const data = tensor.data as ArrayLike<number | bigint | string>;
  const plain = Array.from(data, (v) => (typeof v === 'bigint' ? Number(v) : v));
  const width = plain.length / rows;
  const kept = plain.slice(0, keep * width);
  if (holds === 'label') (run.labels ??= []).push(...kept);
  else if (holds === 'value') (run.values ??= []).push(...(kept as number[]));
  else if (holds === 'positive_probability') (run.positive ??= []).push(...(kept as number[]));
  else {
    for (let i = 0; i < keep; i++) {
      (run.proba ??= []).push(kept.slice(i * width, (i + 1) * width) as number[]);
    }
  }
}

/** The target's value that a model's class label stands for. */
export function targetValueOf(entry: FixtureModel, label: Label): string {
  return entry.labels?.[String(label)] ?? String(label);
}

/** Binary: 1 where the holdout's target is the positive class. */
export function binaryTruth(entry: FixtureModel): number[] {
  return readHoldout(entry.holdout)
    .column(entry.target)
    .map((value) => (value === entry.positive ? 1 : 0));
}

/** Multiclass: each holdout row's class index in the model's column order. */
export function classIndexTruth(entry: FixtureModel): number[] {
  const order = entry.classes!.map((c) => targetValueOf(entry, c));
  return readHoldout(entry.holdout)
    .column(entry.target)
    .map((value) => {
      const index = order.indexOf(value);
      if (index < 0) throw new Error(`${entry.holdout}: ${value} is not a class of the model`);
      return index;
    });
}

/** Binary: P(positive) per row from a run. */
export function positiveScores(entry: FixtureModel, run: ModelRun): number[] {
  if (run.positive) return run.positive;
  const column = entry.classes!.findIndex((c) => targetValueOf(entry, c) === entry.positive);
  return run.proba!.map((row) => row[column]!);
}

/** Modelship's own metrics on a run's outputs, as evaluate computes them (threshold 0.5). */
export function modelshipMetrics(
  entry: FixtureModel,
  run: ModelRun,
): Record<string, number | null> {
  if (entry.task === 'binary-classification') {
    const scores = Float64Array.from(positiveScores(entry, run));
    return { ...binaryMetrics(Uint8Array.from(binaryTruth(entry)), scores, 0.5) };
  }
  if (entry.task === 'multiclass-classification') {
    const proba = Float64Array.from(run.proba!.flat());
    return {
      ...multiclassMetrics(Int32Array.from(classIndexTruth(entry)), proba, entry.classes!.length),
    };
  }
  const truth = readHoldout(entry.holdout).column(entry.target).map(Number);
  return { ...regressionMetrics(Float64Array.from(truth), Float64Array.from(run.values!)) };
}

/** The same outputs, for sklearn (test/support/sklearnReference.ts). */
export function referenceCase(entry: FixtureModel, run: ModelRun): ReferenceCase {
  if (entry.task === 'binary-classification') {
    return {
      task: 'binary',
      yTrue: binaryTruth(entry),
      scores: positiveScores(entry, run),
      threshold: 0.5,
    };
  }
  if (entry.task === 'multiclass-classification') {
    return { task: 'multiclass', yTrue: classIndexTruth(entry), proba: run.proba! };
  }
  const truth = readHoldout(entry.holdout).column(entry.target).map(Number);
  return { task: 'regression', yTrue: truth, yPred: run.values! };
}

/** |actual − expected| within `tolerance` × max(1, |expected|), for every metric of `expected`. */
export function expectMetricsClose(
  actual: Record<string, number | null | undefined>,
  expected: Record<string, number | null>,
  tolerance: number,
  what: string,
): void {
  expect(Object.keys(actual).sort(), what).toEqual(Object.keys(expected).sort());
  for (const [metric, want] of Object.entries(expected)) {
    const got = actual[metric];
    if (want === null) {
      expect(got, `${what} ${metric}`).toBeNull();
      continue;
    }
    expect(typeof got, `${what} ${metric}`).toBe('number');
    const diff = Math.abs((got as number) - want);
    expect(diff, `${what} ${metric}: ${got} vs ${want}`).toBeLessThanOrEqual(
      tolerance * Math.max(1, Math.abs(want)),
    );
  }
}

/** The JSON report of `modelship evaluate` on a fixture model's own config and holdout. */
export interface EvaluateRun {
  result: CliResult;
  report?: { rows: number; metrics: Record<string, number | null> };
}

/** Runs `modelship evaluate --config <fixture>/modelship.yml --json <dir>/<name>.json` in `dir`. */
export function evaluateFixture(name: string, dir: string): EvaluateRun {
  const entry = FIXTURE_MODELS[name]!;
  const json = join(dir, `${name}.json`);
  const result = runCli(
    ['evaluate', '--config', join(CONVERTER_FIXTURES, entry.config), '--json', json],
    dir,
  );
  if (result.code !== 0) return { result };
  return { result, report: JSON.parse(readFileSync(json, 'utf8')) as EvaluateRun['report'] };
}
