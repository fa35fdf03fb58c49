// serve: in modelship.yml: left out by default, the load test's settings and the SLO it takes,
// and one sentence naming the key for a value outside its bounds or a key it does not know.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/core/config/modelshipConfig.js';
import { modelshipErrorOf } from '../../support/modelshipErrorOf.js';
import { useTempDir } from '../../support/tempDir.js';

const dir = useTempDir();

const BASE = `model:
  name: credit-risk
  task: binary-classification
  path: model.onnx
  target: class
  positive: bad
`;

function load(name: string, text: string) {
  const file = join(dir, name);
  writeFileSync(file, `${BASE}${text}`);
  return () => loadConfig(file);
}

describe('serve in modelship.yml', () => {
  it('is left out by default', () => {
    expect(load('default.yml', '')().config.serve).toBeUndefined();
  });

  it('takes the load test’s settings and an SLO', () => {
    const { serve } = load(
      'serve.yml',
      'serve:\n  load_test: { duration_s: 2.5, concurrency: 8, rows_per_request: 1 }\n  slo: { p99_ms: 250, error_rate: 0 }\n',
    )().config;
    expect(serve).toEqual({
      load_test: { duration_s: 2.5, concurrency: 8, rows_per_request: 1 },
      slo: { p99_ms: 250, error_rate: 0 },
    });
  });

  it('refuses values outside the bounds and unknown keys, naming the key', () => {
    const refusal = (name: string, text: string) => modelshipErrorOf(load(name, text));
    expect(refusal('concurrency.yml', 'serve:\n  load_test: { concurrency: 1.5 }\n')).toContain(
      'serve.load_test.concurrency',
    );
    expect(refusal('duration.yml', 'serve:\n  load_test: { duration_s: 601 }\n')).toContain(
      'serve.load_test.duration_s',
    );
    expect(refusal('p99.yml', 'serve:\n  slo: { p99_ms: 0 }\n')).toContain('serve.slo.p99_ms');
    expect(refusal('rate.yml', 'serve:\n  slo: { error_rate: 2 }\n')).toContain(
      'serve.slo.error_rate',
    );
    expect(refusal('p95.yml', 'serve:\n  slo: { p95_ms: 100 }\n')).toContain('p95_ms');
  });
});
