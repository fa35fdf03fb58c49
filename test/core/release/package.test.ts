// `modelship package`: the release bundle (docs/releases.md, docs/reports.md) built from the credit-risk example
// with a model trained by Modelship's own logistic regression; real files, DuckDB, onnxruntime.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadConfig, type LoadedConfig } from '../../../src/core/config/modelshipConfig.js';
import { evaluate } from '../../../src/core/evaluation/evaluate.js';
import type { EvaluationReport } from '../../../src/core/evaluation/evaluationReport.js';
import { escapeMarkdown } from '../../../src/core/report/markdownEscape.js';
import { formatValue } from '../../../src/core/report/numberFormat.js';
import {
  BUNDLE_FILES,
  writeReleaseBundle,
  type ReleaseBundle,
  type ReleaseManifest,
} from '../../../src/core/release/bundle.js';
import { sha256sums } from '../../../src/core/release/checksums.js';
import type { DataProfile } from '../../../src/core/data/profile.js';
import type { RunManifest } from '../../../src/core/train/runManifest.js';
import { hashFile } from '../../../src/core/files/fileDigest.js';
import {
  EVAL_CSV,
  EXAMPLE,
  TRAIN_CSV,
  trainModels,
  writeProject,
  type TrainedModels,
} from '../../support/evaluateProject.js';
import { buildCliIfStale, runCli, type CliResult } from '../../support/cli.js';
import { RELEASE_ASSETS } from '../../support/releaseAssets.js';
import { useTempDir } from '../../support/tempDir.js';

const dir = useTempDir();
const SCHEMA = join(EXAMPLE, 'data/schema.yml');
const CREATED = new Date('2025-03-04T05:06:07.000Z');
let models: TrainedModels;
let loaded: LoadedConfig;
let bundle: ReleaseBundle;
let report: EvaluationReport;

const read = (name: string, at = bundle.dir) => readFileSync(join(at, name), 'utf8');
const readJson = <T>(name: string, at = bundle.dir) => JSON.parse(read(name, at)) as T;

/** The project config with a card, as a user writes it. */
function writeConfig(file = 'modelship.yml'): string {
  const path = writeProject(dir, { model: models.candidate, file });
  const config = parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  config.card = {
    description: 'Credit risk <b>demo</b>',
    license: 'Apache-2.0',
    contact: 'team@example.com',
    intended_use: 'Tests.',
  };
  writeFileSync(path, stringify(config));
  return path;
}

beforeAll(async () => {
  buildCliIfStale();
  models = await trainModels(join(dir, 'models'));
  loaded = loadConfig(writeConfig());
  bundle = await writeReleaseBundle({
    loaded,
    out: join(dir, 'bundle'),
    version: '1.2.0',
    commit: 'a'.repeat(40),
    now: CREATED,
    executionProviders: ['cpu'],
  });
  report = readJson<EvaluationReport>(BUNDLE_FILES.metrics);
});

