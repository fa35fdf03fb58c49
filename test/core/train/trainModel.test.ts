import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type LoadedConfig } from '../../../src/core/config/modelshipConfig.js';
import { ModelshipError } from '../../../src/core/errors.js';
import { logisticRegressionModel } from '../../../src/core/model/onnxWriter.js';
import {
  buildRunManifest,
  readTrainingMetrics,
  writeRunManifest,
  type RunManifest,
} from '../../../src/core/train/runManifest.js';
import { runTraining } from '../../../src/core/train/runTraining.js';
import { verifyTrainedModel } from '../../../src/core/train/verifyModel.js';
import { buildCliIfStale, ROOT, runCli } from '../../support/cli.js';
import { useTempDir } from '../../support/tempDir.js';

const dir = useTempDir();
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const csvRows = (path: string) => readFileSync(path, 'utf8').trim().split('\n').length - 1;
const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH}` };

/**
 * A copy of examples/credit-risk without its artifacts, as a user's project would be. The trainer
 * imports 'modelship', which resolves through node_modules/modelship → this repository.
 */
function copyExample(name: string): LoadedConfig {
  const target = join(dir, name);
  cpSync(join(ROOT, 'examples', 'credit-risk'), target, {
    recursive: true,
    filter: (source) => !source.includes(`${join('credit-risk', 'artifacts')}`),
  });
  mkdirSync(join(target, 'node_modules'));
  symlinkSync(ROOT, join(target, 'node_modules', 'modelship'), 'dir');
  return loadConfig(join(target, 'modelship.yml'));
}

/** The ModelshipError message of a call that must fail. */
async function message(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => new Error('expected a failure'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ModelshipError);
  return (error as Error).message;
}

// The trainer imports the compiled library (lib/), as `npx modelship` does.
beforeAll(() => buildCliIfStale());

describe('training the example end to end', () => {
  it('runs the Node trainer, verifies its model and records the run in a manifest', async () => {
    const loaded = copyExample('e2e');
    const outputDir = join(dir, 'e2e-out');
    const modelPath = join(outputDir, 'model.onnx');
    const startedAt = new Date();
    const result = await runTraining({ loaded, env, paths: { modelPath, outputDir } });
    const finishedAt = new Date();
    expect(result).toMatchObject({ command: 'node train.mjs', exitCode: 0, timedOut: false });
    expect(result.tail.join('\n')).toMatch(/trained logistic regression on 700 rows × 26 features/);

    const model = await verifyTrainedModel(loaded, modelPath);
    expect(model).toMatchObject({
      path: modelPath,
      sha256: sha256(modelPath),
      features: 26,
      inputShape: ['N', 26],
      provider: 'cpu',
    });

    const manifest = await buildRunManifest({
      loaded,
      commitSha: 'a'.repeat(40),
      result,
      startedAt,
      finishedAt,
      model,
      outputDir,
      gpu: { mode: 'optional', note: 'no usable GPU: training runs on CPU' },
      modelshipVersion: '0.1.0',
      versions: { python: '3.12.1' },
    });
    const manifestPath = join(outputDir, 'manifest.json');
    writeRunManifest(manifestPath, manifest);
    const written = JSON.parse(readFileSync(manifestPath, 'utf8')) as RunManifest;
    expect(written).toEqual(manifest);
    expect(readdirSync(outputDir).sort()).toEqual(['manifest.json', 'metrics.json', 'model.onnx']);

    const data = (file: string) => join(loaded.dir, 'data', file);
    expect(written).toMatchObject({
      schema_version: 1,
      model: {
        name: 'credit-risk',
        path: '../e2e-out/model.onnx',
        sha256: sha256(modelPath),
        size_bytes: readFileSync(modelPath).length,
        input: { name: 'input', shape: ['N', 26], features: 26 },
        execution_provider: 'cpu',
      },
      commit_sha: 'a'.repeat(40),
      config: { path: 'modelship.yml', sha256: sha256(loaded.file) },
      run: {
        command: 'node train.mjs',
        exit_code: 0,
        duration_ms: result.durationMs,
        started_at: startedAt.toISOString(),
        finished_at: finishedAt.toISOString(),
      },
      gpu: { mode: 'optional', before: null, after: null },
      metrics: JSON.parse(readFileSync(join(outputDir, 'metrics.json'), 'utf8')),
      versions: {
        node: process.version,
        modelship: '0.1.0',
        'onnxruntime-node': '1.30.0',
        python: '3.12.1',
      },
    });
    for (const split of ['train', 'eval', 'current'] as const) {
      const file = data(`${split}.csv`);
      expect(written.data[split]).toEqual({
        path: `data/${split}.csv`,
        files: [
          {
            path: `data/${split}.csv`,
            sha256: sha256(file),
            bytes: readFileSync(file).length,
            rows: csvRows(file),
          },
        ],
      });
    }
    expect(written.data.train?.files[0]?.rows).toBe(700);
    expect(written.data.schema?.files[0]).toMatchObject({
      path: 'data/schema.yml',
      sha256: sha256(data('schema.yml')),
      rows: null,
    });
    expect(written.versions['@duckdb/node-api']).toMatch(/^\d+\.\d+\.\d+/);
    expect((written.metrics as { rows: number }).rows).toBe(700);
  });

  it('records each file of a data glob with its own digest and rows', async () => {
    const loaded = copyExample('glob');
    const split = join(loaded.dir, 'data', 'split');
    mkdirSync(split);
    const lines = readFileSync(join(loaded.dir, 'data', 'train.csv'), 'utf8')
      .trim()
      .split('\n');
    writeFileSync(join(split, 'a.csv'), `${lines.slice(0, 101).join('\n')}\n`);
    writeFileSync(join(split, 'b.csv'), `${[lines[0], ...lines.slice(101)].join('\n')}\n`);
    const globbed = {
      ...loaded,
      config: { ...loaded.config, data: { train: 'data/split/*.csv' } },
    };
    const modelPath = join(dir, 'glob-model.onnx');
    writeFileSync(modelPath, logisticRegressionModel({ weights: new Array(26).fill(0), bias: 0 }));
    const manifest = await buildRunManifest({
      loaded: globbed,
      result: {
        command: 'x',
        cwd: loaded.dir,
        exitCode: 0,
        signal: null,
        timedOut: false,
        cancelled: false,
        durationMs: 1,
        tail: [],
        strayProcessesStopped: false,
      },
      startedAt: new Date(),
      finishedAt: new Date(),
      model: await verifyTrainedModel(globbed, modelPath),
      outputDir: join(dir, 'glob-out'),
      gpu: { mode: 'none', note: '' },
    });
    expect(manifest.data).toEqual({
      train: {
        path: 'data/split/*.csv',
        files: ['a', 'b'].map((name) => ({
          path: `data/split/${name}.csv`,
          sha256: sha256(join(split, `${name}.csv`)),
          bytes: readFileSync(join(split, `${name}.csv`)).length,
          rows: name === 'a' ? 100 : 600,
        })),
      },
    });
    expect(manifest.metrics).toBeNull();
    expect(manifest.commit_sha).toBeNull();
  });
});

describe('verifyTrainedModel after training', () => {
  const loaded = loadConfig(join(ROOT, 'examples', 'credit-risk', 'modelship.yml'));
  const wrongWidth = join(dir, 'width-3.onnx');
  writeFileSync(wrongWidth, logisticRegressionModel({ weights: [1, 2, 3], bias: 0 }));

  /** Runs `command` with the model path in the temp dir, then verifies what it left. */
  async function trainAndVerify(name: string, command: string): Promise<string> {
    const modelPath = join(dir, name, 'model.onnx');
    mkdirSync(dirname(modelPath), { recursive: true });
    await runTraining({ loaded, command, cwd: dir, env, paths: { modelPath } });
    return message(verifyTrainedModel(loaded, modelPath));
  }

  it('fails when training left no model', async () => {
    expect(await trainAndVerify('missing', 'echo trained')).toBe(
      `${join(dir, 'missing', 'model.onnx')}: training finished but left no model file there; make the train command write the ONNX model to MODELSHIP_MODEL_PATH (model.path in modelship.yml).`,
    );
  });

  it('fails when the model is garbage bytes', async () => {
    expect(
      await trainAndVerify('garbage', `head -c 4096 /dev/urandom > "$MODELSHIP_MODEL_PATH"`),
    ).toMatch(/model\.onnx: (not an ONNX model|onnxruntime cannot load the model)/);
  });

  it('fails when the model takes another number of inputs than the features make', async () => {
    expect(await trainAndVerify('width', `cp '${wrongWidth}' "$MODELSHIP_MODEL_PATH"`)).toBe(
      `${join(dir, 'width', 'model.onnx')} expects 3 inputs per row, but modelship.yml features make 26; retrain or fix the features list.`,
    );
  });

  it('rejects metrics.json that is not JSON', () => {
    const outputDir = join(dir, 'bad-metrics');
    mkdirSync(outputDir);
    writeFileSync(join(outputDir, 'metrics.json'), '{"roc_auc": 0.8,');
    expect(() => readTrainingMetrics(outputDir)).toThrow(
      new RegExp(
        `^${join(outputDir, 'metrics.json')}: the metrics the training script wrote are not valid JSON \\(.*\\); write them with json.dump or JSON.stringify, or do not write metrics.json.$`,
      ),
    );
    expect(readTrainingMetrics(join(dir, 'nowhere'))).toBeNull();
  });
});

describe('modelship train', () => {
  it('trains the example, verifies it and writes the manifest beside the model', () => {
    const loaded = copyExample('cli');
    const result = runCli(['train', '--config', loaded.file, '--commit', 'b'.repeat(40)], dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const modelPath = join(loaded.dir, 'artifacts', 'model.onnx');
    const manifestPath = join(loaded.dir, 'artifacts', 'manifest.json');
    expect(result.stdout).toMatch(/^modelship train: credit-risk; /);
    expect(result.stdout).toContain('$ node train.mjs');
    expect(result.stdout).toMatch(/trained logistic regression on 700 rows/);
    expect(result.stdout).toMatch(
      /trained credit-risk in \d+\.\d s: .*model\.onnx \(\d+(\.\d)? (B|KiB), sha256 [0-9a-f]{12}…\) loads on (cpu|cuda) with 26 inputs; manifest → .*manifest\.json\n$/,
    );
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as RunManifest;
    expect(manifest).toMatchObject({
      commit_sha: 'b'.repeat(40),
      config: { path: 'modelship.yml', sha256: sha256(loaded.file) },
      model: { path: 'artifacts/model.onnx', sha256: sha256(modelPath) },
      run: { command: 'node train.mjs', exit_code: 0 },
      versions: { modelship: '0.1.0' },
    });
    const train = join(loaded.dir, 'data', 'train.csv');
    expect(manifest.data.train?.files).toEqual([
      {
        path: 'data/train.csv',
        sha256: sha256(train),
        bytes: readFileSync(train).length,
        rows: 700,
      },
    ]);
    expect(manifest.gpu.mode).toBe('optional');
    expect(manifest.gpu.before).toMatchObject({ available: expect.any(Boolean) });
  });

  it('writes metrics and the manifest to --output-dir when given', () => {
    const loaded = copyExample('cli-out');
    const out = join(dir, 'cli-out-dir');
    const result = runCli(['train', '--config', loaded.file, '--output-dir', out], dir);
    expect(result.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['manifest.json', 'metrics.json']);
    expect(existsSync(join(loaded.dir, 'artifacts', 'model.onnx'))).toBe(true);
  });

  it('exits 2 with one line when the command fails', () => {
    const loaded = copyExample('cli-fail');
    const result = runCli(
      ['train', '--config', loaded.file, '--command', 'echo boom; exit 4', '--gpu', 'none'],
      dir,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'modelship: train command "echo boom; exit 4" exited with code 4; last lines: boom\n',
    );
    expect(result.stdout).toContain('boom\n');
    expect(existsSync(join(loaded.dir, 'artifacts', 'manifest.json'))).toBe(false);
  });

  it('exits 2 with one line for a bad --gpu or --timeout-minutes', () => {
    const config = join(ROOT, 'examples', 'credit-risk', 'modelship.yml');
    const gpu = runCli(['train', '--config', config, '--gpu', 'always'], dir);
    expect([gpu.code, gpu.stderr]).toEqual([
      2,
      'modelship: --gpu must be required, optional or none, not "always".\n',
    ]);
    const timeout = runCli(['train', '--config', config, '--timeout-minutes', 'soon'], dir);
    expect([timeout.code, timeout.stderr]).toEqual([
      2,
      'modelship: --timeout-minutes must be a positive number, not "soon".\n',
    ]);
  });
});
