/** The in-memory GitHub behind the fake: users, tokens, repositories and what lives in them. */
import { createHash } from 'node:crypto';
import type {
  FakeApp,
  FakeArtifact,
  FakeAsset,
  FakeCheckRun,
  FakeComment,
  FakePull,
  FakeRelease,
  FakeRepo,
  FakeStatus,
  FakeUser,
  FakeWorkflowRun,
} from './fakeEntities.js';
import { FakeGit } from './fakeGit.js';
import type { FakeIssue, FakeLabel } from './fakeIssues.js';

/** Permissions a write needs, named as in a workflow's `permissions:` block. */
export type Scope = 'issues' | 'pull-requests' | 'statuses' | 'checks' | 'contents';
const ALL_SCOPES: Scope[] = ['issues', 'pull-requests', 'statuses', 'checks', 'contents'];

export interface Grant {
  user: FakeUser;
  /** An installation token (the Actions GITHUB_TOKEN): GET /user is forbidden, checks allowed. */
  app?: FakeApp;
  writes: Set<Scope>;
}

export interface RepoState {
  repo: FakeRepo;
  /** Every number taken, by issues and pull requests alike. */
  issues: Set<number>;
  nextNumber: number;
  /** Issues proper (pull requests live in `pulls`). */
  issueList: FakeIssue[];
  labels: FakeLabel[];
  git: FakeGit;
  comments: FakeComment[];
  pulls: FakePull[];
  statuses: FakeStatus[];
  checkRuns: FakeCheckRun[];
  releases: FakeRelease[];
  workflowRuns: FakeWorkflowRun[];
}

export const ACTIONS_BOT = 'github-actions[bot]';

export class FakeState {
  private readonly users = new Map<string, FakeUser>();
  private readonly tokens = new Map<string, Grant>();
  private readonly repos = new Map<string, RepoState>();
  private nextIdValue = 1000;
  private clock = Date.parse('2024-05-01T00:00:00Z');

  /** A fresh id: comments, statuses, check runs, releases and assets share one sequence. */
  nextId(): number {
    return ++this.nextIdValue;
  }

  /** A timestamp one second after the previous one, so creation order shows in the dates. */
  now(): string {
    this.clock += 1000;
    return new Date(this.clock).toISOString().replace(/\.000Z$/, 'Z');
  }

  addUser(login: string, type: FakeUser['type'] = 'User'): FakeUser {
    let user = this.users.get(login.toLowerCase());
    if (!user) {
      const id = login === ACTIONS_BOT ? 41898282 : 50_000 + this.users.size;
      user = { login, id, type };
      this.users.set(login.toLowerCase(), user);
    }
    return user;
  }

  /** A personal access token of `login` that may write everything; GET /user answers it. */
  userToken(login: string): string {
    return this.issueToken({ user: this.addUser(login), writes: new Set(ALL_SCOPES) });
  }

  /**
   * The Actions GITHUB_TOKEN, acting as github-actions[bot]. `readOnly` is what a `pull_request`
   * run from a fork gets; `writes` narrows it the way a `permissions:` block does.
   */
  actionsToken(options: { readOnly?: boolean; writes?: Scope[] } = {}): string {
    const user = this.addUser(ACTIONS_BOT, 'Bot');
    const owner = this.addUser('github', 'User');
    const app: FakeApp = { id: 15368, slug: 'github-actions', name: 'GitHub Actions', owner };
    const writes = options.readOnly ? [] : (options.writes ?? ALL_SCOPES);
    return this.issueToken({ user, app, writes: new Set(writes) });
  }

  private issueToken(grant: Grant): string {
    const token = `ghs_fake${this.tokens.size}${'x'.repeat(24)}`;
    this.tokens.set(token, grant);
    return token;
  }

  grantFor(token: string): Grant | undefined {
    return this.tokens.get(token);
  }

  /** A repository whose default branch `main` holds one commit with a README. */
  addRepo(owner: string, name: string, options: { forkOf?: FakeRepo } = {}): FakeRepo {
    const repo: FakeRepo = { id: this.nextId(), owner: this.addUser(owner), name };
    if (options.forkOf) repo.parent = options.forkOf;
    const git = new FakeGit();
    git.commitFiles('main', { 'README.md': `# ${name}\n` }, 'Initial commit', this.now());
    this.repos.set(`${owner}/${name}`.toLowerCase(), {
      repo,
      issues: new Set(),
      nextNumber: 1,
      issueList: [],
      labels: [],
      git,
      comments: [],
      pulls: [],
      statuses: [],
      checkRuns: [],
      releases: [],
      workflowRuns: [],
    });
    return repo;
  }

