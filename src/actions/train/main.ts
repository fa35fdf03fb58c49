import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import * as core from '@actions/core';
import { ModelshipError } from '../../core/errors.js';
import {
  checkGpuRequirement,
  describeGpus,
  detectGpus,
  nvidiaSmi,
  type GpuDetection,
} from '../../core/train/gpu.js';
import { buildRunManifest, writeRunManifest } from '../../core/train/runManifest.js';
import { runTraining, TrainingFailedError } from '../../core/train/runTraining.js';
import { trainingPaths } from '../../core/train/trainingEnv.js';
import { verifyTrainedModel } from '../../core/train/verifyModel.js';
import { uploadTrainingArtifact } from './artifact.js';
import { restoreCache, saveCache, type CacheHit } from './cache.js';
import { readTrainInputs } from './inputs.js';
import { trainSummary } from './trainSummary.js';
import { defaultTrainCacheKey } from './trainCacheKey.js';

/** train: GPU check, cache, the training command, model verification, manifest, artifact. */
export async function run(): Promise<void> {
  const inputs = readTrainInputs();
  const { loaded } = inputs;
  const name = loaded.config.model.name;
  const command = inputs.command ?? loaded.config.train.command;
  if (!command)
    throw new ModelshipError(
      `${relative(inputs.workspace, loaded.file)}: train.command is not set; set it or the command input.`,
    );

  const gpuArgs = { run: nvidiaSmi(), cudaVisibleDevices: process.env.CUDA_VISIBLE_DEVICES };
  const before = await detectGpus(gpuArgs);
  const decision = checkGpuRequirement(inputs.gpu, before);
  core.info(`${name}: ${decision.note}`);
  core.setOutput('gpu-count', String(before.gpus.length));
  core.setOutput('gpu-names', before.gpus.map((g) => g.name).join(', '));

  let cacheHit: CacheHit | '' = '';
  let cacheKey = '';
  if (inputs.cachePaths.length) {
    const computed = inputs.cacheKey
      ? undefined
      : await defaultTrainCacheKey(loaded, command, process.env.RUNNER_OS ?? process.platform);
    cacheKey = inputs.cacheKey ?? computed!.key;
    const restoreKeys = computed?.restoreKeys ?? [];
    cacheHit = (await restoreCache(inputs.cachePaths, cacheKey, restoreKeys)).hit;
    core.info(`cache ${cacheHit} for ${cacheKey}`);
  }

  const paths = trainingPaths(loaded, {});
  const controller = new AbortController();
  const abort = () => controller.abort();
  process.once('SIGTERM', abort);
  process.once('SIGINT', abort);
  const startedAt = new Date();
  let result;
  core.startGroup(`Training: ${command}`);
  try {
    result = await runTraining({
      loaded,
      command,
      cwd: inputs.workingDirectory,
      env: { ...process.env },
      paths,
      timeoutMinutes: inputs.timeoutMinutes,
      signal: controller.signal,
      onLine: (_stream, line) => core.info(line),
    });
  } catch (error) {
    core.endGroup();
    if (error instanceof TrainingFailedError) {
      await core.summary
        .addRaw(
          trainSummary({ name, command, decision, before, cacheHit, cacheKey, failure: error }),
        )
        .write();
    }
    throw error;
  } finally {
    process.removeListener('SIGTERM', abort);
    process.removeListener('SIGINT', abort);
  }
  core.endGroup();
  const finishedAt = new Date();
  const after: GpuDetection | null = before.available ? await detectGpus(gpuArgs) : null;
  const model = await verifyTrainedModel(loaded, paths.modelPath, {
    executionProviders: decision.useGpu ? ['cuda', 'cpu'] : ['cpu'],
  });
  const manifest = await buildRunManifest({
    loaded,
    commitSha: process.env.GITHUB_SHA ?? null,
    result,
    startedAt,
    finishedAt,
    model,
    outputDir: paths.outputDir,
    gpu: { mode: inputs.gpu, note: decision.note, before, after },
  });
  const manifestPath = join(paths.outputDir, 'manifest.json');
  writeRunManifest(manifestPath, manifest);

  if (inputs.cachePaths.length && cacheHit !== 'exact') {
    const saved = await saveCache(inputs.cachePaths, cacheKey);
    if (!saved.saved) core.info(`cache not saved: ${saved.reason}`);
  }

  let artifactId = '';
  if (inputs.artifactName && process.env.ACTIONS_RUNTIME_TOKEN) {
    const metrics = join(paths.outputDir, 'metrics.json');
    const files = [model.path, manifestPath, ...(existsSync(metrics) ? [metrics] : [])];
    const root = commonDirectory(files);
    const artifact = await uploadTrainingArtifact({
      name: inputs.artifactName,
      files,
      rootDirectory: root,
      // "Re-run jobs" is the same workflow run: replace the earlier attempt's artifact.
      overwrite: Number(process.env.GITHUB_RUN_ATTEMPT ?? '1') > 1,
    });
    artifactId = String(artifact.id);
  } else if (inputs.artifactName) {
    core.info(
      'No artifact uploaded: ACTIONS_RUNTIME_TOKEN is not set (not running on a GitHub runner).',
    );
  }

  await core.summary
    .addRaw(
      trainSummary({
        name,
        command,
        decision,
        before,
        after,
        cacheHit,
        cacheKey,
        model,
        manifest,
        artifactName: artifactId ? inputs.artifactName : undefined,
      }),
    )
    .write();
  core.setOutput('model-path', model.path);
  core.setOutput('manifest', manifestPath);
  core.setOutput('cache-hit', cacheHit);
  core.setOutput('artifact-id', artifactId);
  core.info(
    `${name}: trained in ${(result.durationMs / 1000).toFixed(1)} s; ${describeGpus(before)}.`,
  );
}

/** The deepest directory holding every file: their paths in the artifact are relative to it. */
function commonDirectory(files: string[]): string {
  let root = dirname(files[0]!);
  while (!files.every((f) => f.startsWith(`${root}/`))) root = dirname(root);
  return root;
}
