// A pull request that adds a feature (tenure) and re-encodes another (region's map) is evaluated
// against production, whose release bundle reads 3 features through its own modelship.yml, while
// the candidate reads 4: from a bundle directory and a bare ONNX file (the CLI), and from the
// registry (the evaluate action and the CLI against the GitHub fake). Both models' metrics are held
// to scikit-learn's, computed at test time on the scores onnxruntime gives for inputs this file
// builds by hand from the same rows.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { stringify } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../../src/actions/evaluate/main.js';
import { main } from '../../../src/cli/main.js';
import { loadConfig } from '../../../src/core/config/modelshipConfig.js';
import type { EvaluationReport } from '../../../src/core/evaluation/evaluationReport.js';
import { featureChanges } from '../../../src/core/evaluation/featureChanges.js';
import { logisticRegressionModel } from '../../../src/core/model/onnxWriter.js';
import { resolvedConfigYaml } from '../../../src/core/release/bundle.js';
import { evaluationMarkdown } from '../../../src/core/report/evaluationMarkdown.js';
import {
  EVALUATE_INPUT_DEFAULTS,
  inlineParts,
  pullRequestRun,
  useActionRun,
} from '../../support/actionRunner.js';
import { useGitHubFake } from '../../support/github/useGitHubFake.js';
import { sklearnMetrics, type ReferenceMetrics } from '../../support/sklearnReference.js';
import { systemRequirements } from '../../support/systemRequirements.js';
import { useTempDir } from '../../support/tempDir.js';

const sklearn = systemRequirements(['python-sklearn']);
const { fake } = useGitHubFake();
const action = useActionRun(EVALUATE_INPUT_DEFAULTS);
const dir = useTempDir();

const ROWS = 90;
const REGIONS = ['north', 'south', 'east'];
/** Production's encoding of region, and the pull request's. */
const MAP_BEFORE = { north: 0, south: 1, east: 2 };
const MAP_AFTER = { north: -1, south: 0.5, east: 1 };

interface Row {
  age: number;
  income: number;
  region: string;
  tenure: number;
  group: string;
  churned: string;
}

/** Deterministic rows: churn rises with age, tenure and the east, falls with income. */
function holdoutRows(): Row[] {
  return Array.from({ length: ROWS }, (_, i) => {
    const age = 20 + ((i * 7) % 50);
    const income = 20 + ((i * 13) % 60);
    const region = REGIONS[i % 3]!;
    const tenure = (i * 5) % 11;
    const noise = (((i * 37) % 10) - 4.5) / 2;
    const logit = 0.05 * age - 0.04 * income + MAP_AFTER[region as 'north'] + 0.3 * tenure + noise;
    return {
      age,
      income,
      region,
      tenure,
      group: i % 4 === 0 ? 'b' : 'a',
      churned: logit > 0.3 ? 'yes' : 'no',
    };
  });
}

const BASELINE_WEIGHTS = { weights: [0.03, -0.02, 0.3], bias: -0.2 };
const CANDIDATE_WEIGHTS = { weights: [0.05, -0.04, 0.9, 0.3], bias: -0.4 };
/** Each model's input as its own features make it, built here without Modelship's code. */
const baselineInput = (r: Row) => [r.age, r.income, MAP_BEFORE[r.region as 'north']];
const candidateInput = (r: Row) => [r.age, r.income, MAP_AFTER[r.region as 'north'], r.tenure];

const baseFeatures = ['age', 'income', { column: 'region', map: MAP_BEFORE }];
const candidateFeatures = ['age', 'income', { column: 'region', map: MAP_AFTER }, 'tenure'];

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

/** P(yes) of every row, from onnxruntime itself. */
async function ortScores(model: Uint8Array, inputs: number[][]): Promise<number[]> {
  const session = await InferenceSession.create(model);
  try {
    const width = inputs[0]!.length;
    const tensor = new Tensor('float32', Float32Array.from(inputs.flat()), [inputs.length, width]);
    const out = await session.run({ [session.inputNames[0]!]: tensor });
    const proba = out[session.outputNames[0]!]!.data as Float32Array;
    return inputs.map((_, i) => proba[i * 2 + 1]!);
  } finally {
    await session.release();
  }
}

function config(features: unknown[], model: string, holdout: string): Record<string, unknown> {
  return {
    model: {
      name: 'churn',
      task: 'binary-classification',
      path: model,
      target: 'churned',
      positive: 'yes',
      features,
    },
    data: { eval: holdout },
    metrics: { roc_auc: { min: 0.6, max_regression: 0.2 }, accuracy: { min: 0.6 } },
    fairness: { sensitive: ['group'], thresholds: { demographic_parity_difference: { max: 1 } } },
  };
}

