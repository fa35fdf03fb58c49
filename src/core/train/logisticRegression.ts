/** A fitted logistic regression on the original (unstandardised) feature scale. */
export interface LogisticRegressionFit {
  weights: number[];
  bias: number;
  iterations: number;
  /** Mean log loss on the training rows at the end. */
  trainLogLoss: number;
}

export interface LogisticRegressionOptions {
  /** L2 penalty on the standardised weights (not on the bias); default 1. */
  l2?: number;
  maxIterations?: number;
  tolerance?: number;
}

/**
 * Fits P(y = 1 | x) = sigmoid(x·w + b) by Newton's method (IRLS) on standardised features, then
 * folds the standardisation into the weights so the model takes raw features. Deterministic.
 */
export function fitLogisticRegression(
  matrix: Float32Array,
  rows: number,
  width: number,
  y: Uint8Array,
  options: LogisticRegressionOptions = {},
): LogisticRegressionFit {
  const l2 = options.l2 ?? 1;
  const maxIterations = options.maxIterations ?? 50;
  const tolerance = options.tolerance ?? 1e-8;
  const { mean, scale } = standardisation(matrix, rows, width);
  const p = width + 1; // the last coefficient is the bias
  const beta = new Float64Array(p);
  const x = new Float64Array(p);
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    const gradient = new Float64Array(p);
    const hessian = new Float64Array(p * p);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < width; j++) x[j] = (matrix[i * width + j]! - mean[j]!) / scale[j]!;
      x[width] = 1;
      let z = 0;
      for (let j = 0; j < p; j++) z += x[j]! * beta[j]!;
      const mu = 1 / (1 + Math.exp(-z));
      const w = Math.max(mu * (1 - mu), 1e-12);
      const r = mu - y[i]!;
      for (let j = 0; j < p; j++) {
        gradient[j]! += r * x[j]!;
        for (let k = 0; k <= j; k++) hessian[j * p + k]! += w * x[j]! * x[k]!;
      }
    }
    for (let j = 0; j < width; j++) {
      gradient[j]! += l2 * beta[j]!;
      hessian[j * p + j]! += l2;
    }
    for (let j = 0; j < p; j++)
      for (let k = 0; k < j; k++) hessian[k * p + j] = hessian[j * p + k]!;
    const step = solveSymmetric(hessian, gradient, p);
    let change = 0;
    for (let j = 0; j < p; j++) {
      beta[j]! -= step[j]!;
      change = Math.max(change, Math.abs(step[j]!));
    }
    if (change < tolerance) {
      iterations++;
      break;
    }
  }
  const weights = Array.from({ length: width }, (_, j) => beta[j]! / scale[j]!);
  let bias = beta[width]!;
  for (let j = 0; j < width; j++) bias -= (beta[j]! * mean[j]!) / scale[j]!;
  return {
    weights,
    bias,
    iterations,
    trainLogLoss: logLoss(matrix, rows, width, y, weights, bias),
  };
}

function standardisation(matrix: Float32Array, rows: number, width: number) {
  const mean = new Float64Array(width);
  const scale = new Float64Array(width);
  for (let i = 0; i < rows; i++) for (let j = 0; j < width; j++) mean[j]! += matrix[i * width + j]!;
  for (let j = 0; j < width; j++) mean[j]! /= rows;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < width; j++) scale[j]! += (matrix[i * width + j]! - mean[j]!) ** 2;
  }
  // A constant column keeps scale 1 so it cannot divide by zero.
  for (let j = 0; j < width; j++) scale[j] = Math.sqrt(scale[j]! / rows) || 1;
  return { mean, scale };
}

/** Solves A x = b for symmetric positive definite A (Cholesky). */
function solveSymmetric(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j]!;
      for (let k = 0; k < j; k++) sum -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = i === j ? Math.sqrt(Math.max(sum, 1e-12)) : sum / l[j * n + j]!;
    }
  }
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = b[i]!;
    for (let k = 0; k < i; k++) sum -= l[i * n + k]! * z[k]!;
    z[i] = sum / l[i * n + i]!;
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = z[i]!;
    for (let k = i + 1; k < n; k++) sum -= l[k * n + i]! * x[k]!;
    x[i] = sum / l[i * n + i]!;
  }
  return x;
}

function logLoss(
  matrix: Float32Array,
  rows: number,
  width: number,
  y: Uint8Array,
  weights: number[],
  bias: number,
): number {
  let total = 0;
  for (let i = 0; i < rows; i++) {
    let z = bias;
    for (let j = 0; j < width; j++) z += matrix[i * width + j]! * weights[j]!;
    const p = Math.min(Math.max(1 / (1 + Math.exp(-z)), 1e-15), 1 - 1e-15);
    total -= y[i] ? Math.log(p) : Math.log(1 - p);
  }
  return total / rows;
}
