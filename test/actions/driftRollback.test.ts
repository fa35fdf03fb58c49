// Where a degraded production goes back to, against the GitHub fake's deployments and releases:
// the previous good deployment, else the release below; held (with the command) when a rollback
// already happened or production is itself a rollback; nothing when production did not degrade.
import { describe, expect, it } from 'vitest';
import { planRollback } from '../../src/actions/drift-check/rollback.js';
import type { Degradation } from '../../src/core/drift/index.js';
import { createDeployment, setDeploymentStatus } from '../../src/github/deployments.js';
import type { GitHubFake } from '../support/github/githubFake.js';
import { clientFor, useGitHubFake } from '../support/github/useGitHubFake.js';

const { fake } = useGitHubFake();
const target = { owner: 'owner', repo: 'repo' };
const WORKFLOW = 'owner/repo/.github/workflows/model-drift.yml@refs/heads/main';

const DEGRADED: Degradation = {
  degraded: true,
  reasons: ['roc_auc 0.6100 < 0.7000 (min)'],
  checks: [
    { kind: 'gate', metric: 'roc_auc', passed: false, message: 'roc_auc 0.6100 < 0.7000 (min)' },
  ],
  notes: [],
};

type Step = [version: string, state: 'success' | 'inactive', description?: string];

/** owner/repo with the releases, and deployments to production in the order given. */
async function repository(github: GitHubFake, releases: string[], deployments: Step[] = []) {
  const repo = github.addRepo('owner', 'repo');
  for (const version of releases)
    github.addRelease(repo, {
      tag: `credit-risk-v${version.replace('-pre', '')}`,
      prerelease: version.endsWith('-pre'),
    });
  const octokit = clientFor(github, github.actionsToken({ writes: ['contents'] }));
  for (const [version, state, description] of deployments) {
    const id = await createDeployment(octokit, target, {
      ref: `credit-risk-v${version}`,
      environment: 'production',
      description: version,
      payload: { image: 'ghcr.io/owner/credit-risk', digest: '', version, model: 'credit-risk' },
    });
    const urls = { logUrl: 'https://ci.example/1', environmentUrl: 'https://models.example' };
    await setDeploymentStatus(octokit, target, id, {
      state: 'success',
      description: 'live',
      ...urls,
    });
    if (state === 'inactive')
      await setDeploymentStatus(octokit, target, id, {
        state: 'inactive',
        description: description ?? '',
        ...urls,
      });
  }
  return (judged: string, mode: 'auto' | 'manual' | 'off' = 'auto', degradation = DEGRADED) =>
    planRollback({
      octokit,
      ...target,
      model: 'credit-risk',
      environment: 'production',
      mode,
      judged,
      degradation,
      workflowRef: WORKFLOW,
    });
}

describe('planRollback', () => {
  it('goes back to the previous deployment; auto deploys it, manual names the dispatch', async () => {
    const plan = await repository(
      fake(),
      ['1.0.0', '1.1.0'],
      [
        ['1.0.0', 'success'],
        ['1.1.0', 'success'],
      ],
    );
    const command =
      'gh workflow run model-drift.yml --repo owner/repo -f rollback-to=credit-risk-v1.0.0';
    expect(await plan('credit-risk-v1.1.0')).toEqual({
      mode: 'auto',
      from: 'credit-risk-v1.1.0',
      to: 'credit-risk-v1.0.0',
      reason: 'performance degraded',
      deploy: true,
      command,
    });
    expect(await plan('credit-risk-v1.1.0', 'manual')).toMatchObject({ deploy: false, command });
    expect(await plan('credit-risk-v1.1.0', 'off')).toEqual({
      mode: 'off',
      from: 'credit-risk-v1.1.0',
      reason: 'performance degraded',
      deploy: false,
    });
    expect(await plan('credit-risk-v1.1.0', 'auto', { ...DEGRADED, degraded: false })).toBe(
      undefined,
    );
  });

  it('skips a version that was rolled back before', async () => {
    const plan = await repository(
      fake(),
      ['1.0.0', '1.1.0', '1.2.0'],
      [
        ['1.0.0', 'success'],
        ['1.1.0', 'inactive', 'rolled back to credit-risk-v1.0.0: performance degraded (roc_auc)'],
        ['1.2.0', 'success'],
      ],
    );
    expect(await plan('credit-risk-v1.2.0')).toMatchObject({
      to: 'credit-risk-v1.0.0',
      deploy: true,
    });
  });

  it('without deployments, takes the newest published release below, never a prerelease', async () => {
    const plan = await repository(fake(), ['1.0.0', '1.0.1-pre', '1.1.0', '1.2.0']);
    expect(await plan('credit-risk-v1.1.0')).toMatchObject({
      to: 'credit-risk-v1.0.0',
      deploy: true,
    });
    const first = await repository(fake(), ['1.0.0']);
    expect(await first('credit-risk-v1.0.0')).toMatchObject({
      deploy: false,
      held: 'credit-risk has no earlier good version to roll back to.',
    });
  });

  it('holds when the environment runs another version, or production is itself a rollback', async () => {
    const moved = await repository(
      fake(),
      ['1.0.0', '1.1.0'],
      [
        ['1.1.0', 'success'],
        ['1.0.0', 'success'],
      ],
    );
    expect(await moved('credit-risk-v1.1.0')).toMatchObject({
      deploy: false,
      held: 'production runs credit-risk-v1.0.0, not credit-risk-v1.1.0: a rollback already happened, or credit-risk-v1.1.0 was never deployed there.',
    });
    const back = await repository(
      fake(),
      ['0.9.0', '1.0.0', '1.1.0'],
      [
        ['0.9.0', 'success'],
        ['1.0.0', 'success'],
        ['1.1.0', 'inactive', 'rolled back to credit-risk-v1.0.0: performance degraded (roc_auc)'],
        ['1.0.0', 'success'],
      ],
    );
    expect(await back('credit-risk-v1.0.0')).toMatchObject({
      to: 'credit-risk-v0.9.0',
      deploy: false,
      held: 'credit-risk-v1.0.0 is itself a rollback (from credit-risk-v1.1.0); Modelship rolls back one step only, so choose the version by hand.',
      command:
        'gh workflow run model-drift.yml --repo owner/repo -f rollback-to=credit-risk-v0.9.0',
    });
  });
});
