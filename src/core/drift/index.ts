export type {
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
