// Deploying an older version retires the one it replaced: an `inactive` status described
// `rolled back to <tag>: <reason>`, once; deploying a newer version retires nothing.
import { describe, expect, it } from 'vitest';
import { compareVersions, versionOfModel } from '../../src/core/release/modelVersion.js';
import {
  createDeployment,
  retireReplaced,
  setDeploymentStatus,
} from '../../src/github/deployments.js';
import { deploymentsOf } from '../support/github/fakeDeployments.js';
import type { GitHubFake } from '../support/github/githubFake.js';
import { clientFor, useGitHubFake } from '../support/github/useGitHubFake.js';

const { fake } = useGitHubFake();
const target = { owner: 'owner', repo: 'repo' };
const urls = { logUrl: 'https://ci.example/9', environmentUrl: 'https://models.example' };

async function setup(github: GitHubFake, versions: string[]) {
  github.addRepo('owner', 'repo');
  const octokit = clientFor(github, github.actionsToken({ writes: ['contents'] }));
  const ids: number[] = [];
  for (const version of versions) {
    const id = await createDeployment(octokit, target, {
      ref: `credit-risk-v${version}`,
      environment: 'production',
      description: version,
      payload: { image: 'ghcr.io/owner/credit-risk', digest: '', version, model: 'credit-risk' },
    });
    await setDeploymentStatus(octokit, target, id, {
      state: 'success',
      description: 'live',
      ...urls,
    });
    ids.push(id);
  }
  const retire = (id: number, version: string, reason?: string) => {
    const deployed = versionOfModel(`credit-risk-v${version}`, 'credit-risk')!;
    return retireReplaced(
      octokit,
      target,
      'production',
      { id, tag: `credit-risk-v${version}` },
      {
        ofModel: (ref) => versionOfModel(ref, 'credit-risk') !== undefined,
        newer: (ref) => compareVersions(versionOfModel(ref, 'credit-risk')!, deployed) > 0,
        ...(reason ? { reason } : {}),
        urls,
      },
    );
  };
  const latest = () =>
    deploymentsOf(github.repoState('owner', 'repo')).map((d) => {
      const { state, description } = d.statuses.at(-1)!;
      return [d.ref, state, description];
    });
  return { ids, retire, latest };
}

describe('retireReplaced', () => {
  it('marks the newer version a rollback replaced, once', async () => {
    const { ids, retire, latest } = await setup(fake(), ['1.0.0', '1.2.0', '1.0.0']);
    expect(await retire(ids[2]!, '1.0.0', 'performance degraded (roc_auc)')).toEqual({
      ref: 'credit-risk-v1.2.0',
      description: 'rolled back to credit-risk-v1.0.0: performance degraded (roc_auc)',
    });
    expect(latest()).toEqual([
      ['credit-risk-v1.0.0', 'success', 'live'],
      [
        'credit-risk-v1.2.0',
        'inactive',
        'rolled back to credit-risk-v1.0.0: performance degraded (roc_auc)',
      ],
      ['credit-risk-v1.0.0', 'success', 'live'],
    ]);
    // A re-run of the same deploy: already marked, nothing more.
    expect(await retire(ids[2]!, '1.0.0', 'performance degraded (roc_auc)')).toBeUndefined();
  });

  it('retires nothing for a newer version, and keeps the description within 140 characters', async () => {
    const forward = await setup(fake(), ['1.0.0', '1.1.0']);
    expect(await forward.retire(forward.ids[1]!, '1.1.0')).toBeUndefined();
    expect(forward.latest().map(([, state]) => state)).toEqual(['success', 'success']);

    const back = await setup(fake(), ['1.1.0', '1.0.0']);
    const marked = await back.retire(back.ids[1]!, '1.0.0', 'x'.repeat(200));
    expect(marked!.description).toHaveLength(140);
    expect(marked!.description.startsWith('rolled back to credit-risk-v1.0.0: xxx')).toBe(true);
  });
});
