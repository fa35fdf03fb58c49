/** What the GitHub fake does for each operation, keyed by GitHub's operationId. */
import {
  checkRunJson,
  commentJson,
  minimalRepositoryJson,
  privateUserJson,
  pullRequestJson,
  releaseJson,
  assetJson,
  artifactJson,
  statusJson,
  workflowRunJson,
  type FakeCheckRun,
  type FakeStatus,
} from './fakeEntities.js';
import type { FakeRelease } from './fakeEntities.js';
import { deploymentRoutes } from './fakeDeployments.js';
import { gitRoutes } from './fakeGit.js';
import {
  HttpError,
  list,
  need,
  noIntegrationAccess,
  notFound,
  paginate,
  requireWrite,
  tooLong,
  validationFailed,
  type FakeRequest,
  type Handler,
} from './fakeHttp.js';
import { issueRoutes } from './fakeIssues.js';
import type { RepoState } from './fakeState.js';

// Re-exported: the fake's server and other route files take these from here.
export * from './fakeHttp.js';

function latestPerContext(statuses: FakeStatus[]): FakeStatus[] {
  const seen = new Map<string, FakeStatus>();
  for (const status of [...statuses].reverse()) {
    if (!seen.has(status.context)) seen.set(status.context, status);
  }
  return [...seen.values()];
}

function releaseOf(state: RepoState, request: FakeRequest): FakeRelease {
  const release = state.releases.find((r) => r.id === Number(request.params.release_id));
  // Drafts are visible only to those who may push, as on GitHub.
  if (!release || (release.draft && !request.grant.writes.has('contents'))) throw notFound();
  return release;
}

/** A published release with this tag other than `except`. */
function publishedWithTag(state: RepoState, tag: string, except?: FakeRelease) {
  return state.releases.find((r) => r !== except && !r.draft && r.tag === tag);
}

function issueOf(state: RepoState, request: FakeRequest): number {
  const number = Number(request.params.issue_number);
  if (!state.issues.has(number)) throw notFound();
  return number;
}

/**
 * Comments on a pull request need `pull-requests: write` or `issues: write` (either grants it, as
 * on GitHub); comments on an issue need `issues: write`.
 */
function requireCommentWrite(state: RepoState, request: FakeRequest, number: number): void {
  const onPull = state.pulls.some((p) => p.number === number);
  if (onPull && request.grant.writes.has('pull-requests')) return;
  requireWrite(request, 'issues');
}

function applyCheckRunFields(run: FakeCheckRun, body: Record<string, unknown>, now: string): void {
  if (typeof body.name === 'string') run.name = body.name;
  if (typeof body.details_url === 'string') run.detailsUrl = body.details_url;
  if (typeof body.status === 'string') run.status = body.status;
  if (typeof body.conclusion === 'string') {
    run.conclusion = body.conclusion;
    run.status = 'completed';
  }
  if (run.status === 'completed') {
    if (run.conclusion === null) {
      throw new HttpError(
        422,
        'Invalid request.\n\nNo conclusion given for a completed check run.',
      );
    }
    run.completedAt = typeof body.completed_at === 'string' ? body.completed_at : now;
  }
  const output = body.output as Record<string, string> | undefined;
  if (output) {
    run.output = {
      title: output.title ?? run.output.title,
      summary: output.summary ?? run.output.summary,
      text: output.text ?? run.output.text,
    };
  }
}