describe('the release bundle', () => {
  it('holds the model, resolved config, contract, metrics, profile, card, smoke test, manifest and sums', () => {
    expect(readdirSync(bundle.dir).sort()).toEqual(RELEASE_ASSETS);
    expect(readFileSync(join(bundle.dir, 'model.onnx'))).toEqual(readFileSync(models.candidate));
    expect(read('schema.yml')).toBe(readFileSync(SCHEMA, 'utf8'));
    // No temporary directory is left beside the bundle.
    expect(readdirSync(dir).filter((name) => name.includes('.modelship-'))).toEqual([]);
  });

  it('computes metrics.json with evaluate() on data.eval and no baseline', async () => {
    const direct = await evaluate({
      config: loaded,
      baseline: null,
      now: CREATED,
      executionProviders: ['cpu'],
    });
    expect(report).toEqual(JSON.parse(JSON.stringify(direct)));
    expect(report.baseline).toBeNull();
    expect(report.rows).toBe(300);
  });

  it('writes a manifest with the version, commit, data digests and every other file', async () => {
    const manifest = readJson<ReleaseManifest>('manifest.json');
    expect(manifest).toMatchObject({
      manifest_version: 1,
      name: 'credit-risk',
      version: '1.2.0',
      tag: 'credit-risk-v1.2.0',
      task: 'binary-classification',
      created: CREATED.toISOString(),
      commit: 'a'.repeat(40),
      gate: { passed: report.gate.passed },
      training_run: null,
    });
    for (const [key, file] of [
      ['train', TRAIN_CSV],
      ['eval', EVAL_CSV],
      ['schema', SCHEMA],
    ] as const) {
      const digest = await hashFile(file);
      expect(manifest.data[key]!.files).toHaveLength(1);
      expect(manifest.data[key]!.files[0]).toMatchObject({
        sha256: digest.sha256,
        bytes: digest.bytes,
      });
    }
    expect(manifest.data.train!.rows).toBe(700);
    expect(manifest.data.eval!.rows).toBe(300);
    const names = readdirSync(bundle.dir).filter(
      (name) => name !== 'manifest.json' && name !== 'SHA256SUMS',
    );
    expect(Object.keys(manifest.files).sort()).toEqual(names.sort());
    for (const name of names) {
      const digest = await hashFile(join(bundle.dir, name));
      expect(manifest.files[name]).toEqual({ sha256: digest.sha256, size_bytes: digest.bytes });
    }
  });

  it('writes SHA256SUMS that sha256sum -c verifies, and that fails after tampering', async () => {
    const sums = read('SHA256SUMS');
    const lines = sums.trimEnd().split('\n');
    expect(lines.map((line) => line.slice(66))).toEqual(
      readdirSync(bundle.dir)
        .filter((name) => name !== 'SHA256SUMS')
        .sort(),
    );
    for (const line of lines) expect(line).toMatch(/^[0-9a-f]{64} {2}[A-Za-z0-9._-]+$/);
    expect(sums.endsWith('\n')).toBe(true);
    const ok = spawnSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: bundle.dir, encoding: 'utf8' });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('manifest.json: OK');

    const copy = join(dir, 'tampered');
    cpSync(bundle.dir, copy, { recursive: true });
    const metrics = join(copy, 'metrics.json');
    writeFileSync(metrics, readFileSync(metrics, 'utf8').replace('"rows": 300', '"rows": 301'));
    const bad = spawnSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: copy, encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain('metrics.json: FAILED');
    expect(bad.stdout).toContain('model.onnx: OK');
  });

  it('formats sha256sum lines sorted by name', () => {
    const a = 'a'.repeat(64);
    const b = 'b'.repeat(64);
    expect(
      sha256sums([
        { name: 'z.json', sha256: a },
        { name: 'MODEL_CARD.md', sha256: b },
      ]),
    ).toBe(`${b}  MODEL_CARD.md\n${a}  z.json\n`);
    expect(() => sha256sums([{ name: 'a b', sha256: a }])).toThrow(/plain file name/);
  });

  it('writes a resolved config that loadConfig reads back with the same features', () => {
    const again = loadConfig(join(bundle.dir, 'modelship.yml'));
    expect(again.config.model.features).toEqual(loaded.config.model.features);
    expect(again.config.model.path).toBe('model.onnx');
    expect(again.config.data.schema).toBe('schema.yml');
    expect(again.resolve(again.config.model.path)).toBe(join(bundle.dir, 'model.onnx'));
    // Defaults are written out, not left to the reader.
    const raw = parse(read('modelship.yml')) as Record<string, Record<string, unknown>>;
    expect(raw.model!.threshold).toBe(0.5);
    expect(raw.train).toEqual({ gpu: 'optional' });
    expect(raw.drift).toEqual({ method: 'auto', share: 0.5 });
    const { model, data, ...rest } = again.config;
    const { model: model0, data: data0, ...rest0 } = loaded.config;
    expect(rest).toEqual(rest0);
    // The holdout's other label is recorded, so a served bundle answers good, not "not bad".
    expect({ ...model, path: model0.path }).toEqual({ ...model0, negative: 'good' });
    expect({ ...data, schema: data0.schema }).toEqual(data0);
    // Map keys such as yes/no stay strings for YAML 1.1 readers too.
    expect(read('modelship.yml')).toContain('"yes": 1');
  });

  it('writes a profile of the training data', () => {
    const profile = readJson<DataProfile>('profile.json');
    expect(profile.rows).toBe(700);
    expect(profile.data).toBe(TRAIN_CSV);
    expect(profile.purpose).toMatch(/drift/);
    expect(profile.columns.map((c) => c.name)).toContain('purpose');
    const duration = profile.columns.find((c) => c.name === 'duration');
    expect(duration).toMatchObject({ kind: 'numeric', declared: 'number', count: 700, nulls: 0 });
  });
});