let rows: Row[];
let holdout: string;
let bytes: { baseline: Uint8Array; candidate: Uint8Array };
let reference: { baseline: ReferenceMetrics; candidate: ReferenceMetrics };
/** The production release's files, as modelship package writes them. */
let bundle: { dir: string; model: string; config: string; yaml: string };
/** The pull request's modelship.yml, in a directory of its own. */
let candidateConfig: string;

beforeAll(async () => {
  rows = holdoutRows();
  holdout = join(dir, 'holdout.csv');
  const header = 'age,income,region,tenure,group,churned';
  const lines = rows.map((r) =>
    [r.age, r.income, r.region, r.tenure, r.group, r.churned].join(','),
  );
  writeFileSync(holdout, `${[header, ...lines].join('\n')}\n`);
  bytes = {
    baseline: logisticRegressionModel({ ...BASELINE_WEIGHTS, output: 'proba2' }),
    candidate: logisticRegressionModel({ ...CANDIDATE_WEIGHTS, output: 'proba2' }),
  };

  const project = join(dir, 'project');
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, 'candidate.onnx'), bytes.candidate);
  candidateConfig = join(project, 'modelship.yml');
  writeFileSync(candidateConfig, stringify(config(candidateFeatures, 'candidate.onnx', holdout)));

  // Production as a release bundle: model.onnx beside its resolved modelship.yml.
  const source = join(dir, 'production-source.yml');
  writeFileSync(source, stringify(config(baseFeatures, 'model.onnx', holdout)));
  const bundleDir = join(dir, 'churn-v1.0.0');
  mkdirSync(bundleDir, { recursive: true });
  const yaml = resolvedConfigYaml(loadConfig(source).config, source);
  writeFileSync(join(bundleDir, 'modelship.yml'), yaml);
  writeFileSync(join(bundleDir, 'model.onnx'), bytes.baseline);
  bundle = {
    dir: bundleDir,
    model: join(bundleDir, 'model.onnx'),
    config: join(bundleDir, 'modelship.yml'),
    yaml,
  };

  if (sklearn.skip) return;
  sklearn.check();
  const yTrue = rows.map((r) => (r.churned === 'yes' ? 1 : 0));
  const [baseline, candidate] = sklearnMetrics([
    {
      task: 'binary',
      yTrue,
      scores: await ortScores(bytes.baseline, rows.map(baselineInput)),
      threshold: 0.5,
    },
    {
      task: 'binary',
      yTrue,
      scores: await ortScores(bytes.candidate, rows.map(candidateInput)),
      threshold: 0.5,
    },
  ]);
  reference = { baseline: baseline!, candidate: candidate! };
});

const CHANGES = { added: ['tenure'], removed: [], reencoded: ['region'] };

/** Both models' metrics against scikit-learn's on onnxruntime's scores. */
function expectReferenceMetrics(report: EvaluationReport): void {
  for (const [side, metrics] of [
    ['candidate', report.metrics],
    ['baseline', report.baseline!.metrics],
  ] as const) {
    const expected = reference[side];
    expect(Object.keys(metrics).sort(), side).toEqual(Object.keys(expected).sort());
    for (const [name, value] of Object.entries(expected)) {
      expect(metrics[name], `${side} ${name}`).toBeCloseTo(value!, 9);
    }
  }
  // The two models score differently: a baseline fed the candidate's input could not match.
  expect(report.metrics.log_loss).not.toBeCloseTo(report.baseline!.metrics.log_loss!, 3);
}

/** `modelship …` in process; its stdout is the action fixture's captured stdout. */
async function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: unknown) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    return { code: await main(args), stderr };
  } finally {
    process.stderr.write = write;
  }
}

const readReport = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as EvaluationReport;

