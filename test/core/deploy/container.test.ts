// Real containers, no mocks: podman and buildah build the serving image of real release bundles of
// the credit-risk example, push it to Debian's docker-registry on a free loopback port, run it
// with podman (runc, the machine's ulimits) and smoke-test it; a bundle
// whose model predicts differently fails. The deploy action runs end to end against the GitHub
// fake and the same registry. test/support/containerLab.ts sets it all up in a private store (the
// base image is node and its libraries copied into `buildah from scratch`: nothing can be pulled)
// and stops and removes everything it started.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { run as deploy } from '../../../src/actions/deploy/main.js';
import { main } from '../../../src/cli/main.js';
import { loadConfig } from '../../../src/core/config/modelshipConfig.js';
import { ImageBuilder } from '../../../src/core/deploy/imageBuilder.js';
import { buildServingImage, smokeTestImage } from '../../../src/core/deploy/servingImage.js';
import { findServingRuntime } from '../../../src/core/deploy/servingRuntime.js';
import { sha256sums } from '../../../src/core/release/checksums.js';
import { writeReleaseBundle } from '../../../src/core/release/bundle.js';
import { OWNER, REPO, useActionRun } from '../../support/actionRunner.js';
import { trainModel, writeProject } from '../../support/evaluateProject.js';
import { deployActionDefaults, labDeployInputs } from '../../support/deployActionDefaults.js';
import { deploymentsOf } from '../../support/github/fakeDeployments.js';
import type { FakeRepo } from '../../support/github/fakeEntities.js';
import type { GitHubFake } from '../../support/github/githubFake.js';
import { ResultsService } from '../../support/cache/resultsService.js';
import { readZip } from '../../support/cache/zip.js';
import { useGitHubFake } from '../../support/github/useGitHubFake.js';
import { buildCliIfStale, ROOT } from '../../support/cli.js';
import { startContainerLab, type ContainerLab } from '../../support/containerLab.js';
import { systemRequirements } from '../../support/systemRequirements.js';

const scratch = join(tmpdir(), `modelship-container-test-${process.pid}`);
/** Without podman and the other container tools every test here is skipped, and no hook runs. */
const containers = systemRequirements(['containers']);
const gated = containers.options;

const { fake } = useGitHubFake();
const action = useActionRun(deployActionDefaults());

let lab: ContainerLab;
let stopLab: (() => Promise<void>) | undefined;
let env: Record<string, string>;
let registry: string;
let baseImage: string;
let runtime: string;
/** Bundles by version: 1.0.0 and 1.2.0 good, 1.1.0 with a model other than the one it recorded. */
const bundles: Record<string, string> = {};

const tool = (command: 'podman' | 'buildah' | 'skopeo', args: string[]) => lab.tool(command, args);
const registryDigest = (repository: string, tag: string) => lab.registryDigest(repository, tag);
const registryTags = (repository: string) => lab.registryTags(repository);

/** A bundle whose model.onnx is another model, its manifest and SHA256SUMS updated to match. */
function swapModel(dir: string, model: Uint8Array): void {
  writeFileSync(join(dir, 'model.onnx'), model);
  const manifestPath = join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    files: Record<string, { sha256: string; size_bytes: number }>;
  };
  manifest.files['model.onnx'] = {
    sha256: createHash('sha256').update(model).digest('hex'),
    size_bytes: model.length,
  };
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  const files = readdirSync(dir)
    .filter((name) => name !== 'SHA256SUMS')
    .map((name) => ({
      name,
      sha256: createHash('sha256')
        .update(readFileSync(join(dir, name)))
        .digest('hex'),
    }));
  writeFileSync(join(dir, 'SHA256SUMS'), sha256sums(files));
}