describe('the model card', () => {
  let card: string;
  let front: Record<string, unknown>;
  beforeAll(() => {
    card = read('MODEL_CARD.md');
    const match = /^---\n([\s\S]*?)\n---\n/.exec(card);
    expect(match).not.toBeNull();
    front = parse(match![1]!) as Record<string, unknown>;
  });

  it('has Hugging Face front matter', () => {
    expect(front).toMatchObject({
      license: 'apache-2.0',
      library_name: 'onnx',
      datasets: [TRAIN_CSV, EVAL_CSV],
      metrics: Object.keys(report.metrics),
    });
    expect(front.tags).toEqual(expect.arrayContaining(['modelship', 'binary-classification']));
  });

  it('has the sections of Mitchell et al.', () => {
    const headings = card.split('\n').filter((line) => line.startsWith('## '));
    expect(headings).toEqual([
      '## Model details',
      '## Intended use',
      '## Factors',
      '## Metrics',
      '## Evaluation data',
      '## Training data',
      '## Quantitative analyses',
      '## Ethical considerations',
      '## Caveats and recommendations',
    ]);
    expect(card).toContain('- **Version:** `1.2.0`');
    expect(card).toContain('- **Date:** 2025-03-04');
    expect(card).toContain('- **License:** Apache\\-2.0');
    expect(card).toContain('**Decision threshold:** 0.5');
    expect(card).toContain('Credit risk &lt;b&gt;demo&lt;/b&gt;');
    expect(card).not.toContain('<b>');
    expect(card).toContain(`sha256 \`${bundle.manifest.files['model.onnx']!.sha256}\``);
    expect(card).toContain(`sha256 \`${bundle.manifest.data.eval!.files[0]!.sha256}\``);
    expect(card).toContain('- **Rows:** 300');
    expect(card).toContain('- **Rows:** 700');
    expect(card).toContain('_Not stated (card.out_of_scope in modelship.yml)._');
  });

  it('shows the same numbers as metrics.json, to 4 decimals', () => {
    const index = (
      front['model-index'] as { results: { metrics: { type: string; value: number }[] }[] }[]
    )[0]!;
    const values = Object.fromEntries(index.results[0]!.metrics.map((m) => [m.type, m.value]));
    for (const [metric, value] of Object.entries(report.metrics)) {
      expect(value).not.toBeNull();
      expect(card).toContain(`| ${escapeMarkdown(metric)} | ${formatValue(value)} |`);
      expect(values[metric]).toBe(Number(formatValue(value)));
    }
    for (const [attribute, fairness] of Object.entries(report.fairness)) {
      expect(card).toContain(`### By \`${attribute}\``);
      for (const [group, g] of Object.entries(fairness.groups)) {
        expect(card).toContain(
          `| \`${group}\` | ${g.count} | ${formatValue(g.selection_rate)} | ${formatValue(g.tpr)} | ${formatValue(g.fpr)} | ${formatValue(g.accuracy)} |`,
        );
      }
      expect(card).toContain(
        `| demographic_parity_ratio | ${formatValue(fairness.demographic_parity_ratio)} |`,
      );
    }
  });
});