describe(
  'a pull request that adds and re-encodes features, against production',
  sklearn.options,
  () => {
    it('a release bundle directory: each model reads its own features (CLI)', async () => {
      const out = join(dir, 'bundle-report.json');
      const result = await cli([
        'evaluate',
        '-c',
        candidateConfig,
        '--baseline',
        bundle.dir,
        '--json',
        out,
      ]);
      expect(result, result.stderr).toMatchObject({ code: 0, stderr: '' });
      const report = readReport(out);
      expect(report.rows).toBe(ROWS);
      expect(report.baseline!.feature_changes).toEqual(CHANGES);
      expect(report.baseline!.model.sha256).toBe(sha256(bytes.baseline));
      expect(report.baseline!.label).toBe(bundle.dir);
      expectReferenceMetrics(report);
      expect(action.stdout()).toContain(
        "features differ from the baseline's (each model read its own): added tenure; re-encoded region",
      );
      expect(evaluationMarkdown(report)).toContain(
        '> The candidate reads different features from the baseline: added `tenure`; re-encoded `region`. Each model was scored on the same rows through its own modelship.yml.',
      );
    });

    it('a bare ONNX file: with --baseline-config as the bundle, without it as the candidate', async () => {
      const out = join(dir, 'bare-report.json');
      const args = ['evaluate', '-c', candidateConfig, '--baseline', bundle.model, '--json', out];
      const withConfig = await cli([...args, '--baseline-config', bundle.config]);
      expect(withConfig, withConfig.stderr).toMatchObject({ code: 0, stderr: '' });
      const report = readReport(out);
      expect(report.baseline!.feature_changes).toEqual(CHANGES);
      expectReferenceMetrics(report);

      // Fed the candidate's 4 inputs, production's 3-input model cannot run.
      const without = await cli(args);
      expect(without.code).toBe(2);
      expect(without.stderr).toBe(
        `modelship: ${bundle.model} expects 3 inputs per row, but modelship.yml features make 4; retrain or fix the features list.\n`,
      );
      const both = await cli([
        'evaluate',
        '-c',
        candidateConfig,
        '--baseline',
        bundle.dir,
        '--baseline-config',
        bundle.config,
      ]);
      expect(both.stderr).toBe(
        `modelship: baseline ${bundle.dir} is a release bundle directory, which brings its own modelship.yml: leave the baseline config out, or pass the bundle's model.onnx with it.\n`,
      );
    });

    it('production from the registry: the evaluate action and the CLI', async () => {
      const github = fake();
      const token = github.actionsToken({
        writes: ['issues', 'pull-requests', 'statuses', 'checks', 'contents'],
      });
      const { repo, pr } = pullRequestRun(github, { token });
      // The evaluate report it was released with: the history charts read its metrics, verified
      // against SHA256SUMS as every downloaded asset is.
      const metricsJson = JSON.stringify({ metrics: { roc_auc: 0.61, accuracy: 0.6 } });
      const sums = [
        `${sha256(bytes.baseline)}  model.onnx`,
        `${sha256(bundle.yaml)}  modelship.yml`,
        `${sha256(metricsJson)}  metrics.json`,
      ].join('\n');
      github.addRelease(repo, {
        tag: 'churn-v1.0.0',
        assets: {
          'model.onnx': Buffer.from(bytes.baseline),
          'modelship.yml': bundle.yaml,
          'metrics.json': metricsJson,
          SHA256SUMS: `${sums}\n`,
        },
      });
      const workspace = action.workspace();
      writeFileSync(join(workspace, 'candidate.onnx'), bytes.candidate);
      writeFileSync(
        join(workspace, 'modelship.yml'),
        stringify(config(candidateFeatures, 'candidate.onnx', holdout)),
      );
      await run();
      const report = readReport(join(action.runnerTemp(), 'modelship/evaluate-churn.json'));
      expect(report.baseline!.label).toBe('production churn-v1.0.0');
      expect(report.baseline!.model.tag).toBe('churn-v1.0.0');
      expect(report.baseline!.feature_changes).toEqual(CHANGES);
      expectReferenceMetrics(report);
      const [comment] = github.commentsOn(repo, pr.number);
      expect(comment!.body).toContain(
        'The candidate reads different features from the baseline: added `tenure`; re-encoded `region`.',
      );
      const history = [
        {
          tag: 'churn-v1.0.0',
          published: expect.any(String),
          metrics: { roc_auc: 0.61, accuracy: 0.6 },
        },
      ];
      expect(report.history).toEqual(history);
      expect(comment!.body).toContain('  x-axis ["churn-v1.0.0", "candidate"]');

      // The CLI, with the token and repository a workflow step has.
      const out = join(dir, 'production-report.json');
      const args = ['evaluate', '-c', join(workspace, 'modelship.yml'), '--baseline', 'production'];
      Object.assign(process.env, { GITHUB_TOKEN: github.userToken('octocat') });
      const result = await cli([...args, '--json', out]);
      expect(result, result.stderr).toMatchObject({ code: 0, stderr: '' });
      const fromCli = readReport(out);
      expect(fromCli.baseline!.label).toBe('production churn-v1.0.0');
      expect(fromCli.metrics).toEqual(report.metrics);
      expect(fromCli.baseline!.metrics).toEqual(report.baseline!.metrics);
      expect(fromCli.history).toEqual(history);

      delete process.env.GITHUB_TOKEN;
      delete process.env.GH_TOKEN;
      const offline = await cli(args);
      expect(offline.code).toBe(2);
      expect(offline.stderr).toBe(
        "modelship: --baseline production is read from the repository's GitHub releases, but no token is set in GITHUB_TOKEN or GH_TOKEN: set GITHUB_TOKEN (or GH_TOKEN) and GITHUB_REPOSITORY=owner/name, or pass the release's downloaded assets as a bundle directory, an ONNX file, or none.\n",
      );
    });
  },
);

