import type { FakeRepo } from './fakeEntities.js';
import type { GitHubFake } from './githubFake.js';

/**
 * 123 releases in acme/models: 40 versions each (1.0.0 to 1.3.9) of credit, credit-risk and
 * fraud, whose names share prefixes, plus three tags that are no model's version. credit-risk's
 * are created newest version first, so creation order must not decide; credit-v1.3.9 is a draft,
 * credit-v1.3.8 and fraud-v1.3.9 are prereleases; fraud-v1.0.0 has one asset.
 */
export function seedModelReleases(github: GitHubFake): FakeRepo {
  const repo = github.addRepo('acme', 'models');
  const versions: string[] = [];
  for (let minor = 0; minor < 4; minor++) {
    for (let patch = 0; patch < 10; patch++) versions.push(`1.${minor}.${patch}`);
  }
  const minute = (n: number) => new Date(Date.UTC(2024, 0, 1, 0, n)).toISOString();
  let n = 0;
  for (const model of ['credit', 'credit-risk', 'fraud']) {
    const order = model === 'credit-risk' ? [...versions].reverse() : versions;
    for (const version of order) {
      github.addRelease(repo, {
        tag: `${model}-v${version}`,
        createdAt: minute(n++),
        draft: model === 'credit' && version === '1.3.9',
        prerelease:
          (model === 'credit' && version === '1.3.8') || (model === 'fraud' && version === '1.3.9'),
        assets: model === 'fraud' && version === '1.0.0' ? { 'model.onnx': 'x' } : {},
      });
    }
  }
  github.addRelease(repo, { tag: 'v2.0.0' });
  github.addRelease(repo, { tag: 'credit-v9.0.0-rc.1', prerelease: true });
  github.addRelease(repo, { tag: 'credit-risk-v01.0.0' });
  return repo;
}