describe('writeReleaseBundle inputs', () => {
  it('packages a given report and training run manifest, checking they describe the model', async () => {
    const model = await hashFile(models.candidate);
    const given = { ...report, created: '2020-01-01T00:00:00.000Z' };
    const run = {
      schema_version: 1,
      model: { sha256: model.sha256, execution_provider: 'cpu' },
      run: { command: 'node train.mjs' },
      metrics: { algorithm: 'logistic regression (Newton)' },
    } as unknown as RunManifest;
    const out = join(dir, 'given');
    const result = await writeReleaseBundle({
      loaded,
      out,
      report: given,
      trainManifest: run,
      commit: null,
    });
    expect(readJson<EvaluationReport>('metrics.json', out)).toEqual(given);
    expect(result.manifest.version).toBe('0.0.0-dev');
    expect(result.manifest.commit).toBeNull();
    expect(readJson<ReleaseManifest>('manifest.json', out).training_run).toEqual(run);
    expect(read('MODEL_CARD.md', out)).toContain(
      '**Training algorithm:** logistic regression \\(Newton\\); trained by `node train.mjs`',
    );

    const other = { ...given, candidate: { ...given.candidate, sha256: 'f'.repeat(64) } };
    await expect(
      writeReleaseBundle({ loaded, out: join(dir, 'x1'), report: other }),
    ).rejects.toThrow(/evaluation report is about a model with sha256 f{64}/);
    const otherRun = { ...run, model: { ...run.model, sha256: 'e'.repeat(64) } } as RunManifest;
    await expect(
      writeReleaseBundle({ loaded, out: join(dir, 'x2'), report: given, trainManifest: otherRun }),
    ).rejects.toThrow(/training run manifest describes a model/);
    expect(existsSync(join(dir, 'x1')) || existsSync(join(dir, 'x2'))).toBe(false);
  });

  it('refuses a non-empty --out unless forced, and accepts an empty one', async () => {
    const out = join(dir, 'existing');
    mkdirSync(out);
    writeFileSync(join(out, 'old.txt'), 'old');
    await expect(writeReleaseBundle({ loaded, out, report })).rejects.toThrow(
      /exists and is not empty.*--force/,
    );
    expect(readdirSync(out)).toEqual(['old.txt']);
    // --force replaces an earlier bundle only: a directory with other files stays as it is.
    await expect(writeReleaseBundle({ loaded, out, report, force: true })).rejects.toThrow(
      /--force only replaces an earlier release bundle/,
    );
    expect(readdirSync(out)).toEqual(['old.txt']);
    const earlier = join(dir, 'earlier');
    await writeReleaseBundle({ loaded, out: earlier, report });
    await writeReleaseBundle({ loaded, out: earlier, report, force: true, version: '1.0.1' });
    expect(readdirSync(earlier)).toContain('SHA256SUMS');
    expect(read(BUNDLE_FILES.manifest, earlier)).toMatch(/"version": "1.0.1"/);
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    await writeReleaseBundle({ loaded, out: empty, report });
    expect(readdirSync(empty)).toContain('model.onnx');
  });

  it('rejects a version that is not semver', async () => {
    await expect(
      writeReleaseBundle({ loaded, out: join(dir, 'v'), report, version: 'v1.2' }),
    ).rejects.toThrow(/not a semantic version/);
  });
});

