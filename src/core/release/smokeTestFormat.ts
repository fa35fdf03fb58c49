/**
 * The format of smoke-test.json, apart from the code that writes it (smokeTestData.ts, which reads
 * data with DuckDB and runs the model), so that its readers stay light.
 */

/** Bumped when a key of smoke-test.json changes meaning. */
export const SMOKE_TEST_VERSION = 1;
/** Rows a bundle carries; enough to catch a wrong feature order, few enough to stay small. */
export const SMOKE_TEST_ROWS = 50;
/** Largest difference between a served and a recorded probability or value. */
export const SMOKE_TEST_TOLERANCE = 1e-5;

export type SmokeValue = string | number | boolean | null;

/** One OIP input tensor of a column-named model. */
export interface SmokeTensor {
  name: string;
  datatype: string;
  shape: number[];
  data: (number | string | boolean)[];
}

/** What the model predicted for the rows, by task. */
export type SmokeExpected =
  | { kind: 'binary'; positive: string; threshold: number; probabilities: number[] }
  | { kind: 'multiclass'; probabilities: number[][] }
  | { kind: 'regression'; predictions: number[] };

export interface SmokeTestData {
  smoke_test_version: number;
  model: string;
  /** The evaluation data the rows come from, as modelship.yml names it. */
  data: string;
  tolerance: number;
  /** Feature columns of each row, as the data file holds them: the body of POST /predict. */
  rows: Record<string, SmokeValue>[];
  /**
   * The rows as the model's input, the body of the OIP infer request: one float32 [rows, width]
   * tensor, or one tensor per column-named input. `positive_column` 0: the output's column 0 is
   * P(positive) (a model whose classes put the positive one first); otherwise column 1 is.
   */
  inputs: (
    | { name: string; output: string; width: number; data: number[][] }
    | { output: string; tensors: SmokeTensor[] }
  ) & { positive_column?: 0 };
  expected: SmokeExpected;
}
