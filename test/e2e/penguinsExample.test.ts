// The second example model, penguins, beside credit-risk: its Node trainer against scikit-learn's
// Ridge on the same rows, and `modelship demo --all` over both examples in a child process.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config/modelshipConfig.js';
import { evaluate } from '../../src/core/evaluation/evaluate.js';
import { discoverWorkspace } from '../../src/core/workspace/discovery.js';
import { buildCliIfStale, ROOT } from '../support/cli.js';
import { SYSTEM_PYTHON, systemRequirements } from '../support/systemRequirements.js';

const EXAMPLE = join(ROOT, 'examples/penguins');
const sklearn = systemRequirements(['python-sklearn']);
let dir: string;
beforeAll(() => {
  buildCliIfStale();
  dir = mkdtempSync(join(tmpdir(), 'modelship-penguins-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** scikit-learn's Ridge(alpha=1) on the example's features, scored on its holdout. */
const RIDGE = `
import csv, json, sys
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score
species = ['Adelie', 'Chinstrap', 'Gentoo']
def rows(path):
    with open(path) as f:
        data = list(csv.DictReader(f))
    x = [[float(r['bill_length_mm']), float(r['bill_depth_mm']), float(r['flipper_length_mm'])]
         + [1.0 if r['species'] == s else 0.0 for s in species] + [1.0 if r['sex'] == 'male' else 0.0]
         for r in data]
    return x, [float(r['body_mass_g']) for r in data]
x, y = rows(sys.argv[1] + '/data/train.csv')
xe, ye = rows(sys.argv[1] + '/data/eval.csv')
p = Ridge(alpha=1.0).fit(x, y).predict(xe)
print(json.dumps({'mae': mean_absolute_error(ye, p), 'rmse': mean_squared_error(ye, p) ** 0.5,
                  'r2': r2_score(ye, p)}))
`;

describe('the penguins example', () => {
  it('is found beside credit-risk, each with its own folder and data', () => {
    const workspace = discoverWorkspace(join(ROOT, 'examples'));
    expect(workspace.models.map((m) => [m.name, m.config])).toEqual([
      ['credit-risk', 'credit-risk/modelship.yml'],
      ['penguins', 'penguins/modelship.yml'],
    ]);
  });

  it("trains the ridge regression scikit-learn fits: the holdout's metrics agree", async (context) => {
    sklearn.skipIfMissing(context);
    const model = join(dir, 'model.onnx');
    const trained = spawnSync(process.execPath, ['train.mjs'], {
      cwd: EXAMPLE,
      encoding: 'utf8',
      env: { ...process.env, MODELSHIP_MODEL_PATH: model, MODELSHIP_OUTPUT_DIR: dir },
    });
    expect(trained.status, trained.stderr).toBe(0);
    expect(trained.stdout).toMatch(/^trained ridge regression on 233 rows × 7 features/);
    const report = await evaluate({
      config: loadConfig(join(EXAMPLE, 'modelship.yml')),
      model,
      baseline: undefined,
    });
    const python = spawnSync(SYSTEM_PYTHON, ['-c', RIDGE, EXAMPLE], { encoding: 'utf8' });
    expect(python.status, python.stderr).toBe(0);
    const reference = JSON.parse(python.stdout) as Record<string, number>;
    // The ONNX model computes in float32: grams agree to a hundredth, r2 to 1e-5.
    expect(report.metrics.mae).toBeCloseTo(reference.mae!, 2);
    expect(report.metrics.rmse).toBeCloseTo(reference.rmse!, 2);
    expect(report.metrics.r2).toBeCloseTo(reference.r2!, 5);
    expect(report.gate.passed).toBe(true);
    const metrics = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8'));
    expect(metrics).toMatchObject({ split: 'train', rows: 233, l2: 1 });
  });
});

describe('modelship demo --all', () => {
  it('runs the pipeline on every example model, each into its own folder', () => {
    const result = spawnSync(
      process.execPath,
      [join(ROOT, 'bin', 'modelship.js'), 'demo', '--all', '--out', 'out'],
      {
        cwd: dir,
        encoding: 'utf8',
        // Only node's own directory on PATH: no Python, nothing else.
        env: { PATH: dirname(process.execPath), HOME: dir, MODELSHIP_DEBUG: '' },
        timeout: 150_000,
      },
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe(
      'Modelship demo of a repository with 2 models: credit-risk, penguins',
    );
    for (const name of ['credit-risk', 'penguins']) {
      expect(result.stdout).toContain(`Modelship demo: ${name} in `);
      for (const file of ['evaluate.json', 'drift.md', 'bundle/model.onnx', 'bundle/SHA256SUMS'])
        expect(existsSync(join(dir, 'out', name, file)), `${name}/${file}`).toBe(true);
    }
    const steps = [...result.stdout.matchAll(/^(\d)\. ([a-z-+ ]+):/gm)].map((m) => m[1]);
    expect(steps).toEqual(['1', '2', '3', '4', '5', '6', '1', '2', '3', '4', '5', '6']);
    expect(result.stdout).toContain('trained ridge regression on 116 rows × 7 features');
    expect(result.stdout).toMatch(
      /modelship\/gate, the one status branch protection requires: the gates of every model \(credit-risk (passed|failed), penguins passed\)\./,
    );
  }, 180_000);
});