beforeAll(async () => {
  containers.check();
  mkdirSync(scratch, { recursive: true });
  buildCliIfStale();
  // Registry, private store, the serving runtime bundled on its own and a base image from scratch.
  lab = await startContainerLab(join(scratch, 'lab'), (stop) => (stopLab = stop));
  ({ env, registry, baseImage, runtime } = lab);

  const good = join(scratch, 'good.onnx');
  writeFileSync(good, await trainModel({ l2: 1 }));
  const loaded = loadConfig(writeProject(join(scratch, 'project'), { model: good }));
  for (const version of ['1.0.0', '1.1.0', '1.2.0']) {
    const bundle = await writeReleaseBundle({
      loaded,
      out: join(scratch, `bundle-${version}`),
      version,
      commit: 'c'.repeat(40),
      now: new Date('2026-01-02T03:04:05Z'),
      executionProviders: ['cpu'],
    });
    bundles[version] = bundle.dir;
  }
  swapModel(bundles['1.1.0']!, await trainModel({ l2: 3000, rows: 100 }));
}, 180_000);

afterAll(async () => {
  try {
    await stopLab?.();
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}, 60_000);

interface History {
  created_by: string;
  empty_layer?: boolean;
}

describe('the serving image, built with podman', gated, () => {
  let builder: ImageBuilder;
  beforeAll(async () => {
    builder = await ImageBuilder.detect('podman', { env: { ...process.env, ...env } });
  });

  it('is the base, then the runtime, then the model as the last layer; non-root, labelled, with a HEALTHCHECK', async () => {
    const repository = `${registry}/layers`;
    const first = await buildServingImage({
      builder,
      bundle: bundles['1.0.0']!,
      runtime: findServingRuntime(runtime),
      repository,
      baseImage,
      tlsVerify: false,
    });
    const second = await buildServingImage({
      builder,
      bundle: bundles['1.1.0']!,
      runtime: findServingRuntime(runtime),
      repository,
      baseImage,
      tlsVerify: false,
    });
    expect(first.ref).toBe(`${repository}:1.0.0`);
    const inspect = (ref: string) =>
      (
        JSON.parse(tool('podman', ['image', 'inspect', ref])) as {
          Config: { User: string; Labels: Record<string, string>; ExposedPorts: object };
          RootFS: { Layers: string[] };
          Healthcheck?: { Test: string[] };
        }[]
      )[0]!;
    const image = inspect(first.ref);
    const base = inspect(baseImage);
    expect(image.Config.User).toBe('10001:10001');
    expect(Object.keys(image.Config.ExposedPorts)).toEqual(['8080/tcp']);
    expect(image.Healthcheck?.Test.join(' ')).toContain('/v2/health/ready');
    expect(image.Config.Labels).toMatchObject({
      'org.opencontainers.image.version': '1.0.0',
      'org.opencontainers.image.revision': 'c'.repeat(40),
      'io.modelship.model.tag': 'credit-risk-v1.0.0',
    });
    expect(image.Config.Labels['io.modelship.model.digest']).toMatch(/^sha256:[0-9a-f]{64}$/);
    // Two layers over the base: the runtime, then the model.
    expect(image.RootFS.Layers.slice(0, base.RootFS.Layers.length)).toEqual(base.RootFS.Layers);
    expect(image.RootFS.Layers).toHaveLength(base.RootFS.Layers.length + 2);
    const history = JSON.parse(
      tool('podman', ['image', 'inspect', '--format', '{{json .History}}', first.ref]),
    ) as History[];
    const layers = history.filter((h) => !h.empty_layer).map((h) => h.created_by);
    expect(layers.slice(-2)).toEqual([
      expect.stringMatching(/COPY .* in \/opt\/modelship\/runtime\/ *$/),
      expect.stringMatching(/COPY .* in \/opt\/modelship\/model\/ *$/),
    ]);
    // A new version shares every layer but the model's.
    const next = inspect(second.ref);
    expect(next.RootFS.Layers.slice(0, -1)).toEqual(image.RootFS.Layers.slice(0, -1));
    expect(next.RootFS.Layers.at(-1)).not.toBe(image.RootFS.Layers.at(-1));

    // The HEALTHCHECK (node's fetch, no curl) passes once the model is loaded.
    const name = `modelship-smoke-health-${process.pid}`;
    try {
      const url = await builder.run({ image: first.ref, name, containerPort: 8080 });
      const deadline = Date.now() + 30_000;
      while (
        !(await fetch(`${url}/v2/health/ready`).then(
          (r) => r.ok,
          () => false,
        ))
      ) {
        if (Date.now() > deadline) throw new Error(`not ready:\n${await builder.logs(name)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(tool('podman', ['healthcheck', 'run', name])).toBe('');
      expect(tool('podman', ['exec', name, 'node', '-e', 'console.log(process.getuid())'])).toBe(
        '10001',
      );
    } finally {
      await builder.remove(name);
    }
  });

  it('pushed to the registry and run by digest, passes the smoke test; the broken one fails it', async () => {
    const repository = `${registry}/smoke`;
    const results: Record<string, Awaited<ReturnType<typeof smokeTestImage>>> = {};
    for (const version of ['1.0.0', '1.1.0']) {
      const built = await buildServingImage({
        builder,
        bundle: bundles[version]!,
        runtime: findServingRuntime(runtime),
        repository,
        baseImage,
        tlsVerify: false,
      });
      const digest = await builder.push(built.ref, built.ref, false);
      expect(await registryDigest('smoke', version)).toBe(digest);
      results[version] = await smokeTestImage({
        builder,
        image: `${repository}@${digest}`,
        bundle: bundles[version]!,
        tlsVerify: false,
      });
    }
    expect(results['1.0.0']).toMatchObject({ passed: true, reason: '' });
    expect(results['1.0.0']!.comparisons.every((c) => c.passed && c.maxDifference <= 1e-5)).toBe(
      true,
    );
    expect(results['1.1.0']!.passed).toBe(false);
    expect(results['1.1.0']!.reason).toMatch(
      /^\/predict: row \d+ P\(bad\) is .*, but the bundle recorded .*\.$/,
    );
    expect(results['1.1.0']!.logs).toContain('"event":"model_loaded"');
    // Every smoke container is gone.
    expect(tool('podman', ['ps', '-a', '--filter', 'name=modelship-smoke-', '-q'])).toBe('');
  });

  it('serves a skl2onnx pipeline (one input per column, text as BYTES, ZipMap) and passes its smoke test', async () => {
    // The model as skl2onnx exports a scikit-learn pipeline with its defaults: no re-export.
    const project = join(scratch, 'pipeline');
    mkdirSync(project, { recursive: true });
    const fixtures = join(ROOT, 'test', 'fixtures', 'converter-models');
    copyFileSync(
      join(fixtures, 'credit_pipeline_zipmap', 'model.onnx'),
      join(project, 'model.onnx'),
    );
    copyFileSync(join(fixtures, 'data', 'credit_train.csv'), join(project, 'train.csv'));
    copyFileSync(join(fixtures, 'data', 'credit_holdout.csv'), join(project, 'holdout.csv'));
    writeFileSync(
      join(project, 'modelship.yml'),
      'model: { name: credit-pipeline, task: binary-classification, path: model.onnx, target: class, positive: bad }\ndata: { train: train.csv, eval: holdout.csv }\n',
    );
    const bundle = await writeReleaseBundle({
      loaded: loadConfig(join(project, 'modelship.yml')),
      out: join(scratch, 'bundle-pipeline'),
      version: '1.0.0',
      now: new Date('2026-01-02T03:04:05Z'),
      executionProviders: ['cpu'],
    });
    const repository = `${registry}/pipeline`;
    const built = await buildServingImage({
      builder,
      bundle: bundle.dir,
      runtime: findServingRuntime(runtime),
      repository,
      baseImage,
      tlsVerify: false,
    });
    const digest = await builder.push(built.ref, built.ref, false);
    const result = await smokeTestImage({
      builder,
      image: `${repository}@${digest}`,
      bundle: bundle.dir,
      tlsVerify: false,
    });
    expect(result).toMatchObject({ passed: true, reason: '' });
    // /predict from raw rows and OIP infer with one tensor per input, both equal to the bundle's.
    expect(result.comparisons.map((c) => c.passed)).toEqual([true, true]);
  });

  it('modelship image build --push and image smoke with buildah: exit 0 for a good image, 1 for a broken one', async () => {
    const out: string[] = [];
    const spies = [
      vi.spyOn(process.stdout, 'write').mockImplementation((c) => (out.push(String(c)), true)),
      vi.spyOn(process.stderr, 'write').mockImplementation(() => true),
    ];
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      const cli = async (...args: string[]) => main(args);
      const repository = `${registry}/cli`;
      // buildah builds and pushes; the smoke test runs the image with podman.
      const flags = ['--builder', 'buildah', '--tls-verify', 'false'];
      for (const [version, exit] of [
        ['1.0.0', 0],
        ['1.1.0', 1],
      ] as const) {
        out.length = 0;
        const build = [bundles[version]!, '--image', repository, '--base-image', baseImage];
        expect(
          await cli('image', 'build', ...build, '--push', '--runtime', runtime, ...flags),
        ).toBe(0);
        const ref = /pushed (\S+@sha256:[0-9a-f]{64})/.exec(out.join(''))?.[1];
        expect(ref).toBeDefined();
        expect(await cli('image', 'smoke', ref!, '--bundle', bundles[version]!, ...flags)).toBe(
          exit,
        );
      }
      expect(out.join('')).toMatch(/^smoke test failed for \S+: \/predict: row \d+/m);
    } finally {
      for (const spy of spies) spy.mockRestore();
      for (const key of Object.keys(env)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });
});

describe('the deploy action, against the GitHub fake and the local registry', gated, () => {
  // The manifests artifact goes to the results-service stand-in (with Azurite) as on a runner.
  let results: ResultsService;
  beforeAll(async () => {
    results = await ResultsService.start();
  }, 60_000);
  afterAll(async () => {
    await results?.stop();
  });
  beforeEach(() => {
    Object.assign(process.env, env, results.env(), { MODELSHIP_SERVE_RUNTIME: runtime });
  });

  /** owner/repo with releases 1.0.0 (good), 1.1.0 (broken) and 1.2.0 (good) of the bundles. */
  function releases(github: GitHubFake): FakeRepo {
    const repo = github.addRepo(OWNER, REPO);
    for (const [version, dir] of Object.entries(bundles)) {
      const assets = Object.fromEntries(
        readdirSync(dir).map((name) => [name, readFileSync(join(dir, name))]),
      );
      github.addRelease(repo, { tag: `credit-risk-v${version}`, assets });
    }
    writeProject(action.workspace(), { model: join(scratch, 'good.onnx') });
    Object.assign(process.env, {
      GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
      GITHUB_API_URL: github.url,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_EVENT_NAME: 'release',
      GITHUB_SHA: 'c'.repeat(40),
      GITHUB_RUN_ID: '777',
      MODELSHIP_GITHUB_PACE_WRITES: 'false',
      'INPUT_GITHUB-TOKEN': github.actionsToken({ writes: ['contents'] }),
    });
    return repo;
  }

  const deployVersion = async (version: string) => {
    action.clear();
    action.setInputs({
      VERSION: version,
      ...labDeployInputs(`${registry}/credit-risk`, baseImage),
    });
    await deploy();
    return action.outputs();
  };

  it('deploys a release: pushed, smoke-tested, production tag moved, deployment recorded; a re-run adds nothing', async () => {
    const github = fake();
    const repo = releases(github);
    const outputs = await deployVersion('1.0.0');

    const digest = outputs.digest!;
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(outputs.image).toBe(`${registry}/credit-risk@${digest}`);
    expect(await registryDigest('credit-risk', '1.0.0')).toBe(digest);
    expect(await registryDigest('credit-risk', 'production')).toBe(digest);
    const [deployment, ...others] = deploymentsOf(github.repoState(OWNER, REPO));
    expect(others).toEqual([]);
    expect(outputs['deployment-id']).toBe(String(deployment!.id));
    expect(deployment).toMatchObject({
      ref: 'credit-risk-v1.0.0',
      environment: 'production',
      payload: { image: outputs.image, digest, version: '1.0.0', model: 'credit-risk' },
    });
    expect(deployment!.statuses.map((s) => [s.state, s.environmentUrl, s.logUrl])).toEqual([
      [
        'success',
        'https://models.example.com/credit-risk',
        'https://github.com/owner/repo/actions/runs/777',
      ],
    ]);
    const summary = action.summary();
    expect(summary).toContain('Smoke test passed');
    expect(summary).toContain('/v2/models/credit-risk/infer: 50 rows match');
    expect(summary).toContain('<summary>deployment.yaml</summary>');
    expect(summary).toContain(`image: ${registry}/credit-risk@${digest}`);
    expect(repo.name).toBe(REPO);
    const artifact = results.artifacts.find((a) => a.name === 'modelship-manifests-credit-risk');
    expect(artifact?.finalized).toBe(true);
    const zip = readZip(await results.artifactBlob(artifact!));
    expect([...zip.keys()].sort()).toEqual(['deployment.yaml', 'inferenceservice.yaml']);
    expect(zip.get('deployment.yaml')!.toString()).toContain(`${registry}/credit-risk@${digest}`);
    expect(results.violations).toEqual([]);

    // The same version again: the deployment is found and reused, nothing is added.
    const again = await deployVersion('1.0.0');
    expect(again).toEqual(outputs);
    const after = deploymentsOf(github.repoState(OWNER, REPO));
    expect(after).toHaveLength(1);
    expect(after[0]!.statuses).toHaveLength(1);
    expect(action.summary()).toContain('already recorded this image; reused');
  });

  it('refuses a release whose image predicts otherwise, leaving production as it was; rollback is deploying an older version', async () => {
    const github = fake();
    releases(github);
    const state = () => deploymentsOf(github.repoState(OWNER, REPO));
    const v1 = await deployVersion('credit-risk-v1.0.0');

    await expect(deployVersion('1.1.0')).rejects.toThrow(
      /^The smoke test of \S+:1\.1\.0 failed, so production was left as it was: \/predict: row \d+ P\(bad\) is .*\.$/,
    );
    expect(await registryDigest('credit-risk', 'production')).toBe(v1.digest);
    expect(state()).toHaveLength(1);
    expect(state()[0]!.statuses.map((s) => s.state)).toEqual(['success']);
    expect(action.summary()).toContain('Smoke test failed');
    expect(action.summary()).toContain('Production and its deployment were left as they were');

    const v2 = await deployVersion('production');
    expect(state().map((d) => d.ref)).toEqual(['credit-risk-v1.0.0', 'credit-risk-v1.2.0']);
    expect(await registryDigest('credit-risk', 'production')).toBe(v2.digest);

    // Rollback: 1.0.0 again becomes a new, newest deployment, and production points back at it.
    const back = await deployVersion('1.0.0');
    expect(back.digest).toBe(v1.digest);
    expect(state().map((d) => d.ref)).toEqual([
      'credit-risk-v1.0.0',
      'credit-risk-v1.2.0',
      'credit-risk-v1.0.0',
    ]);
    expect(back['deployment-id']).toBe(String(state()[2]!.id));
    expect(await registryDigest('credit-risk', 'production')).toBe(v1.digest);
    expect(await registryTags('credit-risk')).toEqual(['1.0.0', '1.1.0', '1.2.0', 'production']);
  });
});
