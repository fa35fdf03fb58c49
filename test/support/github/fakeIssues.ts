/**
 * Issues, labels and pull request creation in the GitHub fake. Issues and pull requests share
 * one number sequence, and the issue list answers both (a pull request with `pull_request` set),
 * as GitHub does.
 */
import {
  HTML,
  pullRequestJson,
  userJson,
  type FakePull,
  type FakeRepo,
  type FakeUser,
} from './fakeEntities.js';
import {
  HttpError,
  list,
  need,
  notFound,
  requireWrite,
  tooLong,
  validationFailed,
  type FakeRequest,
  type Handler,
} from './fakeHttp.js';
import type { FakeState, RepoState } from './fakeState.js';

export interface FakeIssue {
  number: number;
  repo: FakeRepo;
  user: FakeUser;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  labels: string[];
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

export interface FakeLabel {
  id: number;
  name: string;
  color: string;
  description: string | null;
}

/** GitHub's limit on issue and pull request bodies, as on comments. */
const BODY_LIMIT = 65_536;

function labelJson(api: string, repo: FakeRepo, label: FakeLabel) {
  return {
    id: label.id,
    node_id: Buffer.from(`Label:${label.id}`).toString('base64'),
    url: `${api}/repos/${repo.owner.login}/${repo.name}/labels/${encodeURIComponent(label.name)}`,
    name: label.name,
    description: label.description,
    color: label.color,
    default: false,
  };
}

/** issue (and a pull request seen through the issues API). */
function issueJson(api: string, state: RepoState, issue: FakeIssue, pull?: FakePull) {
  const full = `${state.repo.owner.login}/${state.repo.name}`;
  const url = `${api}/repos/${full}/issues/${issue.number}`;
  const html = `${HTML}/${full}/${pull ? 'pull' : 'issues'}/${issue.number}`;
  return {
    id: 2_000_000 + issue.number,
    node_id: Buffer.from(`Issue:${issue.number}`).toString('base64'),
    url,
    repository_url: `${api}/repos/${full}`,
    labels_url: `${url}/labels{/name}`,
    comments_url: `${url}/comments`,
    events_url: `${url}/events`,
    html_url: html,
    number: issue.number,
    state: issue.state,
    state_reason: issue.state === 'closed' ? 'completed' : null,
    title: issue.title,
    body: issue.body,
    user: userJson(api, issue.user),
    labels: issue.labels.map((name) => {
      const label = state.labels.find((l) => l.name === name)!;
      return labelJson(api, state.repo, label);
    }),
    assignee: null,
    assignees: [],
    milestone: null,
    locked: false,
    active_lock_reason: null,
    comments: state.comments.filter((c) => c.issueNumber === issue.number).length,
    closed_at: issue.closedAt,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    author_association: issue.user.login === state.repo.owner.login ? 'OWNER' : 'NONE',
    ...(pull
      ? {
          pull_request: {
            url: `${api}/repos/${full}/pulls/${pull.number}`,
            html_url: html,
            diff_url: `${html}.diff`,
            patch_url: `${html}.patch`,
            merged_at: pull.mergedAt,
          },
        }
      : {}),
  };
}

/** pull-request: the full shape that creating and updating answer. */
function fullPullRequestJson(api: string, pr: FakePull) {
  return {
    ...pullRequestJson(api, pr),
    merged: pr.mergedAt !== null,
    mergeable: null,
    rebaseable: null,
    mergeable_state: 'unknown',
    merged_by: null,
    comments: 0,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: 1,
    additions: 1,
    deletions: 0,
    changed_files: 1,
  };
}

/** The label, by name as GitHub matches it: without regard to case. */
function findLabel(state: RepoState, name: string): FakeLabel | undefined {
  return state.labels.find((l) => l.name.toLowerCase() === name.toLowerCase());
}

/** Label names of an issue write; GitHub creates a label it does not know yet. */
function labelNames(fake: FakeState, state: RepoState, names: unknown): string[] {
  if (!Array.isArray(names)) return [];
  return names.map((item) => {
    const name = String(typeof item === 'object' && item ? (item as { name: unknown }).name : item);
    const label = findLabel(state, name) ?? fake.addLabel(state.repo, name);
    return label.name;
  });
}

function issueOf(state: RepoState, request: FakeRequest): FakeIssue {
  const issue = state.issueList.find((i) => i.number === Number(request.params.issue_number));
  if (!issue) throw notFound();
  return issue;
}

function checkBody(resource: string, body: unknown): void {
  if (typeof body === 'string' && body.length > BODY_LIMIT)
    throw tooLong(resource, 'body', BODY_LIMIT);
}

/** `owner:branch` or `branch` of a pull request's head, as the branch name. */
function headBranch(state: RepoState, head: string): string {
  const [owner, branch] = head.includes(':')
    ? head.split(/:(.*)/s)
    : [state.repo.owner.login, head];
  if (owner!.toLowerCase() !== state.repo.owner.login.toLowerCase()) {
    return validationError('head', 'invalid');
  }
  return branch!;
}

function validationError(field: string, code: string): never {
  throw new HttpError(422, 'Validation Failed', [
    { resource: 'PullRequest', field, code, message: `${field} ${code}` },
  ]);
}

export const issueRoutes: Record<string, Handler> = {
  'issues/get-label': (_fake, repo, request) => {
    const state = need(repo);
    const label = findLabel(state, String(request.params.name));
    if (!label) throw notFound();
    return { status: 200, body: labelJson(request.api, state.repo, label) };
  },

  'issues/create-label': (fake, repo, request) => {
    const state = need(repo);
    requireWrite(request, 'issues');
    const name = String(request.body.name);
    if (findLabel(state, name)) return validationFailed('Label', 'name', 'already_exists');
    const label = fake.addLabel(state.repo, name, {
      color: String(request.body.color ?? 'ededed').replace(/^#/, ''),
      description: typeof request.body.description === 'string' ? request.body.description : null,
    });
    return { status: 201, body: labelJson(request.api, state.repo, label) };
  },

  'issues/list-for-repo': (_fake, repo, request) => {
    const state = need(repo);
    const wanted = String(request.params.state ?? 'open');
    const labels =
      typeof request.params.labels === 'string'
        ? request.params.labels.split(',').map((l) => l.trim().toLowerCase())
        : [];
    type Entry = { issue: FakeIssue; pull?: FakePull };
    const pulls: Entry[] = state.pulls.map((pull) => ({
      pull,
      issue: {
        number: pull.number,
        repo: pull.repo,
        user: pull.user,
        title: pull.title,
        body: pull.body ?? null,
        state: pull.state,
        labels: [],
        createdAt: pull.createdAt,
        updatedAt: pull.updatedAt ?? pull.createdAt,
        closedAt: pull.mergedAt,
      },
    }));
    const entries = [...state.issueList.map((issue): Entry => ({ issue })), ...pulls]
      .filter(({ issue }) => wanted === 'all' || issue.state === wanted)
      .filter(({ issue }) => labels.every((l) => issue.labels.some((n) => n.toLowerCase() === l)))
      .sort((a, b) => b.issue.number - a.issue.number);
    if (request.params.direction === 'asc') entries.reverse();
    return list(request, entries, ({ issue, pull }) => issueJson(request.api, state, issue, pull));
  },

  'issues/create': (fake, repo, request) => {
    const state = need(repo);
    requireWrite(request, 'issues');
    checkBody('Issue', request.body.body);
    const issue = fake.createIssue(state.repo, {
      author: request.grant.user,
      title: String(request.body.title),
      body: typeof request.body.body === 'string' ? request.body.body : null,
      labels: labelNames(fake, state, request.body.labels),
    });
    return { status: 201, body: issueJson(request.api, state, issue) };
  },

  'issues/get': (_fake, repo, request) => {
    const state = need(repo);
    return { status: 200, body: issueJson(request.api, state, issueOf(state, request)) };
  },

  'issues/update': (fake, repo, request) => {
    const state = need(repo);
    const issue = issueOf(state, request);
    requireWrite(request, 'issues');
    const body = request.body as Record<string, unknown>;
    checkBody('Issue', body.body);
    if (typeof body.title === 'string') issue.title = body.title;
    if (typeof body.body === 'string' || body.body === null) issue.body = body.body;
    if (body.labels !== undefined) issue.labels = labelNames(fake, state, body.labels);
    const now = fake.now();
    if (body.state === 'closed' && issue.state === 'open') issue.closedAt = now;
    if (body.state === 'open') issue.closedAt = null;
    if (body.state === 'open' || body.state === 'closed') issue.state = body.state;
    issue.updatedAt = now;
    return { status: 200, body: issueJson(request.api, state, issue) };
  },

  'pulls/create': (fake, repo, request) => {
    const state = need(repo);
    requireWrite(request, 'pull-requests');
    checkBody('PullRequest', request.body.body);
    const branch = headBranch(state, String(request.body.head));
    const base = String(request.body.base);
    const headSha = state.git.refs.get(`heads/${branch}`);
    const baseSha = state.git.refs.get(`heads/${base}`);
    if (!headSha) validationError('head', 'invalid');
    if (!baseSha) validationError('base', 'invalid');
    if (headSha === baseSha || state.git.descends(baseSha!, headSha!)) {
      throw new HttpError(422, 'Validation Failed', [
        {
          resource: 'PullRequest',
          field: 'head',
          code: 'custom',
          message: `No commits between ${base} and ${branch}`,
        },
      ]);
    }
    const open = state.pulls.find(
      (p) => p.state === 'open' && p.head.ref === branch && p.base.ref === base,
    );
    if (open) {
      throw new HttpError(422, 'Validation Failed', [
        {
          resource: 'PullRequest',
          field: 'head',
          code: 'custom',
          message: `A pull request already exists for ${state.repo.owner.login}:${branch}.`,
        },
      ]);
    }
    const pull = fake.addPullRequest(state.repo, {
      author: request.grant.user.login,
      head: { ref: branch, sha: headSha! },
      base: { ref: base, sha: baseSha! },
    });
    pull.title = String(request.body.title);
    pull.body = typeof request.body.body === 'string' ? request.body.body : null;
    return { status: 201, body: fullPullRequestJson(request.api, pull) };
  },

  'pulls/update': (fake, repo, request) => {
    const state = need(repo);
    const pull = state.pulls.find((p) => p.number === Number(request.params.pull_number));
    if (!pull) throw notFound();
    requireWrite(request, 'pull-requests');
    const body = request.body as Record<string, unknown>;
    checkBody('PullRequest', body.body);
    if (typeof body.title === 'string') pull.title = body.title;
    if (typeof body.body === 'string') pull.body = body.body;
    if (body.state === 'open' || body.state === 'closed') pull.state = body.state;
    pull.updatedAt = fake.now();
    return { status: 200, body: fullPullRequestJson(request.api, pull) };
  },
};
