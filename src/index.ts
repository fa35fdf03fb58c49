// The library behind the CLI and the actions, for training scripts and tools that build on
// Modelship: the same config loader, feature builder and ONNX writer the pipeline uses, so a
// script cannot drift from what evaluation and serving do.
export {
  loadConfig,
  type LoadedConfig,
  type ModelshipConfig,
  type Feature,
} from './core/config/modelshipConfig.js';
export { loadDataContract, type DataContract } from './core/config/dataContract.js';
export { ModelshipError } from './core/errors.js';
export { validateData } from './core/data/validate.js';
export { loadEvaluationData, type EvaluationData } from './core/model/evaluationData.js';
export { buildFeatureMatrix, featureNames, featureWidth } from './core/model/featureMatrix.js';
export {
  buildOnnxModel,
  linearRegressionModel,
  logisticRegressionModel,
  mlpModel,
  softmaxRegressionModel,
} from './core/model/onnxWriter.js';
export {
  fitLogisticRegression,
  type LogisticRegressionFit,
} from './core/train/logisticRegression.js';
export { binaryMetrics } from './core/metrics/binary.js';
