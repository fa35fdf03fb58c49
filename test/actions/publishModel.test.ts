// The publish-model action's run() in process against the GitHub fake: a push that merges a pull
// request, the PR's candidate artifact, releases as the registry, the real bundle builder.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/actions/publish-model/main.js';
import type { EvaluationReport } from '../../src/core/evaluation/evaluationReport.js';
import { readZip } from '../../src/core/release/zipReader.js';
import { OWNER, REPO, useActionRun } from '../support/actionRunner.js';
import { trainModels, writeProject, type TrainedModels } from '../support/evaluateProject.js';
import type { FakeRepo } from '../support/github/fakeEntities.js';
import type { GitHubFake } from '../support/github/githubFake.js';
import { useGitHubFake } from '../support/github/useGitHubFake.js';
import { zip } from '../support/artifactZip.js';
import { RELEASE_ASSETS } from '../support/releaseAssets.js';

const { fake } = useGitHubFake();
const action = useActionRun({
  // What the runner passes from actions/publish-model/action.yml's defaults.
  MODEL: '',
  VERSION: '',
  BUMP: 'auto',
  'ARTIFACT-NAME': '',
  CONFIG: 'modelship.yml',
  'WORKING-DIRECTORY': '.',
});

const ARTIFACT = 'candidate-credit-risk';
const BUNDLE = RELEASE_ASSETS;
const sha = (seed: string) => seed.repeat(40 / seed.length);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

