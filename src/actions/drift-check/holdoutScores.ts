/**
 * A release profile made before profiles held the model's scores has no `prediction`, so neither
 * prediction drift nor extreme outputs have a reference. The release's smoke-test.json holds what
 * the model predicted for its first holdout rows: their scores stand in, with a note saying so.
 */
import { writeFileSync } from 'node:fs';
import type { LoadedConfig } from '../../core/config/modelshipConfig.js';
import { numericStatistics } from '../../core/data/profile.js';
import { readProfile } from '../../core/data/profileFile.js';
import { readSmokeTestData } from '../../core/deploy/smokeTest.js';
import { scoreDistribution } from '../../core/drift/modelDrift.js';

/**
 * Adds the holdout scores of `smokeTestPath` to the profile at `profilePath` (rewritten in place)
 * when it has no prediction column; returns the note to report, or undefined when nothing changed.
 */
export function withHoldoutScores(
  profilePath: string,
  smokeTestPath: string,
  loaded: LoadedConfig,
): string | undefined {
  const profile = readProfile(profilePath);
  if (profile.prediction) return undefined;
  const { expected } = readSmokeTestData(smokeTestPath);
  const scores =
    expected.kind === 'binary'
      ? expected.probabilities
      : expected.kind === 'regression'
        ? expected.predictions
        : undefined;
  if (!scores?.length) return undefined;
  // The scores as the drift code reads a model's: sorted distinct values, not-finite ones apart.
  const dist = scoreDistribution({ kind: 'regression', values: Float64Array.from(scores) }, loaded);
  if (dist.kind !== 'numeric') return undefined;
  const { task, positive } = loaded.config.model;
  profile.prediction = {
    name: task === 'binary-classification' ? `P(${String(positive)})` : 'predicted value',
    declared: null,
    count: scores.length,
    nulls: 0,
    ...numericStatistics(dist),
  };
  writeFileSync(profilePath, JSON.stringify(profile));
  return `The release profile holds no model scores: prediction drift and the range of extreme outputs use the ${scores.length} holdout predictions of its smoke-test.json instead.`;
}
