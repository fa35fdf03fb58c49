import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import * as core from '@actions/core';
import { ImageBuilder } from '../../core/deploy/imageBuilder.js';
import { renderManifests } from '../../core/deploy/k8sManifests.js';
import { findServingRuntime, type ServingRuntime } from '../../core/deploy/servingRuntime.js';
import { buildServingImage, smokeTestImage } from '../../core/deploy/servingImage.js';
import { ModelshipError } from '../../core/errors.js';
import { compareVersions, tagOfQuery, versionOfModel } from '../../core/release/modelVersion.js';
import { writeOutputFile } from '../../core/files/outputFiles.js';
import { runtimeFolder } from '../runtime/nativeRuntime.js';
import { runtimeBuild } from '../runtime/runtimeBuild.js';
import {
  createDeployment,
  listDeployments,
  retireReplaced,
  reusableDeployment,
  setDeploymentStatus,
} from '../../github/deployments.js';
import type { ModelRelease } from '../../github/releases/apiRelease.js';
import { ModelRegistry } from '../../github/releases/registry.js';
import { createStepOctokit, readRunContext, type RunContext } from '../runContext.js';
import { uploadArtifact } from '../artifact.js';
import { readDeployInputs, type DeployInputs } from './inputs.js';
import { loadTestPayload, planLoadTest, runLoadTestStep } from './loadTestStep.js';
import { deploySummary, type DeployOutcome } from './summary.js';

/** deploy: a release's serving image built, pushed, smoke-tested, tagged and recorded. */
export async function run(): Promise<void> {
  const outcome: DeployOutcome = { steps: [] };
  try {
    const inputs = readDeployInputs();
    const context = readRunContext();
    if (!context || !inputs.githubToken) {
      throw new ModelshipError(
        'deploy reads the release and records a GitHub Deployment, so it runs in GitHub Actions with a token: set `github-token` (with `contents: read` and `deployments: write`).',
      );
    }
    await deploy(inputs, context, outcome);
  } finally {
    await writeSummary(outcome);
  }
  core.setOutput('image', outcome.image);
  core.setOutput('digest', outcome.digest);
  core.setOutput('deployment-id', String(outcome.deploymentId ?? ''));
}