export const routes: Record<string, Handler> = {
  ...issueRoutes,
  ...gitRoutes,
  ...deploymentRoutes,
  'users/get-authenticated': (_fake, _repo, request) => {
    if (request.grant.app) throw noIntegrationAccess();
    return { status: 200, body: privateUserJson(request.api, request.grant.user) };
  },

  'issues/list-comments': (_fake, repo, request) => {
    const state = need(repo);
    const number = issueOf(state, request);
    const since = typeof request.params.since === 'string' ? request.params.since : '';
    const comments = state.comments.filter((c) => c.issueNumber === number && c.updatedAt >= since);
    return list(request, comments, (c) => commentJson(request.api, c));
  },

  'issues/create-comment': (fake, repo, request) => {
    const state = need(repo);
    const number = issueOf(state, request);
    requireCommentWrite(state, request, number);
    const body = String(request.body.body);
    if (body.length > 65_536) throw tooLong('IssueComment', 'body', 65_536);
    const createdAt = fake.now();
    const comment = {
      id: fake.nextId(),
      issueNumber: number,
      repo: state.repo,
      user: request.grant.user,
      body,
      createdAt,
      updatedAt: createdAt,
    };
    state.comments.push(comment);
    return { status: 201, body: commentJson(request.api, comment) };
  },

  'issues/update-comment': (fake, repo, request) => {
    const state = need(repo);
    const comment = state.comments.find((c) => c.id === Number(request.params.comment_id));
    if (!comment) throw notFound();
    requireCommentWrite(state, request, comment.issueNumber);
    const { user } = request.grant;
    if (comment.user.id !== user.id && user.id !== state.repo.owner.id) {
      throw new HttpError(403, 'Must have admin rights to Repository.');
    }
    const body = String(request.body.body);
    if (body.length > 65_536) throw tooLong('IssueComment', 'body', 65_536);
    comment.body = body;
    comment.updatedAt = fake.now();
    return { status: 200, body: commentJson(request.api, comment) };
  },

  'pulls/list': (_fake, repo, request) => {
    const state = need(repo);
    const wanted = String(request.params.state ?? 'open');
    const head = typeof request.params.head === 'string' ? request.params.head : undefined;
    const pulls = state.pulls
      .filter((pr) => wanted === 'all' || pr.state === wanted)
      .filter((pr) => !head || `${pr.head.repo.owner.login}:${pr.head.ref}` === head)
      .filter((pr) => !request.params.base || pr.base.ref === request.params.base)
      .reverse();
    return list(request, pulls, (pr) => pullRequestJson(request.api, pr));
  },

  'repos/list-pull-requests-associated-with-commit': (_fake, repo, request) => {
    const state = need(repo);
    const sha = String(request.params.commit_sha);
    const pulls = state.pulls.filter((pr) => pr.head.sha === sha || pr.mergeCommitSha === sha);
    return list(request, pulls, (pr) => pullRequestJson(request.api, pr));
  },

  'repos/create-commit-status': (fake, repo, request) => {
    const state = need(repo);
    requireWrite(request, 'statuses');
    const description = request.body.description ?? null;
    if (typeof description === 'string' && description.length > 140) {
      throw tooLong('Status', 'description', 140);
    }
    const status: FakeStatus = {
      id: fake.nextId(),
      sha: String(request.params.sha),
      state: request.body.state,
      context: request.body.context ?? 'default',
      description,
      targetUrl: request.body.target_url ?? null,
      creator: request.grant.user,
      createdAt: fake.now(),
    };
    state.statuses.push(status);
    return { status: 201, body: statusJson(request.api, state.repo, status) };
  },

  'repos/list-commit-statuses-for-ref': (_fake, repo, request) => {
    const state = need(repo);
    const statuses = state.statuses.filter((s) => s.sha === request.params.ref).reverse();
    return list(request, statuses, (s) => statusJson(request.api, state.repo, s));
  },

  'repos/get-combined-status-for-ref': (_fake, repo, request) => {
    const state = need(repo);
    const sha = String(request.params.ref);
    const latest = latestPerContext(state.statuses.filter((s) => s.sha === sha));
    const states = new Set(latest.map((s) => s.state));
    const combined =
      states.has('error') || states.has('failure')
        ? 'failure'
        : states.has('pending') || latest.length === 0
          ? 'pending'
          : 'success';
    const { page, headers } = paginate(request, latest);
    const full = `${state.repo.owner.login}/${state.repo.name}`;
    // simple-commit-status: a status without its creator.
    const statuses = page.map((s) => ({
      ...statusJson(request.api, state.repo, s),
      creator: undefined,
    }));
    return {
      status: 200,
      headers,
      body: {
        state: combined,
        statuses,
        sha,
        total_count: latest.length,
        repository: minimalRepositoryJson(request.api, state.repo),
        commit_url: `${request.api}/repos/${full}/commits/${sha}`,
        url: `${request.api}/repos/${full}/commits/${sha}/status`,
      },
    };
  },

  'checks/create': (fake, repo, request) => {
    const state = need(repo);
    const { app } = request.grant;
    if (!app) throw new HttpError(403, 'You must authenticate via a GitHub App.');
    requireWrite(request, 'checks');
    const run: FakeCheckRun = {
      id: fake.nextId(),
      headSha: request.body.head_sha,
      name: request.body.name,
      status: 'queued',
      conclusion: null,
      startedAt: fake.now(),
      completedAt: null,
      detailsUrl: null,
      output: { title: null, summary: null, text: null },
      app,
    };
    applyCheckRunFields(run, request.body, fake.now());
    state.checkRuns.push(run);
    return { status: 201, body: checkRunJson(request.api, state.repo, run) };
  },

  'checks/update': (fake, repo, request) => {
    const state = need(repo);
    const run = state.checkRuns.find((r) => r.id === Number(request.params.check_run_id));
    if (!run) throw notFound();
    if (!request.grant.app) throw new HttpError(403, 'You must authenticate via a GitHub App.');
    requireWrite(request, 'checks');
    if (request.grant.app.id !== run.app.id) throw noIntegrationAccess();
    applyCheckRunFields(run, request.body, fake.now());
    return { status: 200, body: checkRunJson(request.api, state.repo, run) };
  },

  'checks/list-for-ref': (_fake, repo, request) => {
    const state = need(repo);
    const { check_name: name, status, filter } = request.params;
    let runs = state.checkRuns
      .filter((r) => r.headSha === request.params.ref)
      .filter((r) => name === undefined || r.name === name)
      .filter((r) => status === undefined || r.status === status)
      .reverse();
    if (filter !== 'all')
      runs = runs.filter((r, i) => runs.findIndex((o) => o.name === r.name) === i);
    const { page, headers } = paginate(request, runs);
    const body = {
      total_count: runs.length,
      check_runs: page.map((r) => checkRunJson(request.api, state.repo, r)),
    };
    return { status: 200, body, headers };
  },

  'repos/list-releases': (_fake, repo, request) => {
    const state = need(repo);
    const releases = [...state.releases].sort(
      (a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id,
    );
    return list(request, releases, (r) => releaseJson(request.api, state.repo, r));
  },

  'repos/get-release-by-tag': (_fake, repo, request) => {
    const state = need(repo);
    const release = state.releases.find((r) => r.tag === request.params.tag && !r.draft);
    if (!release) throw notFound();
    return { status: 200, body: releaseJson(request.api, state.repo, release) };
  },

  'repos/create-release': (fake, repo, request) => {
    const state = need(repo);
    requireWrite(request, 'contents');
    const body = request.body as Record<string, unknown>;
    const tag = String(body.tag_name);
    if (publishedWithTag(state, tag))
      return validationFailed('Release', 'tag_name', 'already_exists');
    const draft = body.draft === true;
    const createdAt = fake.now();
    const release: FakeRelease = {
      id: fake.nextId(),
      tag,
      name: typeof body.name === 'string' ? body.name : tag,
      draft,
      prerelease: body.prerelease === true,
      createdAt,
      publishedAt: draft ? null : createdAt,
      author: request.grant.user,
      assets: [],
      body: typeof body.body === 'string' ? body.body : null,
      targetCommitish: typeof body.target_commitish === 'string' ? body.target_commitish : 'main',
      immutable: !draft,
    };
    state.releases.push(release);
    return { status: 201, body: releaseJson(request.api, state.repo, release) };
  },

  'repos/get-release': (_fake, repo, request) => {
    const state = need(repo);
    const release = releaseOf(state, request);
    return { status: 200, body: releaseJson(request.api, state.repo, release) };
  },

  'repos/update-release': (fake, repo, request) => {
    const state = need(repo);
    const release = releaseOf(state, request);
    requireWrite(request, 'contents');
    const body = request.body as Record<string, unknown>;
    const tag = typeof body.tag_name === 'string' ? body.tag_name : release.tag;
    if (release.immutable && (tag !== release.tag || body.draft === true)) {
      return validationFailed('Release', 'tag_name', 'immutable');
    }
    const publishing = release.draft && body.draft === false;
    if ((publishing || !release.draft) && publishedWithTag(state, tag, release)) {
      return validationFailed('Release', 'tag_name', 'already_exists');
    }
    release.tag = tag;
    if (typeof body.name === 'string') release.name = body.name;
    if (typeof body.body === 'string') release.body = body.body;
    if (typeof body.target_commitish === 'string') release.targetCommitish = body.target_commitish;
    if (typeof body.prerelease === 'boolean') release.prerelease = body.prerelease;
    if (publishing) {
      release.draft = false;
      release.publishedAt = fake.now();
      // Repositories with immutable releases on: a published release's tag and assets are fixed.
      release.immutable = true;
    }
    return { status: 200, body: releaseJson(request.api, state.repo, release) };
  },

  'repos/delete-release-asset': (_fake, repo, request) => {
    const state = need(repo);
    requireWrite(request, 'contents');
    const id = Number(request.params.asset_id);
    const release = state.releases.find((r) => r.assets.some((a) => a.id === id));
    if (!release) throw notFound();
    if (release.immutable) {
      throw new HttpError(422, 'Cannot delete an asset of an immutable release.');
    }
    release.assets = release.assets.filter((a) => a.id !== id);
    return { status: 204 };
  },

  'repos/upload-release-asset': (fake, repo, request) => {
    const state = need(repo);
    const release = releaseOf(state, request);
    requireWrite(request, 'contents');
    const name = String(request.params.name);
    // GitHub documents this 422 without a body.
    if (release.immutable) return { status: 422 };
    if (release.assets.some((a) => a.name === name)) return { status: 422 };
    if (!request.contentType) throw new HttpError(400, 'Content-Type header is required');
    const asset = fake.addAsset(release, {
      name,
      bytes: Buffer.from(request.raw),
      contentType: request.contentType,
      uploader: request.grant.user,
    });
    return { status: 201, body: assetJson(request.api, state.repo, release, asset) };
  },

  'repos/get-release-asset': (_fake, repo, request) => {
    const state = need(repo);
    const id = Number(request.params.asset_id);
    const release = state.releases.find((r) => r.assets.some((a) => a.id === id));
    const asset = release?.assets.find((a) => a.id === id);
    if (!release || !asset) throw notFound();
    if (request.accept.includes('application/octet-stream')) {
      // As GitHub does: a redirect to storage, which fetch follows.
      const location = new URL(`/_storage/assets/${asset.id}`, request.api).href;
      return { status: 302, headers: { location } };
    }
    return { status: 200, body: assetJson(request.api, state.repo, release, asset) };
  },

  'actions/list-workflow-runs-for-repo': (_fake, repo, request) => {
    const state = need(repo);
    const { head_sha: headSha, status, event } = request.params;
    // `status` filters by status or, for completed runs, by conclusion, as on GitHub.
    const runs = state.workflowRuns
      .filter((r) => headSha === undefined || r.headSha === headSha)
      .filter((r) => event === undefined || r.event === event)
      .filter((r) => status === undefined || r.status === status || r.conclusion === status)
      .reverse();
    const { page, headers } = paginate(request, runs);
    const body = {
      total_count: runs.length,
      workflow_runs: page.map((r) => workflowRunJson(request.api, state.repo, r)),
    };
    return { status: 200, body, headers };
  },

  'actions/list-workflow-run-artifacts': (_fake, repo, request) => {
    const state = need(repo);
    const run = state.workflowRuns.find((r) => r.id === Number(request.params.run_id));
    if (!run) throw notFound();
    const name = request.params.name;
    const artifacts = run.artifacts.filter((a) => name === undefined || a.name === name);
    const { page, headers } = paginate(request, artifacts);
    const body = {
      total_count: artifacts.length,
      artifacts: page.map((a) => artifactJson(request.api, state.repo, run, a)),
    };
    return { status: 200, body, headers };
  },

  'actions/download-artifact': (fake, repo, request) => {
    need(repo);
    const artifact = fake.findArtifact(Number(request.params.artifact_id));
    if (!artifact) throw notFound();
    if (artifact.expired) throw new HttpError(410, 'Artifact has expired');
    // As GitHub does: a redirect to blob storage, which fetch follows.
    const location = new URL(`/_storage/artifacts/${artifact.id}`, request.api).href;
    return { status: 302, headers: { location } };
  },
};