let dir: string;
let models: TrainedModels;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'modelship-publish-action-'));
  models = await trainModels(join(dir, 'models'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The train action's artifact: the model, its run manifest and metrics, under `out/`. */
function candidateZip(model: Uint8Array): Buffer {
  return zip({
    'out/model.onnx': model,
    'out/metrics.json': JSON.stringify({ loss: 0.4 }),
  });
}

interface Merge {
  headSha: string;
  mergeSha: string;
  /** The artifacts of the PR head's successful run; none: no run at all. */
  artifacts?: Record<string, Buffer>;
}

/** owner/repo with the actions token; one per test. */
function repository(github: GitHubFake): { repo: FakeRepo; token: string } {
  const repo = github.addRepo(OWNER, REPO);
  const token = github.actionsToken({ writes: ['contents'] });
  process.env['INPUT_GITHUB-TOKEN'] = token;
  return { repo, token };
}

/** A merged pull request, its evaluated run, and the GITHUB_* of the push that merged it. */
function merge(github: GitHubFake, repo: FakeRepo, options: Merge): void {
  github.addPullRequest(repo, {
    author: 'alice',
    head: { ref: `retrain-${options.headSha.slice(0, 4)}`, sha: options.headSha },
    mergeCommitSha: options.mergeSha,
  });
  // A failed run first: only a successful one counts.
  github.addWorkflowRun(repo, {
    headSha: options.headSha,
    conclusion: 'failure',
    artifacts: { [ARTIFACT]: candidateZip(models.bytes.older) },
  });
  if (options.artifacts) {
    github.addWorkflowRun(repo, { headSha: options.headSha, artifacts: options.artifacts });
  }
  const eventPath = join(action.runnerTemp(), `push-${options.mergeSha.slice(0, 4)}.json`);
  const payload = {
    ref: 'refs/heads/main',
    before: sha('0b'),
    after: options.mergeSha,
    head_commit: { id: options.mergeSha, timestamp: '2024-05-02T10:00:00Z' },
    repository: { full_name: `${OWNER}/${REPO}` },
  };
  writeFileSync(eventPath, JSON.stringify(payload));
  Object.assign(process.env, {
    GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
    GITHUB_API_URL: github.url,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_SHA: options.mergeSha,
    GITHUB_REF: 'refs/heads/main',
    GITHUB_RUN_ID: '4242',
    MODELSHIP_GITHUB_PACE_WRITES: 'false',
  });
}

function project(options: { features?: (features: unknown[]) => unknown[] } = {}): void {
  const file = writeProject(action.workspace(), { model: models.candidate });
  if (options.features) {
    const config = parse(readFileSync(file, 'utf8')) as { model: { features: unknown[] } };
    config.model.features = options.features(config.model.features);
    writeFileSync(file, stringify(config));
  }
}

function published(github: GitHubFake, repo: FakeRepo) {
  return github.releasesOf(repo).filter((r) => !r.draft);
}

async function firstRelease(github: GitHubFake, repo: FakeRepo): Promise<void> {
  merge(github, repo, {
    headSha: sha('a1'),
    mergeSha: sha('f1'),
    artifacts: { [ARTIFACT]: candidateZip(models.bytes.candidate) },
  });
  await run();
  action.clear();
}

describe('publish-model action', () => {
  it('publishes the merged pull request’s candidate as 1.0.0 with every asset', async () => {
    const github = fake();
    const { repo } = repository(github);
    project();
    merge(github, repo, {
      headSha: sha('a1'),
      mergeSha: sha('f1'),
      artifacts: { [ARTIFACT]: candidateZip(models.bytes.baseline) },
    });
    await run();

    expect(action.outputs()).toEqual({
      tag: 'credit-risk-v1.0.0',
      version: '1.0.0',
      'release-url': 'https://github.com/owner/repo/releases/tag/credit-risk-v1.0.0',
    });
    const [release, ...others] = github.releasesOf(repo);
    expect(others).toEqual([]);
    expect(release!.draft).toBe(false);
    expect(release!.targetCommitish).toBe(sha('f1'));
    expect(release!.assets.map((a) => a.name).sort()).toEqual(BUNDLE);
    // Exactly the evaluated candidate's bytes, not the model the config points at.
    const model = release!.assets.find((a) => a.name === 'model.onnx')!;
    expect(sha256(model.bytes)).toBe(sha256(models.bytes.baseline));
    const manifest = JSON.parse(
      release!.assets.find((a) => a.name === 'manifest.json')!.bytes.toString(),
    ) as { tag: string; commit: string };
    expect(manifest).toMatchObject({ tag: 'credit-risk-v1.0.0', commit: sha('f1') });
    expect(release!.body).toContain('# Model card: `credit-risk` `1.0.0`');
    expect(release!.body!.length).toBeLessThanOrEqual(125_000);
    expect(action.summary()).toContain('credit-risk-v1.0.0');
    expect(action.summary()).toContain('Published');
    expect(action.summary()).toContain('first');
    // The failed run's artifact was never downloaded.
    expect(github.requestsTo('actions/download-artifact')).toHaveLength(1);
  });

  it('publishes a second merge with a changed model as 1.1.0, with the comparison in the body', async () => {
    const github = fake();
    const { repo } = repository(github);
    project();
    await firstRelease(github, repo);
    merge(github, repo, {
      headSha: sha('a2'),
      mergeSha: sha('f2'),
      artifacts: { [ARTIFACT]: candidateZip(models.bytes.baseline) },
    });
    await run();

    expect(action.outputs().tag).toBe('credit-risk-v1.1.0');
    const release = published(github, repo).find((r) => r.tag === 'credit-risk-v1.1.0')!;
    expect(release.body).toContain('against `production credit-risk-v1.0.0`');
    expect(release.body).toMatch(/\| *roc_auc *\|/);
    expect(release.body).toContain('minor over production 1.0.0: the model file changed');
    expect(published(github, repo)).toHaveLength(2);
  });

  it('publishes changed features as a major version, 2.0.0', async () => {
    const github = fake();
    const { repo } = repository(github);
    project();
    await firstRelease(github, repo);
    // Same width, other meaning: callers must send own_telephone the other way round.
    project({
      features: (features) =>
        features.map((f) =>
          (f as { column?: string }).column === 'own_telephone'
            ? { column: 'own_telephone', map: { yes: 0, none: 1 } }
            : f,
        ),
    });
    merge(github, repo, {
      headSha: sha('a2'),
      mergeSha: sha('f2'),
      artifacts: { [ARTIFACT]: candidateZip(models.bytes.candidate) },
    });
    await run();

    expect(action.outputs()).toMatchObject({ tag: 'credit-risk-v2.0.0', version: '2.0.0' });
    expect(action.summary()).toContain('model.features changed');
    // Production was scored through its own release's modelship.yml: on the same holdout, its
    // numbers are the ones its own release recorded, not those of the new encoding.
    const metricsOf = (tag: string) =>
      JSON.parse(
        published(github, repo)
          .find((r) => r.tag === tag)!
          .assets.find((a) => a.name === 'metrics.json')!
          .bytes.toString(),
      ) as EvaluationReport;
    const first = metricsOf('credit-risk-v1.0.0');
    const second = metricsOf('credit-risk-v2.0.0');
    expect(second.baseline!.feature_changes).toEqual({
      added: [],
      removed: [],
      reencoded: ['own_telephone'],
    });
    expect(second.baseline!.model.sha256).toBe(first.candidate.sha256);
    expect(second.baseline!.metrics).toEqual(first.metrics);
    expect(second.metrics).not.toEqual(first.metrics);
  });

  it('is a no-op on a re-run of the same push, reporting the existing release', async () => {
    const github = fake();
    const { repo } = repository(github);
    project();
    await firstRelease(github, repo);
    const writes = github.requests.filter((r) => r.method !== 'GET').length;
    await run();

    expect(action.outputs()).toEqual({
      tag: 'credit-risk-v1.0.0',
      version: '1.0.0',
      'release-url': 'https://github.com/owner/repo/releases/tag/credit-risk-v1.0.0',
    });
    expect(github.requests.filter((r) => r.method !== 'GET')).toHaveLength(writes);
    expect(github.releasesOf(repo)).toHaveLength(1);
    expect(action.summary()).toContain('Already published');
  });

  it('completes the draft a failed upload left when the job is re-run', async () => {
    const github = fake();
    const { repo } = repository(github);
    project();
    merge(github, repo, {
      headSha: sha('a1'),
      mergeSha: sha('f1'),
      artifacts: { [ARTIFACT]: candidateZip(models.bytes.candidate) },
    });
    // The third upload breaks off, through every retry.
    github.failNext('repos/upload-release-asset', { kind: 'bad-gateway', partial: true }, 4, {
      after: 2,
    });
    await expect(run()).rejects.toThrow();
    expect(github.releasesOf(repo).map((r) => r.draft)).toEqual([true]);
    expect(action.summary()).toContain('Nothing was published');

    action.clear();
    await run();
    expect(action.outputs().tag).toBe('credit-risk-v1.0.0');
    expect(github.releasesOf(repo)).toHaveLength(1);
    expect(github.releasesOf(repo)[0]!.draft).toBe(false);
    expect(action.summary()).toContain('draft, completed');
  });

  it('falls back to the model input with a warning when the PR has no candidate artifact', async () => {
    const github = fake();
    const { repo } = repository(github);
    project();
    merge(github, repo, {
      headSha: sha('a1'),
      mergeSha: sha('f1'),
      artifacts: { other: zip({ x: 'y' }) },
    });
    action.setInputs({ model: models.older });
    await run();

    expect(action.outputs().tag).toBe('credit-risk-v1.0.0');
    expect(action.summary()).toMatch(/\[!WARNING\][\s\S]*Published the `model` input/);
    const model = published(github, repo)[0]!.assets.find((a) => a.name === 'model.onnx')!;
    expect(sha256(model.bytes)).toBe(sha256(models.bytes.older));
  });

  it('fails with one sentence when there is neither a candidate artifact nor a model input', async () => {
    const github = fake();
    const { repo } = repository(github);
    project();
    merge(github, repo, { headSha: sha('a1'), mergeSha: sha('f1') });

    const error = await run().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(
      /^No candidate to publish: no successful workflow run of PR #1's head a1a1a1a has the artifact candidate-credit-risk, and the model input is not set; .*\.$/,
    );
    expect(error?.message).not.toContain('\n');
    expect(github.releasesOf(repo)).toEqual([]);
    expect(action.summary()).toContain('Nothing was published');
  });

  it('refuses an explicit version lower than production, writing nothing', async () => {
    const github = fake();
    const { repo } = repository(github);
    project();
    action.setInputs({ version: '2.0.0' });
    await firstRelease(github, repo);
    expect(published(github, repo).map((r) => r.tag)).toEqual(['credit-risk-v2.0.0']);
    merge(github, repo, {
      headSha: sha('a2'),
      mergeSha: sha('f2'),
      artifacts: { [ARTIFACT]: candidateZip(models.bytes.baseline) },
    });
    action.setInputs({ version: '1.5.0' });

    await expect(run()).rejects.toThrow(/1\.5\.0 is lower than production \(2\.0\.0\)/);
    expect(github.releasesOf(repo)).toHaveLength(1);
  });
});

describe('readZip', () => {
  it('reads stored and deflated entries', () => {
    const entries = readZip(zip({ 'a.txt': 'stored', 'dir/b.txt': 'deflated '.repeat(50) }));
    expect(entries.get('a.txt')?.toString()).toBe('stored');
    expect(entries.get('dir/b.txt')?.toString()).toBe('deflated '.repeat(50));
  });
});
