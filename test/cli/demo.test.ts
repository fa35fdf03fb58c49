// `npx modelship demo` as a newcomer runs it after `npm ci`: a child process, no Python on PATH,
// no network; every step of the pipeline runs and leaves its report where it says.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, buildCliIfStale } from '../support/cli.js';

let dir: string;
let result: { status: number | null; stdout: string; stderr: string };

beforeAll(() => {
  buildCliIfStale();
  dir = mkdtempSync(join(tmpdir(), 'modelship-demo-'));
  result = spawnSync(
    process.execPath,
    [join(ROOT, 'bin', 'modelship.js'), 'demo', '--out', 'out'],
    {
      cwd: dir,
      encoding: 'utf8',
      // Only node's own directory on PATH: the demo must need neither Python nor anything else.
      env: { PATH: dirname(process.execPath), HOME: dir, MODELSHIP_DEBUG: '' },
      timeout: 120_000,
    },
  );
}, 150_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('modelship demo', () => {
  it('runs every step and exits 0', () => {
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(result.status, result.stderr).toBe(0);
    const steps = [...result.stdout.matchAll(/^(\d)\. ([a-z-+ ]+):/gm)].map((m) => m[2]!.trim());
    expect(steps).toEqual([
      'validate-data',
      'train',
      'evaluate + gate',
      'package',
      'serve',
      'drift-check',
    ]);
    expect(result.stdout).toMatch(/gate (PASSED|FAILED): \d+ of \d+ checks passed/);
    expect(result.stdout).toMatch(/Demo finished in [\d.]+ s/);
  });

  it('writes the reports it names', () => {
    const out = join(dir, 'out');
    for (const file of [
      'validate-train.json',
      'validate-eval.json',
      'validate-current.json',
      'evaluate.json',
      'evaluate.md',
      'drift.json',
      'drift.md',
      'bundle/model.onnx',
      'bundle/SHA256SUMS',
      'bundle/profile.json',
    ])
      expect(existsSync(join(out, file)), file).toBe(true);
    const evaluation = JSON.parse(readFileSync(join(out, 'evaluate.json'), 'utf8'));
    expect(evaluation.rows).toBe(300);
    expect(evaluation.baseline).not.toBeNull();
  });

  it('queries the served model and finds the shift planted in current.csv', () => {
    // /predict answers one label per row sent.
    const labels = result.stdout.match(/POST \/predict with 3 rows[^\n]*\n((?: {5}.*\n){3})/);
    expect(labels?.[1]).toMatch(/"(good|bad)"/);
    expect(result.stdout).toMatch(
      /smoke test passed: 50 holdout rows over \/predict and OIP infer/,
    );
    const drift = JSON.parse(readFileSync(join(dir, 'out', 'drift.json'), 'utf8'));
    expect(drift.reference.kind).toBe('profile');
    // The release profile carries the model's scores on its training data: prediction drift.
    expect(drift.prediction?.output).toBe('P(bad)');
    // current.csv lengthens loans and raises amounts and ages (scripts/split-example.mjs).
    for (const column of ['duration', 'credit_amount', 'age'])
      expect(drift.columns[column].drifted, column).toBe(true);
    expect(drift.dataset_drift).toBe(
      typeof drift.drift_share === 'number' && drift.drift_share >= drift.share_threshold,
    );
  });
});
