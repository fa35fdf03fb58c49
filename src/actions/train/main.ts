import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import * as core from '@actions/core';
import { ModelshipError } from '../../core/errors.js';
import { describeGpus, type GpuDecision, type GpuDetection } from '../../core/train/gpu.js';
import { TrainingFailedError } from '../../core/train/runTraining.js';
import { trainingPaths } from '../../core/train/trainingEnv.js';
import { trainRun, type TrainRun } from '../../core/train/trainRun.js';
import { uploadArtifact } from '../artifact.js';
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

  // The cache is restored before training, once the GPU decision (which may refuse) is made.
  let gpu: { decision: GpuDecision; before: GpuDetection } | undefined;
  let cacheHit = '' as CacheHit | '';
  let cacheKey = '';
  const restore = async () => {
    if (!inputs.cachePaths.length) return;
    const computed = inputs.cacheKey
      ? undefined
      : await defaultTrainCacheKey(loaded, command, process.env.RUNNER_OS ?? process.platform);
    cacheKey = inputs.cacheKey ?? computed!.key;
    const restoreKeys = computed?.restoreKeys ?? [];
    cacheHit = (await restoreCache(inputs.cachePaths, cacheKey, restoreKeys)).hit;
    core.info(`cache ${cacheHit} for ${cacheKey}`);
  };
  let run: TrainRun;
  try {
    run = await trainRun({
      loaded,
      command,
      cwd: inputs.workingDirectory,
      gpu: inputs.gpu,
      env: { ...process.env },
      paths: trainingPaths(loaded, {}),
      ...(inputs.timeoutMinutes !== undefined ? { timeoutMinutes: inputs.timeoutMinutes } : {}),
      commitSha: process.env.GITHUB_SHA ?? null,
      onGpu: (decision, before) => {
        gpu = { decision, before };
        core.info(`${name}: ${decision.note}`);
        core.setOutput('gpu-count', String(before.gpus.length));
        core.setOutput('gpu-names', before.gpus.map((g) => g.name).join(', '));
      },
      beforeCommand: restore,
      onStart: () => core.startGroup(`Training: ${command}`),
      onLine: (_stream, line) => core.info(line),
      onEnd: () => core.endGroup(),
    });
  } catch (error) {
    if (error instanceof TrainingFailedError && gpu) {
      const { decision, before } = gpu;
      await core.summary
        .addRaw(
          trainSummary({ name, command, decision, before, cacheHit, cacheKey, failure: error }),
        )
        .write();
    }
    throw error;
  }
  const { decision, before, after, result, model, manifest, manifestPath } = run;
  const paths = { outputDir: dirname(manifestPath) };

  if (inputs.cachePaths.length && cacheHit !== 'exact') {
    const saved = await saveCache(inputs.cachePaths, cacheKey);
    if (!saved.saved) core.info(`cache not saved: ${saved.reason}`);
  }

  let artifactId = '';
  if (inputs.artifactName && process.env.ACTIONS_RUNTIME_TOKEN) {
    const metrics = join(paths.outputDir, 'metrics.json');
    const files = [model.path, manifestPath, ...(existsSync(metrics) ? [metrics] : [])];
    const root = commonDirectory(files);
    const artifact = await uploadArtifact({
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
