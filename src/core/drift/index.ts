export type {
  Degradation,
  DegradationCheck,
  DriftColumn,
  DriftColumnType,
  DriftMethod,
  DriftReport,
  DriftShares,
  PerformanceDrift,
  PredictionDrift,
} from './driftReport.js';
export { computeDrift, type DriftOptions } from './computeDrift.js';
export { driftMarkdown } from './driftMarkdown.js';
export { driftText } from './driftText.js';
export { judgeDegradation } from './degradation.js';
export type { ExtremeOutputs } from './extremeOutputs.js';