describe('a baseline that cannot be read', () => {
  it('says which baseline and which modelship.yml, in one sentence', async () => {
    const args = (baseline: string) => ['evaluate', '-c', candidateConfig, '--baseline', baseline];
    const notBundle = join(dir, 'not-a-bundle');
    mkdirSync(notBundle, { recursive: true });
    writeFileSync(join(notBundle, 'model.onnx'), bytes.baseline);
    expect((await cli(args(notBundle))).stderr).toBe(
      `modelship: baseline ${notBundle}: a directory must be a release bundle (modelship package --out, or modelship registry download), but it has no modelship.yml.\n`,
    );

    // Production's features read a column this holdout no longer has.
    const old = join(dir, 'old-bundle');
    mkdirSync(old, { recursive: true });
    writeFileSync(join(old, 'model.onnx'), bytes.baseline);
    writeFileSync(join(old, 'modelship.yml'), bundle.yaml.replace('- income', '- salary'));
    const gone = await cli(args(old));
    expect(gone.code).toBe(2);
    expect(gone.stderr.trimEnd().split('\n'), gone.stderr).toHaveLength(1);
    expect(gone.stderr).toContain(
      `${holdout}: column salary that the model's features or modelship.yml's target, fairness or slices read is missing; the file has age, income, region, tenure, group, churned`,
    );
    expect(gone.stderr).toContain(
      `the baseline (${old}) model, features from ${join(old, 'modelship.yml')})`,
    );
  });
});

describe('featureChanges', () => {
  it('names added, removed and re-encoded columns; order and map key order are no change', () => {
    expect(featureChanges(['a', 'b'], ['b', { column: 'a' }])).toBeNull();
    expect(
      featureChanges(
        [{ column: 'm', map: { x: 1, y: 2 } }],
        [{ column: 'm', map: { y: 2, x: 1 } }],
      ),
    ).toBeNull();
    expect(
      featureChanges(
        ['a', { column: 'c', one_hot: ['x', 'y'] }, 'gone'],
        ['a', { column: 'c', one_hot: ['y', 'x'] }, 'new', { column: 'm', map: { k: 1 } }],
      ),
    ).toEqual({ added: ['new', 'm'], removed: ['gone'], reencoded: ['c'] });
    // A numeric column that becomes categorical is re-encoded.
    expect(featureChanges(['c'], [{ column: 'c', map: { k: 1 } }])).toEqual({
      added: [],
      removed: [],
      reencoded: ['c'],
    });
  });
});

describe('the feature note in the markdown report', () => {
  it('keeps hostile column names inert', () => {
    const hostile = '<img src=x onerror=alert(1)>|@org/team`';
    const report = {
      name: 'churn',
      task: 'binary-classification',
      rows: 1,
      data: 'holdout.csv',
      candidate: { path: 'c.onnx', sha256: 'a'.repeat(64), provider: 'cpu' },
      metrics: { accuracy: 1 },
      fairness: {},
      confusion: null,
      baseline: {
        label: 'production churn-v1.0.0',
        model: { path: 'b.onnx', sha256: 'b'.repeat(64), provider: 'cpu' },
        metrics: { accuracy: 1 },
        fairness: {},
        confusion: null,
        feature_changes: { added: [hostile], removed: [], reencoded: [] },
      },
      gate: { passed: true, checks: [], notes: [] },
      created: '2026-01-01T00:00:00.000Z',
    } satisfies EvaluationReport;
    const line = evaluationMarkdown(report)
      .split('\n')
      .find((l) => l.includes('reads different features'))!;
    expect(line.startsWith('> ')).toBe(true);
    const { text, code } = inlineParts(line.slice(2));
    expect(text).not.toMatch(/[<>@|]/);
    expect(code).toEqual([hostile.replace('|', '¦')]);
  });
});