describe('modelship package', () => {
  /** Bad input: exit 2, one line on stderr naming the problem, nothing on stdout. */
  function expectBadInput(result: CliResult, message: RegExp): void {
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines, result.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^modelship: /);
    expect(lines[0]).toMatch(message);
    expect(result.stdout).toBe('');
  }

  it('writes the bundle and exits 0', () => {
    const result = runCli(
      ['package', '--config', 'modelship.yml', '--out', 'cli-bundle', '--version', '2.0.0-rc.1'],
      dir,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^packaged credit-risk-v2\.0\.0-rc\.1 → cli-bundle: 9 files/);
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(1);
    const out = join(dir, 'cli-bundle');
    const manifest = readJson<ReleaseManifest>('manifest.json', out);
    expect(manifest.version).toBe('2.0.0-rc.1');
    const ok = spawnSync('sha256sum', ['-c', '--quiet', 'SHA256SUMS'], { cwd: out });
    expect(ok.status).toBe(0);
  });

  it('takes --model, --report, --manifest and --commit', () => {
    writeFileSync(join(dir, 'report.json'), JSON.stringify(report));
    const model = readFileSync(models.candidate);
    writeFileSync(join(dir, 'copy.onnx'), model);
    const run = {
      model: { sha256: bundle.manifest.files['model.onnx']!.sha256, execution_provider: 'cpu' },
      run: { command: 'python train.py' },
      metrics: null,
    };
    writeFileSync(join(dir, 'run.json'), JSON.stringify(run));
    const result = runCli(
      [
        'package',
        '--config',
        'modelship.yml',
        '--out',
        'cli-given',
        '--model',
        'copy.onnx',
        '--report',
        'report.json',
        '--manifest',
        'run.json',
        '--commit',
        'abc1234',
      ],
      dir,
    );
    expect(result.code, result.stderr).toBe(0);
    const manifest = readJson<ReleaseManifest>('manifest.json', join(dir, 'cli-given'));
    expect(manifest.commit).toBe('abc1234');
    expect(manifest.training_run).toEqual(run);
    expect(readJson<EvaluationReport>('metrics.json', join(dir, 'cli-given'))).toEqual(report);
  });

  it('exits 2 with one line for a missing model', () => {
    expectBadInput(
      runCli(['package', '--out', 'none', '--model', 'missing.onnx'], dir),
      /missing\.onnx: model not found; check --model/,
    );
    expect(existsSync(join(dir, 'none'))).toBe(false);
  });

  it('exits 2 with one line for an existing --out', () => {
    expectBadInput(
      runCli(['package', '--out', 'bundle'], dir),
      /bundle: the output directory exists and is not empty; .*--force/,
    );
  });

  it('exits 2 with one line for a bad --version, --report or missing --out', () => {
    expectBadInput(
      runCli(['package', '--out', 'v', '--version', 'latest'], dir),
      /--version "latest" is not a semantic version/,
    );
    expectBadInput(
      runCli(['package', '--out', 'v', '--report', 'nope.json'], dir),
      /nope\.json: evaluation report not found/,
    );
    writeFileSync(join(dir, 'notreport.json'), '{"a": 1}');
    expectBadInput(
      runCli(['package', '--out', 'v', '--report', 'notreport.json'], dir),
      /notreport\.json: not an evaluation report/,
    );
    // 1e400 reads as Infinity: it would reach the bundle's metrics.json as null.
    writeFileSync(
      join(dir, 'inf-report.json'),
      JSON.stringify(report).replace(/"metrics":\{"(\w+)":[^,}]+/, '"metrics":{"$1":1e400'),
    );
    expectBadInput(
      runCli(['package', '--out', 'v', '--report', 'inf-report.json'], dir),
      /inf-report\.json: metrics\.\w+ is not a finite number \(read as Infinity\)/,
    );
    expectBadInput(runCli(['package'], dir), /--out/);
  });

  it('never replaces the project, its data or the current directory, forced or not', async () => {
    // A project of its own: its directory holds the config, data, training script and a README.
    const project = join(dir, 'own-project');
    mkdirSync(project);
    cpSync(join(dir, 'modelship.yml'), join(project, 'modelship.yml'));
    const config = parse(readFileSync(join(project, 'modelship.yml'), 'utf8')) as {
      model: { path: string };
      data: Record<string, string>;
    };
    config.model.path = models.candidate;
    config.data = { train: TRAIN_CSV, eval: EVAL_CSV, schema: SCHEMA };
    writeFileSync(join(project, 'modelship.yml'), stringify(config));
    writeFileSync(join(project, 'train.py'), 'print(1)\n');
    writeFileSync(join(project, 'README.md'), '# project\n');
    const own = loadConfig(join(project, 'modelship.yml'));
    for (const out of [project, dir]) {
      await expect(writeReleaseBundle({ loaded: own, out, report, force: true })).rejects.toThrow(
        /--out .*: is or holds an input of this command .*choose a new directory/,
      );
    }
    expect(readdirSync(project).sort()).toEqual(['README.md', 'modelship.yml', 'train.py']);
    // `--out .` from inside the project, through the CLI.
    writeFileSync(join(dir, 'r.json'), JSON.stringify(report));
    const result = runCli(
      ['package', '-c', 'modelship.yml', '--out', '.', '--force', '--report', join(dir, 'r.json')],
      project,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^modelship: --out .*: is or holds/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(readdirSync(project).sort()).toEqual(['README.md', 'modelship.yml', 'train.py']);
  });
});

