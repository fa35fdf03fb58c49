// Kept apart from bundle.ts (which evaluates, profiles and loads models) so that readers of a
// bundle, such as the deploy step, import the names without DuckDB or onnxruntime.
import { SHA256SUMS } from './checksums.js';

/** File names inside a release bundle (contract for publish-model, serve and drift-check). */
export const BUNDLE_FILES = {
  model: 'model.onnx',
  config: 'modelship.yml',
  schema: 'schema.yml',
  metrics: 'metrics.json',
  profile: 'profile.json',
  card: 'MODEL_CARD.md',
  manifest: 'manifest.json',
  sums: SHA256SUMS,
  /** Evaluation rows with the model's recorded predictions, for deploy's smoke test. */
  smokeTest: 'smoke-test.json',
} as const;