  repoState(owner: string, name: string): RepoState | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  private stateOf(repo: FakeRepo): RepoState {
    const state = this.repoState(repo.owner.login, repo.name);
    if (!state) throw new Error(`fake: unknown repository ${repo.owner.login}/${repo.name}`);
    return state;
  }

  /** An issue without a pull request; returns its number. */
  addIssue(repo: FakeRepo): number {
    return this.createIssue(repo, {}).number;
  }

  /** An issue, open unless `state` says otherwise; labels it names must exist. */
  createIssue(
    repo: FakeRepo,
    options: {
      author?: FakeUser;
      title?: string;
      body?: string | null;
      labels?: string[];
      state?: 'open' | 'closed';
    },
  ): FakeIssue {
    const state = this.stateOf(repo);
    const number = this.takeNumber(state);
    const createdAt = this.now();
    const issue: FakeIssue = {
      number,
      repo,
      user: options.author ?? this.addUser('alice'),
      title: options.title ?? `Issue ${number}`,
      body: options.body ?? null,
      state: options.state ?? 'open',
      labels: options.labels ?? [],
      createdAt,
      updatedAt: createdAt,
      closedAt: options.state === 'closed' ? createdAt : null,
    };
    state.issueList.push(issue);
    return issue;
  }

  private takeNumber(state: RepoState): number {
    const number = state.nextNumber++;
    state.issues.add(number);
    return number;
  }

  /** Closes an issue as a person would in the web UI. */
  closeIssue(repo: FakeRepo, number: number): void {
    const issue = this.issuesOf(repo).find((i) => i.number === number);
    if (!issue) throw new Error(`fake: no issue #${number}`);
    issue.state = 'closed';
    issue.closedAt = issue.updatedAt = this.now();
  }

  issuesOf(repo: FakeRepo): FakeIssue[] {
    return this.stateOf(repo).issueList;
  }

  pullsOf(repo: FakeRepo): FakePull[] {
    return this.stateOf(repo).pulls;
  }

  labelsOf(repo: FakeRepo): FakeLabel[] {
    return this.stateOf(repo).labels;
  }

  addLabel(
    repo: FakeRepo,
    name: string,
    options: { color?: string; description?: string | null } = {},
  ): FakeLabel {
    const label: FakeLabel = {
      id: this.nextId(),
      name,
      color: options.color ?? 'ededed',
      description: options.description ?? null,
    };
    this.stateOf(repo).labels.push(label);
    return label;
  }

  /** The repository's blobs, trees, commits and refs. */
  gitOf(repo: FakeRepo): FakeGit {
    return this.stateOf(repo).git;
  }

  addPullRequest(
    repo: FakeRepo,
    options: {
      author: string;
      head: { repo?: FakeRepo; ref: string; sha: string };
      base?: { ref?: string; sha?: string };
      state?: 'open' | 'closed';
      mergeCommitSha?: string;
    },
  ): FakePull {
    const number = this.takeNumber(this.stateOf(repo));
    const merged = options.mergeCommitSha !== undefined;
    const pull: FakePull = {
      number,
      repo,
      user: this.addUser(options.author),
      title: `Pull request ${number}`,
      state: merged ? 'closed' : (options.state ?? 'open'),
      head: { repo: options.head.repo ?? repo, ref: options.head.ref, sha: options.head.sha },
      base: { ref: options.base?.ref ?? 'main', sha: options.base?.sha ?? 'b'.repeat(40) },
      mergeCommitSha: options.mergeCommitSha ?? null,
      mergedAt: merged ? this.now() : null,
      createdAt: this.now(),
    };
    this.stateOf(repo).pulls.push(pull);
    return pull;
  }

  /** A comment written by `author` (seeding, not through the API). */
  addComment(repo: FakeRepo, issueNumber: number, author: string, body: string): FakeComment {
    const type = author.endsWith('[bot]') ? 'Bot' : 'User';
    const createdAt = this.now();
    const comment: FakeComment = {
      id: this.nextId(),
      issueNumber,
      repo,
      user: this.addUser(author, type),
      body,
      createdAt,
      updatedAt: createdAt,
    };
    this.stateOf(repo).comments.push(comment);
    return comment;
  }

  commentsOn(repo: FakeRepo, issueNumber: number): FakeComment[] {
    return this.stateOf(repo).comments.filter((c) => c.issueNumber === issueNumber);
  }

  statusesOn(repo: FakeRepo, sha: string): FakeStatus[] {
    return this.stateOf(repo).statuses.filter((s) => s.sha === sha);
  }

