/**
 * The Git Data API of the GitHub fake: blobs, trees, commits and refs of one repository, with
 * SHAs computed from content, and the repository's default branch (GET /repos/{owner}/{repo}).
 *
 * Trees are kept flat (full path → entry) rather than as nested tree objects: enough for a
 * client that writes files through `base_tree` + paths, as GitHub's own API lets it.
 */
import { createHash } from 'node:crypto';
import { HTML, repositoryJson, type FakeRepo, type FakeUser } from './fakeEntities.js';
import {
  HttpError,
  need,
  notFound,
  requireWrite,
  validationFailed,
  type Handler,
  type FakeRequest,
} from './fakeHttp.js';

export interface FakeTreeEntry {
  path: string;
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  sha: string;
}

export interface FakeGitCommit {
  sha: string;
  tree: string;
  parents: string[];
  message: string;
  author: { name: string; email: string; date: string };
  committer: { name: string; email: string; date: string };
}

const sha1 = (text: string | Buffer) => createHash('sha1').update(text).digest('hex');

/** One repository's object store and refs. */
export class FakeGit {
  readonly blobs = new Map<string, Buffer>();
  readonly trees = new Map<string, FakeTreeEntry[]>();
  readonly commits = new Map<string, FakeGitCommit>();
  /** `heads/main` → commit SHA. */
  readonly refs = new Map<string, string>();
  defaultBranch = 'main';

  blob(content: Buffer): string {
    const sha = sha1(Buffer.concat([Buffer.from(`blob ${content.length}\0`), content]));
    this.blobs.set(sha, content);
    return sha;
  }

  tree(entries: FakeTreeEntry[]): string {
    const sorted = [...entries].sort((a, b) => a.path.localeCompare(b.path));
    const sha = sha1(`tree ${JSON.stringify(sorted)}`);
    this.trees.set(sha, sorted);
    return sha;
  }

  commit(fields: Omit<FakeGitCommit, 'sha'>): FakeGitCommit {
    const commit = { ...fields, sha: sha1(`commit ${JSON.stringify(fields)}`) };
    this.commits.set(commit.sha, commit);
    return commit;
  }

  /** A commit on `branch` with `files` replacing those paths (seeding, not through the API). */
  commitFiles(branch: string, files: Record<string, string>, message: string, date: string) {
    const parent = this.refs.get(`heads/${branch}`);
    const base = parent ? (this.trees.get(this.commits.get(parent)!.tree) ?? []) : [];
    const entries = new Map(base.map((e) => [e.path, e]));
    for (const [path, content] of Object.entries(files)) {
      entries.set(path, {
        path,
        mode: '100644',
        type: 'blob',
        sha: this.blob(Buffer.from(content)),
      });
    }
    const who = { name: 'Alice', email: 'alice@example.com', date };
    const commit = this.commit({
      tree: this.tree([...entries.values()]),
      parents: parent ? [parent] : [],
      message,
      author: who,
      committer: who,
    });
    this.refs.set(`heads/${branch}`, commit.sha);
    return commit;
  }

  /** The file at `path` in the commit `ref` points to. */
  fileAt(ref: string, path: string): string | undefined {
    const commit = this.commits.get(this.refs.get(ref) ?? '');
    const entry = commit && this.trees.get(commit.tree)?.find((e) => e.path === path);
    return entry ? this.blobs.get(entry.sha)?.toString('utf8') : undefined;
  }

  /** True when `ancestor` is `sha` or reachable from it through parents. */
  descends(sha: string, ancestor: string): boolean {
    const queue = [sha];
    const seen = new Set<string>();
    while (queue.length > 0) {
      const next = queue.pop()!;
      if (next === ancestor) return true;
      if (seen.has(next)) continue;
      seen.add(next);
      queue.push(...(this.commits.get(next)?.parents ?? []));
    }
    return false;
  }
}

const repoUrl = (api: string, repo: FakeRepo) => `${api}/repos/${repo.owner.login}/${repo.name}`;

function refJson(api: string, repo: FakeRepo, ref: string, sha: string) {
  return {
    ref: `refs/${ref}`,
    node_id: Buffer.from(`Ref:${ref}`).toString('base64'),
    url: `${repoUrl(api, repo)}/git/refs/${ref}`,
    object: { type: 'commit', sha, url: `${repoUrl(api, repo)}/git/commits/${sha}` },
  };
}

function commitJson(api: string, repo: FakeRepo, commit: FakeGitCommit) {
  const html = `${HTML}/${repo.owner.login}/${repo.name}/commit`;
  return {
    sha: commit.sha,
    node_id: Buffer.from(`Commit:${commit.sha}`).toString('base64'),
    url: `${repoUrl(api, repo)}/git/commits/${commit.sha}`,
    html_url: `${html}/${commit.sha}`,
    author: commit.author,
    committer: commit.committer,
    tree: { sha: commit.tree, url: `${repoUrl(api, repo)}/git/trees/${commit.tree}` },
    message: commit.message,
    parents: commit.parents.map((sha) => ({
      sha,
      url: `${repoUrl(api, repo)}/git/commits/${sha}`,
      html_url: `${html}/${sha}`,
    })),
    verification: {
      verified: false,
      reason: 'unsigned',
      signature: null,
      payload: null,
      verified_at: null,
    },
  };
}

/** full-repository: the repository shape plus what only GET /repos/{owner}/{repo} carries. */
function fullRepositoryJson(api: string, repo: FakeRepo, defaultBranch: string) {
  return {
    ...repositoryJson(api, repo),
    default_branch: defaultBranch,
    has_discussions: false,
    network_count: 0,
    subscribers_count: 0,
  };
}