describe('modelship package and the run manifest modelship train wrote beside the model', () => {
  /** A trained model in its own directory, as modelship train leaves it, and a report of it. */
  function trainedDir(name: string, manifestSha?: string): { model: string; run: object } {
    const at = join(dir, name);
    mkdirSync(at, { recursive: true });
    const model = join(at, 'model.onnx');
    writeFileSync(model, readFileSync(models.candidate));
    const run = {
      schema_version: 1,
      model: {
        sha256: manifestSha ?? bundle.manifest.files['model.onnx']!.sha256,
        execution_provider: 'cpu',
      },
      run: { command: 'python train.py', exit_code: 0 },
      metrics: { roc_auc: 0.8 },
    };
    writeFileSync(join(at, 'manifest.json'), JSON.stringify(run));
    writeFileSync(join(dir, 'beside-report.json'), JSON.stringify(report));
    return { model, run };
  }
  const pack = (out: string, ...args: string[]) =>
    runCli(
      ['package', '--out', out, '--report', 'beside-report.json', '--commit', 'abc1234', ...args],
      dir,
    );
  const trainingRun = (out: string) =>
    readJson<ReleaseManifest>('manifest.json', join(dir, out)).training_run;

  it('packages the manifest beside model.path of the config without --manifest, and says so', () => {
    const { model, run } = trainedDir('trained');
    const config = writeProject(dir, { model, file: 'trained.yml' });
    const result = pack('beside-config', '--config', config);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('training run manifest: trained/manifest.json (beside the model)');
    expect(lines[1]).toMatch(/^packaged credit-risk-v0\.0\.0-dev → beside-config: 9 files/);
    expect(trainingRun('beside-config')).toEqual(run);
  });

  it('looks beside --model too', () => {
    const { model, run } = trainedDir('trained-given');
    const result = pack('beside-given', '--model', model);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^training run manifest: trained-given\/manifest\.json/);
    expect(trainingRun('beside-given')).toEqual(run);
  });

  it('leaves out an earlier run’s manifest (another model’s sha256), with a note why', () => {
    const stale = 'f'.repeat(64);
    const { model } = trainedDir('trained-stale', stale);
    const result = pack('beside-stale', '--model', model);
    expect(result.code, result.stderr).toBe(0);
    const sha = bundle.manifest.files['model.onnx']!.sha256;
    expect(result.stdout.split('\n')[0]).toBe(
      `note: trained-stale/manifest.json is not packaged: it describes another model (sha256 ${stale.slice(0, 12)}…, this one ${sha.slice(0, 12)}…), an earlier training run's; run modelship train again, or name the run's manifest with --manifest.`,
    );
    expect(trainingRun('beside-stale')).toBeNull();
  });

  it('leaves out a manifest.json that is no run manifest (a release bundle’s)', () => {
    const result = pack('beside-bundle', '--model', join(bundle.dir, 'model.onnx'));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.split('\n')[0]).toMatch(
      /^note: bundle\/manifest\.json is not packaged: it is not a training run manifest; /,
    );
    expect(trainingRun('beside-bundle')).toBeNull();
  });

  it('an explicit --manifest wins over the one beside the model', () => {
    const { model } = trainedDir('trained-explicit');
    const given = {
      model: { sha256: bundle.manifest.files['model.onnx']!.sha256, execution_provider: 'cpu' },
      run: { command: 'python other.py' },
      metrics: null,
    };
    writeFileSync(join(dir, 'given-run.json'), JSON.stringify(given));
    const result = pack('beside-explicit', '--model', model, '--manifest', 'given-run.json');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain('training run manifest:');
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(trainingRun('beside-explicit')).toEqual(given);
  });
});
