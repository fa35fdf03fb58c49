// `modelship evaluate --baseline production|<tag>|<version>` from a terminal: the baseline read
// from the repository's releases with GITHUB_TOKEN, through the same resolver the action uses.
// In-process (the GitHub fake answers on this process's event loop).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDeployment, setDeploymentStatus } from '../../src/github/deployments.js';
import { trainModels, writeProject, type TrainedModels } from '../support/evaluateProject.js';
import type { FakeRepo } from '../support/github/fakeEntities.js';
import type { GitHubFake } from '../support/github/githubFake.js';
import { cliAgainstFake, useCliEnvironment } from '../support/github/cliAgainstFake.js';
import { clientFor, useGitHubFake } from '../support/github/useGitHubFake.js';
import { useTempDir } from '../support/tempDir.js';

const { fake } = useGitHubFake();
const dir = useTempDir();
let models: TrainedModels;
let config: string;

useCliEnvironment();

beforeAll(async () => {
  models = await trainModels(join(dir, 'models'));
  config = writeProject(join(dir, 'project'), { model: models.candidate });
});

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

function publish(github: GitHubFake, repo: FakeRepo, tag: string, model: Uint8Array) {
  const sums = `${sha256(model)}  model.onnx\n`;
  github.addRelease(repo, { tag, assets: { 'model.onnx': Buffer.from(model), SHA256SUMS: sums } });
}

function seed() {
  const github = fake();
  const repo = github.addRepo('acme', 'models');
  publish(github, repo, 'credit-risk-v1.0.0', models.bytes.older);
  publish(github, repo, 'credit-risk-v1.1.0', models.bytes.baseline);
  return github;
}

const label = () =>
  (JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { baseline: { label: string } })
    .baseline.label;
const evaluate = (github: GitHubFake, baseline: string) =>
  cliAgainstFake(github, [
    'evaluate',
    '-c',
    config,
    '--baseline',
    baseline,
    '--json',
    join(dir, 'report.json'),
  ]);

describe('modelship evaluate --baseline from the releases', () => {
  it('reads production, a tag or a version with GITHUB_TOKEN', async () => {
    const github = seed();
    expect((await evaluate(github, 'production')).stderr).toBe('');
    expect(label()).toBe('production credit-risk-v1.1.0');
    await evaluate(github, 'credit-risk-v1.0.0');
    expect(label()).toBe('credit-risk-v1.0.0');
    await evaluate(github, 'v1.0.0');
    expect(label()).toBe('credit-risk-v1.0.0');
  });

  it('takes production from the live deployment of the production environment', async () => {
    const github = seed();
    const octokit = clientFor(github, github.actionsToken());
    const target = { owner: 'acme', repo: 'models' };
    const id = await createDeployment(octokit, target, {
      ref: 'credit-risk-v1.0.0',
      environment: 'production',
      description: 'credit-risk 1.0.0',
      payload: {
        image: 'ghcr.io/acme/credit-risk',
        digest: '',
        version: '1.0.0',
        model: 'credit-risk',
      },
    });
    await setDeploymentStatus(octokit, target, id, {
      state: 'success',
      description: 'ok',
      logUrl: 'https://ci.example/1',
      environmentUrl: 'https://models.example',
    });
    await evaluate(github, 'production');
    expect(label()).toBe('production credit-risk-v1.0.0');
  });

  it('refuses a release of another model, and a version that was never published, in one line', async () => {
    const github = seed();
    const other = await evaluate(github, 'fraud-v1.0.0');
    expect(other.code).toBe(2);
    expect(other.stderr).toBe(
      'modelship: --baseline fraud-v1.0.0 is a release of fraud, not of credit-risk: name a release of credit-risk, such as credit-risk-v1.0.0.\n',
    );
    const missing = await evaluate(github, '7.0.0');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      'modelship: --baseline 7.0.0: acme/models has no published release credit-risk-v7.0.0.\n',
    );
  });
});
