/**
 * Every file of a release bundle, SHA256SUMS included, sorted: what `modelship package` writes and
 * publish-model uploads. Written out here, not taken from BUNDLE_FILES, so that the tests notice
 * when a file is added or lost.
 */
export const RELEASE_ASSETS = [
  'MODEL_CARD.md',
  'SHA256SUMS',
  'manifest.json',
  'metrics.json',
  'model.onnx',
  'modelship.yml',
  'profile.json',
  'schema.yml',
  'smoke-test.json',
];