async function deploy(inputs: DeployInputs, context: RunContext, outcome: DeployOutcome) {
  const octokit = createStepOctokit(inputs.githubToken, context);
  const repository = { owner: context.owner, repo: context.repo };
  const work = mkdtempSync(join(process.env.RUNNER_TEMP ?? tmpdir(), 'modelship-deploy-'));
  try {
    // 1. The release's bundle, every file verified against its SHA256SUMS.
    const registry = new ModelRegistry({ octokit, ...repository });
    const release = await findRelease(registry, inputs);
    outcome.tag = release.tag;
    const bundle = join(work, 'bundle');
    mkdirSync(bundle);
    const names = release.assets
      .map((asset) => asset.name)
      .filter((name) => name === basename(name) && !name.startsWith('.'));
    await registry.download(release, names, bundle);
    outcome.steps.push(`Downloaded ${release.tag} (${release.assets.length} files, verified).`);
    // The load test's settings and SLO, checked before anything is built.
    const loadTestPlan = planLoadTest({
      run: inputs.loadTest,
      overrides: inputs.loadTestOverrides,
      model: inputs.model,
      loaded: inputs.loaded,
      bundle,
    });

    // 2. Build and push `<image>:<version>`. Registry logins stay in this job's own auth file.
    const authFile = join(work, 'auth.json');
    writeFileSync(authFile, '{"auths":{}}\n', { mode: 0o600 });
    const env = { ...process.env, REGISTRY_AUTH_FILE: authFile };
    const builder = await ImageBuilder.detect(inputs.builder, {
      env,
      onLine: (line) => core.info(line),
    });
    if (inputs.credentials)
      await builder.login(
        inputs.registry,
        inputs.credentials.username,
        inputs.credentials.password,
        inputs.tlsVerify,
      );
    const runtime = await servingRuntime();
    core.startGroup(`Build ${inputs.image}:${release.version} with ${builder.name}`);
    let built;
    try {
      built = await buildServingImage({
        builder,
        bundle,
        runtime,
        repository: inputs.image,
        baseImage: inputs.baseImage,
        source: `${process.env.GITHUB_SERVER_URL ?? 'https://github.com'}/${context.owner}/${context.repo}`,
        tlsVerify: inputs.tlsVerify,
        workDir: work,
      });
    } finally {
      core.endGroup();
    }
    const digest = await builder.push(built.ref, built.ref, inputs.tlsVerify);
    outcome.digest = digest;
    outcome.image = `${inputs.image}@${digest}`;
    outcome.steps.push(`Built with ${builder.name} and pushed \`${built.ref}\` (\`${digest}\`).`);

    // 3. The smoke test, on the pushed image: nothing moves unless it passes.
    if (inputs.smokeTest) {
      const smoke = await smokeTestImage({
        builder,
        image: outcome.image,
        bundle,
        tlsVerify: inputs.tlsVerify,
      });
      outcome.smoke = smoke;
      if (!smoke.passed) {
        if (smoke.logs) core.info(`Container log:\n${smoke.logs}`);
        throw new ModelshipError(
          `The smoke test of ${built.ref} failed, so ${inputs.environment} was left as it was: ${smoke.reason}`,
        );
      }
    } else outcome.steps.push('Smoke test skipped (`smoke-test: false`).');

    // 3b. The load test, on the same image: nothing moves unless it meets serve.slo.
    const loadTest = loadTestPlan
      ? await runLoadTestStep({
          plan: loadTestPlan,
          builder,
          image: outcome.image,
          subject: built.ref,
          bundle,
          environment: inputs.environment,
          tlsVerify: inputs.tlsVerify,
          outcome,
        })
      : undefined;
    if (!loadTestPlan) outcome.steps.push('Load test skipped (`load-test: false`).');

    // 4. Move `<image>:<environment>` to the tested digest.
    const moving = `${inputs.image}:${inputs.environment}`;
    const moved = await builder.retag(built.ref, outcome.image, moving, inputs.tlsVerify);
    if (moved !== digest)
      throw new ModelshipError(
        `Pushing ${moving} gave digest ${moved}, not the tested ${digest}; re-run the job (install skopeo to tag by digest).`,
      );
    outcome.steps.push(`Tagged \`${moving}\`.`);

    // 5. The GitHub Deployment: reused on a re-run, new for a new version or a rollback.
    const existing = reusableDeployment(
      await listDeployments(octokit, repository, inputs.environment, { limit: 1 }),
      release.tag,
      digest,
    );
    const id =
      existing?.id ??
      (await createDeployment(octokit, repository, {
        ref: release.tag,
        environment: inputs.environment,
        description: `${inputs.model} ${release.version} (${digest.slice(0, 19)})`,
        payload: {
          image: outcome.image,
          digest,
          version: release.version,
          model: inputs.model,
          ...(loadTest ? { load_test: loadTestPayload(loadTest, loadTestPlan?.slo) } : {}),
        },
      }));
    if (existing?.state !== 'success')
      await setDeploymentStatus(octokit, repository, id, {
        state: 'success',
        description: `Smoke-tested and tagged ${inputs.environment}`,
        logUrl: context.runUrl,
        ...(inputs.url ? { environmentUrl: inputs.url } : {}),
      });
    outcome.deploymentId = id;
    outcome.steps.push(
      existing
        ? `Deployment ${id} to ${inputs.environment} already recorded this image; reused.`
        : `Recorded deployment ${id} to ${inputs.environment}.`,
    );
    // Deploying an older version is a rollback: the version it replaced is no longer production.
    const retired = await retireReplaced(
      octokit,
      repository,
      inputs.environment,
      { id, tag: release.tag },
      {
        ofModel: (ref) => versionOfModel(ref, inputs.model) !== undefined,
        newer: (ref) => compareVersions(versionOfModel(ref, inputs.model)!, release) > 0,
        ...(inputs.rollbackReason ? { reason: inputs.rollbackReason } : {}),
        urls: { logUrl: context.runUrl, ...(inputs.url ? { environmentUrl: inputs.url } : {}) },
      },
    );
    if (retired) outcome.steps.push(`Marked ${retired.ref} ${retired.description}.`);

    // 6. Kubernetes manifests pinned to the digest, as an artifact and in the summary.
    const { files } = renderManifests({
      name: inputs.model,
      version: release.version,
      image: outcome.image,
    });
    outcome.manifests = files;
    const dir = join(work, 'manifests');
    mkdirSync(dir);
    for (const [name, text] of Object.entries(files))
      writeOutputFile(join(dir, name), text, 'the manifest');
    if (process.env.ACTIONS_RUNTIME_TOKEN) {
      const name = `modelship-manifests-${inputs.model}`;
      await uploadArtifact({
        name,
        files: Object.keys(files).map((f) => join(dir, f)),
        rootDirectory: dir,
        overwrite: true,
      });
      outcome.steps.push(`Uploaded the Kubernetes manifests as the artifact \`${name}\`.`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The release to deploy; `production` is the newest release here, whatever runs now. */
async function findRelease(registry: ModelRegistry, inputs: DeployInputs): Promise<ModelRelease> {
  const { release } = await registry.resolve(inputs.release, inputs.model, { environment: false });
  if (release) return release;
  throw new ModelshipError(
    inputs.release.kind === 'production'
      ? `${inputs.model} has no published release to deploy; publish one with publish-model, or set version.`
      : `No published release ${tagOfQuery(inputs.release, inputs.model)}; check version against the releases (modelship registry list).`,
  );
}

async function writeSummary(outcome: DeployOutcome): Promise<void> {
  try {
    await core.summary.addRaw(deploySummary(outcome)).write();
  } catch (error) {
    core.warning(`The job summary could not be written: ${String(error)}`);
  }
}

/**
 * The serving runtime the image carries. From a release, the action tree has the script but no
 * natives: the Linux onnxruntime of the image's architecture (this runner's on arm64 Linux, else
 * x64) comes from that platform's runtime archive, fetched and verified like a native step's.
 */
async function servingRuntime(): Promise<ServingRuntime> {
  const override = process.env.MODELSHIP_SERVE_RUNTIME || undefined;
  const build = runtimeBuild();
  if (override || !build) return findServingRuntime(override);
  const platform =
    process.platform === 'linux' && process.arch === 'arm64' ? 'linux-arm64' : 'linux-x64';
  const { dir } = await runtimeFolder(platform, build);
  return findServingRuntime(undefined, {
    natives: join(dir, 'onnxruntime'),
    arch: platform === 'linux-arm64' ? 'arm64' : 'x64',
  });
}