/** Git identity of the token's user, as GitHub fills it in when a commit names no author. */
function identity(user: FakeUser, date: string) {
  return { name: user.login, email: `${user.id}+${user.login}@users.noreply.github.com`, date };
}

function refParam(request: FakeRequest): string {
  return String(request.params.ref).replace(/^refs\//, '');
}

export const gitRoutes: Record<string, Handler> = {
  'repos/get': (_fake, repo, request) => {
    const state = need(repo);
    return {
      status: 200,
      body: fullRepositoryJson(request.api, state.repo, state.git.defaultBranch),
    };
  },

  'git/get-ref': (_fake, repo, request) => {
    const state = need(repo);
    const ref = refParam(request);
    const sha = state.git.refs.get(ref);
    if (!sha) throw notFound();
    return { status: 200, body: refJson(request.api, state.repo, ref, sha) };
  },

  'git/create-ref': (_fake, repo, request) => {
    const state = need(repo);
    requireWrite(request, 'contents');
    const full = String(request.body.ref);
    const sha = String(request.body.sha);
    if (!/^refs\/.+\/.+/.test(full)) throw new HttpError(422, 'Reference name is invalid');
    const ref = full.replace(/^refs\//, '');
    if (state.git.refs.has(ref)) throw new HttpError(422, 'Reference already exists');
    if (!state.git.commits.has(sha)) throw new HttpError(422, 'Object does not exist');
    state.git.refs.set(ref, sha);
    return { status: 201, body: refJson(request.api, state.repo, ref, sha) };
  },

  'git/update-ref': (_fake, repo, request) => {
    const state = need(repo);
    requireWrite(request, 'contents');
    const ref = refParam(request);
    const current = state.git.refs.get(ref);
    if (!current) throw new HttpError(422, 'Reference does not exist');
    const sha = String(request.body.sha);
    if (!state.git.commits.has(sha)) throw new HttpError(422, 'Object does not exist');
    if (request.body.force !== true && !state.git.descends(sha, current)) {
      throw new HttpError(422, 'Update is not a fast forward');
    }
    state.git.refs.set(ref, sha);
    // Open pull requests from this branch now head the new commit.
    for (const pull of state.pulls) {
      if (pull.head.repo === state.repo && `heads/${pull.head.ref}` === ref) pull.head.sha = sha;
    }
    return { status: 200, body: refJson(request.api, state.repo, ref, sha) };
  },

  'git/create-blob': (_fake, repo, request) => {
    const state = need(repo);
    requireWrite(request, 'contents');
    const encoding = request.body.encoding === 'base64' ? 'base64' : 'utf8';
    const sha = state.git.blob(Buffer.from(String(request.body.content), encoding));
    return {
      status: 201,
      body: { sha, url: `${repoUrl(request.api, state.repo)}/git/blobs/${sha}` },
    };
  },

  'git/create-tree': (_fake, repo, request) => {
    const state = need(repo);
    requireWrite(request, 'contents');
    const { git } = state;
    const base = request.body.base_tree as string | undefined;
    if (base !== undefined && !git.trees.has(base)) {
      // GitHub takes a tree SHA here; a commit SHA is refused.
      return validationFailed('Tree', 'base_tree', 'invalid');
    }
    const entries = new Map((base ? git.trees.get(base)! : []).map((e) => [e.path, e]));
    for (const item of request.body.tree as Record<string, unknown>[]) {
      const path = String(item.path);
      if (item.sha === null) {
        entries.delete(path);
        continue;
      }
      const sha =
        typeof item.content === 'string'
          ? git.blob(Buffer.from(item.content))
          : String(item.sha ?? '');
      if (item.type === 'blob' && !git.blobs.has(sha)) {
        return validationFailed('Tree', 'sha', 'invalid');
      }
      entries.set(path, {
        path,
        mode: String(item.mode),
        type: item.type as FakeTreeEntry['type'],
        sha,
      });
    }
    const sha = git.tree([...entries.values()]);
    const url = `${repoUrl(request.api, state.repo)}/git/trees/${sha}`;
    const tree = git.trees.get(sha)!.map((e) => ({
      ...e,
      size: git.blobs.get(e.sha)?.length ?? 0,
      url: `${repoUrl(request.api, state.repo)}/git/blobs/${e.sha}`,
    }));
    return { status: 201, body: { sha, url, truncated: false, tree } };
  },

  'git/get-commit': (_fake, repo, request) => {
    const state = need(repo);
    const commit = state.git.commits.get(String(request.params.commit_sha));
    if (!commit) throw notFound();
    return { status: 200, body: commitJson(request.api, state.repo, commit) };
  },

  'git/create-commit': (fake, repo, request) => {
    const state = need(repo);
    requireWrite(request, 'contents');
    const { git } = state;
    const tree = String(request.body.tree);
    const parents = (request.body.parents ?? []) as string[];
    if (!git.trees.has(tree)) return validationFailed('Commit', 'tree', 'invalid');
    if (parents.some((p) => !git.commits.has(p))) {
      return validationFailed('Commit', 'parents', 'invalid');
    }
    const now = fake.now();
    const author = request.body.author
      ? { date: now, ...request.body.author }
      : identity(request.grant.user, now);
    const commit = git.commit({
      tree,
      parents,
      message: String(request.body.message),
      author,
      committer: request.body.committer ? { date: now, ...request.body.committer } : author,
    });
    return { status: 201, body: commitJson(request.api, state.repo, commit) };
  },
};
