// `modelship drift` with --config judges production as drift-check does: the credit-risk example's
// release bundle (real DuckDB, onnxruntime), then its holdout with every third label flipped, so
// the features do not drift but the model's metrics fall through the config's rules.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config/modelshipConfig.js';
import { writeReleaseBundle } from '../../src/core/release/bundle.js';
import { EVAL_CSV, trainModel, writeProject } from '../support/evaluateProject.js';
import { buildCliIfStale, runCli } from '../support/cli.js';
import { useTempDir } from '../support/tempDir.js';

const dir = useTempDir();
let bundle: string;

beforeAll(async () => {
  buildCliIfStale();
  const model = join(dir, 'model.onnx');
  writeFileSync(model, await trainModel({ l2: 1 }));
  const file = writeProject(dir, { model });
  const config = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  config.metrics = { roc_auc: { min: 0.7 } };
  config.drift = { columns: ['duration', 'credit_amount', 'age', 'checking_status', 'housing'] };
  config.rollback = { mode: 'manual', max_regression: { accuracy: 0.1 } };
  writeFileSync(file, stringify(config));
  bundle = join(dir, 'bundle');
  await writeReleaseBundle({ loaded: loadConfig(file), out: bundle, model, version: '1.0.0' });
  const [header, ...rows] = readFileSync(EVAL_CSV, 'utf8').trim().split('\n');
  const flip = (line: string, i: number) =>
    i % 3
      ? line
      : line.replace(/,(good|bad)$/, (_, c: string) => (c === 'good' ? ',bad' : ',good'));
  writeFileSync(join(dir, 'degraded.csv'), [header, ...rows.map(flip)].join('\n') + '\n');
}, 120_000);

function drift(current: string, ...extra: string[]) {
  return runCli(
    [
      'drift',
      '-r',
      join(bundle, 'profile.json'),
      '--current',
      current,
      '-c',
      'modelship.yml',
      '--model',
      join(bundle, 'model.onnx'),
      '--reference-metrics',
      join(bundle, 'metrics.json'),
      '--json',
      'd.json',
      ...extra,
    ],
    dir,
  );
}

describe('modelship drift --config: the degradation verdict', () => {
  it('reports a degraded model and exits 1 with --fail-on-degradation', () => {
    const r = drift('degraded.csv', '--fail-on-degradation');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^drift: no dataset drift/);
    expect(r.stdout).toMatch(/^performance degraded: roc_auc .*; accuracy regressed by 0\.\d{4}/m);
    const report = JSON.parse(readFileSync(join(dir, 'd.json'), 'utf8'));
    expect(report.degradation.degraded).toBe(true);
    expect(report.degradation.checks.map((c: { metric: string }) => c.metric)).toEqual([
      'roc_auc',
      'accuracy',
    ]);
    // Without the flag the verdict is reported and the exit code stays 0 (no dataset drift).
    expect(drift('degraded.csv').code).toBe(0);
  });

  it('passes the holdout the release was judged on', () => {
    const r = drift(EVAL_CSV, '--fail-on-degradation');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^performance: not degraded$/m);
    expect(JSON.parse(readFileSync(join(dir, 'd.json'), 'utf8')).degradation.degraded).toBe(false);
  });

  it('refuses --fail-on-degradation without --config in one sentence', () => {
    const r = runCli(
      ['drift', '-r', EVAL_CSV, '--current', EVAL_CSV, '--fail-on-degradation'],
      dir,
    );
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'modelship: --fail-on-degradation needs --config: the rules production is judged by (metrics, rollback) are in modelship.yml.',
    );
  });
});
