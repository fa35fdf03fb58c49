// The deploy action's refusals, before any image is built: bad inputs, a release that is not
// there, a release whose files do not match their SHA256SUMS. Each is one sentence, nothing is
// recorded, and the job summary says the deployment did not complete. (The full flow, with real
// containers, is in container.test.ts.)
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/actions/deploy/main.js';
import { loadConfig } from '../../src/core/config/modelshipConfig.js';
import { writeReleaseBundle } from '../../src/core/release/bundle.js';
import { OWNER, REPO, useActionRun } from '../support/actionRunner.js';
import { trainModel, writeProject } from '../support/evaluateProject.js';
import { deployActionDefaults } from '../support/deployActionDefaults.js';
import { releaseForDeploy, repoForDeploy } from '../support/deployRelease.js';
import { deploymentsOf } from '../support/github/fakeDeployments.js';
import type { GitHubFake } from '../support/github/githubFake.js';
import { useGitHubFake } from '../support/github/useGitHubFake.js';
import { useTempDir } from '../support/tempDir.js';

const dir = useTempDir();
const { fake } = useGitHubFake();
const action = useActionRun(deployActionDefaults());
let bundle: string;

beforeAll(async () => {
  const model = join(dir, 'model.onnx');
  writeFileSync(model, await trainModel({ l2: 1 }));
  const loaded = loadConfig(writeProject(join(dir, 'project'), { model }));
  bundle = (
    await writeReleaseBundle({
      loaded,
      out: join(dir, 'bundle'),
      version: '1.0.0',
      executionProviders: ['cpu'],
    })
  ).dir;
});

/** The project in the workspace: the action reads the model's name from its modelship.yml. */
function workspaceProject(): void {
  writeProject(action.workspace(), { model: join(dir, 'model.onnx') });
}

/** A repository with no release, and the project. */
function repository(github: GitHubFake): void {
  repoForDeploy(github);
  workspaceProject();
}

describe('deploy refuses, in one sentence, before building anything', () => {
  it('a builder it does not know', async () => {
    repository(fake());
    action.setInputs({ BUILDER: 'kaniko' });
    await expect(run()).rejects.toThrow(
      'input builder is "kaniko"; expected one of auto, docker, podman, buildah.',
    );
    expect(action.summary()).toContain('The deployment did not complete');
  });

  it('an image name that is not a repository', async () => {
    repository(fake());
    action.setInputs({ IMAGE: 'ghcr.io/Owner/model:latest' });
    await expect(run()).rejects.toThrow(/^image "ghcr.io\/Owner\/model:latest" is not an image/);
  });

  it('a version that was never published, and production before the first release', async () => {
    const github = fake();
    repository(github);
    await expect(run()).rejects.toThrow(
      'credit-risk has no published release to deploy; publish one with publish-model, or set version.',
    );
    action.setInputs({ VERSION: '9.9.9' });
    await expect(run()).rejects.toThrow(/^No published release credit-risk-v9\.9\.9; /);
    expect(deploymentsOf(github.repoState(OWNER, REPO))).toEqual([]);
  });

  it('a release whose model does not match its SHA256SUMS', async () => {
    const github = fake();
    const { release } = releaseForDeploy(github, bundle);
    workspaceProject();
    github.tamperAsset(release, 'model.onnx', 'not the model');
    await expect(run()).rejects.toThrow(
      /^model\.onnx of release credit-risk-v1\.0\.0 has SHA-256 [0-9a-f]{64} on GitHub but [0-9a-f]{64} in SHA256SUMS: the release was altered after publishing/,
    );
    expect(deploymentsOf(github.repoState(OWNER, REPO))).toEqual([]);
    expect(action.outputs()).toEqual({});
  });

  it('outside GitHub Actions', async () => {
    action.setInputs({ VERSION: 'credit-risk-v1.0.0', IMAGE: 'ghcr.io/owner/credit-risk' });
    await expect(run()).rejects.toThrow(
      /^deploy reads the release and records a GitHub Deployment/,
    );
  });
});