  checkRunsOn(repo: FakeRepo, sha: string): FakeCheckRun[] {
    return this.stateOf(repo).checkRuns.filter((r) => r.headSha === sha);
  }

  addRelease(
    repo: FakeRepo,
    options: {
      tag: string;
      draft?: boolean;
      prerelease?: boolean;
      createdAt?: string;
      body?: string;
      assets?: Record<string, string | Buffer>;
    },
  ): FakeRelease {
    const author = this.addUser(ACTIONS_BOT, 'Bot');
    const createdAt = options.createdAt ?? this.now();
    const release: FakeRelease = {
      id: this.nextId(),
      tag: options.tag,
      name: options.tag,
      draft: options.draft ?? false,
      prerelease: options.prerelease ?? false,
      createdAt,
      publishedAt: options.draft ? null : createdAt,
      author,
      assets: [],
      body: options.body ?? null,
      targetCommitish: 'main',
      immutable: false,
    };
    for (const [name, content] of Object.entries(options.assets ?? {})) {
      this.addAsset(release, { name, bytes: Buffer.from(content), uploader: author, createdAt });
    }
    this.stateOf(repo).releases.push(release);
    return release;
  }

  /** An asset of `release`; `partial` leaves it `open` with the bytes received so far, no digest. */
  addAsset(
    release: FakeRelease,
    options: {
      name: string;
      bytes: Buffer;
      contentType?: string;
      uploader?: FakeUser;
      createdAt?: string;
      partial?: boolean;
    },
  ): FakeAsset {
    const { name, bytes } = options;
    const asset: FakeAsset = {
      id: this.nextId(),
      name,
      contentType:
        options.contentType ??
        (name.endsWith('.json') ? 'application/json' : 'application/octet-stream'),
      bytes,
      digest: options.partial ? null : `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
      state: options.partial ? 'open' : 'uploaded',
      uploader: options.uploader ?? this.addUser(ACTIONS_BOT, 'Bot'),
      createdAt: options.createdAt ?? this.now(),
    };
    release.assets.push(asset);
    return asset;
  }

  /** Every release of the repository, drafts included, in creation order. */
  releasesOf(repo: FakeRepo): FakeRelease[] {
    return this.stateOf(repo).releases;
  }

  /** The release with this id in any repository. */
  findRelease(id: number): FakeRelease | undefined {
    for (const state of this.repos.values()) {
      const release = state.releases.find((r) => r.id === id);
      if (release) return release;
    }
    return undefined;
  }

  /**
   * Replaces an asset's bytes the way someone with write access could (delete and re-upload),
   * GitHub then recomputing its digest: only the release's SHA256SUMS still tells.
   */
  tamperAsset(release: FakeRelease, name: string, content: string | Buffer): void {
    const asset = release.assets.find((a) => a.name === name);
    if (!asset) throw new Error(`fake: release ${release.tag} has no asset ${name}`);
    asset.bytes = Buffer.from(content);
    asset.digest = `sha256:${createHash('sha256').update(asset.bytes).digest('hex')}`;
  }

  /** A workflow run of `headSha` with artifacts (name → zip bytes); completed, `success` by default. */
  addWorkflowRun(
    repo: FakeRepo,
    options: {
      headSha: string;
      headBranch?: string;
      event?: string;
      conclusion?: string | null;
      artifacts?: Record<string, Buffer>;
    },
  ): FakeWorkflowRun {
    const createdAt = this.now();
    const conclusion = options.conclusion === undefined ? 'success' : options.conclusion;
    const run: FakeWorkflowRun = {
      id: this.nextId(),
      headSha: options.headSha,
      headBranch: options.headBranch ?? 'retrain',
      event: options.event ?? 'pull_request',
      status: conclusion === null ? 'in_progress' : 'completed',
      conclusion,
      createdAt,
      artifacts: Object.entries(options.artifacts ?? {}).map(([name, zip]): FakeArtifact => ({
        id: this.nextId(),
        name,
        zip,
        expired: false,
        createdAt,
      })),
    };
    this.stateOf(repo).workflowRuns.push(run);
    return run;
  }

  findArtifact(id: number): FakeArtifact | undefined {
    for (const state of this.repos.values()) {
      for (const run of state.workflowRuns) {
        const artifact = run.artifacts.find((a) => a.id === id);
        if (artifact) return artifact;
      }
    }
    return undefined;
  }

  findAsset(id: number): FakeAsset | undefined {
    for (const state of this.repos.values()) {
      for (const release of state.releases) {
        const asset = release.assets.find((a) => a.id === id);
        if (asset) return asset;
      }
    }
    return undefined;
  }
}
