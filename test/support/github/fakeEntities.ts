/**
 * The JSON the GitHub fake answers with, field for field as GitHub's OpenAPI description requires
 * (the fake validates every response body against it, so a missing field fails the test run).
 */

export const HTML = 'https://github.com';

export interface FakeUser {
  login: string;
  id: number;
  type: 'User' | 'Bot';
}

export interface FakeRepo {
  id: number;
  owner: FakeUser;
  name: string;
  /** For a fork, the repository it was forked from. */
  parent?: FakeRepo;
}

export interface FakeComment {
  id: number;
  issueNumber: number;
  repo: FakeRepo;
  user: FakeUser;
  body: string;
  createdAt: string;
  updatedAt: string;
}

export interface FakePull {
  number: number;
  repo: FakeRepo;
  user: FakeUser;
  title: string;
  state: 'open' | 'closed';
  head: { repo: FakeRepo; ref: string; sha: string };
  base: { ref: string; sha: string };
  mergeCommitSha: string | null;
  mergedAt: string | null;
  createdAt: string;
  body?: string | null;
  updatedAt?: string;
}

export interface FakeStatus {
  id: number;
  sha: string;
  state: string;
  context: string;
  description: string | null;
  targetUrl: string | null;
  creator: FakeUser;
  createdAt: string;
}

export interface FakeApp {
  id: number;
  slug: string;
  name: string;
  owner: FakeUser;
}

export interface FakeCheckRun {
  id: number;
  headSha: string;
  name: string;
  status: string;
  conclusion: string | null;
  startedAt: string;
  completedAt: string | null;
  detailsUrl: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  app: FakeApp;
}

export interface FakeAsset {
  id: number;
  name: string;
  contentType: string;
  bytes: Buffer;
  digest: string | null;
  /** `open` while an upload is under way or after it broke off: a partial asset. */
  state: 'uploaded' | 'open';
  uploader: FakeUser;
  createdAt: string;
}

export interface FakeRelease {
  id: number;
  tag: string;
  name: string | null;
  draft: boolean;
  prerelease: boolean;
  createdAt: string;
  publishedAt: string | null;
  author: FakeUser;
  assets: FakeAsset[];
  body: string | null;
  targetCommitish: string;
  /** Published while the repository had immutable releases on: assets can no longer change. */
  immutable: boolean;
}

export interface FakeArtifact {
  id: number;
  name: string;
  /** The zip archive GET /actions/artifacts/{id}/zip leads to. */
  zip: Buffer;
  expired: boolean;
  createdAt: string;
}

export interface FakeWorkflowRun {
  id: number;
  headSha: string;
  headBranch: string;
  event: string;
  status: string;
  conclusion: string | null;
  createdAt: string;
  artifacts: FakeArtifact[];
}

const nodeId = (kind: string, id: number) => Buffer.from(`${kind}:${id}`).toString('base64');

/** simple-user. */
export function userJson(api: string, user: FakeUser) {
  const url = `${api}/users/${encodeURIComponent(user.login)}`;
  return {
    login: user.login,
    id: user.id,
    node_id: nodeId(user.type, user.id),
    avatar_url: `https://avatars.githubusercontent.com/u/${user.id}?v=4`,
    gravatar_id: '',
    url,
    html_url: `${HTML}/${encodeURIComponent(user.login)}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type: user.type,
    site_admin: false,
  };
}

/** private-user: what GET /user answers for a personal access token. */
export function privateUserJson(api: string, user: FakeUser) {
  return {
    ...userJson(api, user),
    name: user.login,
    company: null,
    blog: '',
    location: null,
    email: null,
    hireable: null,
    bio: null,
    public_repos: 1,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: '2020-01-01T00:00:00Z',
    updated_at: '2024-01-01T00:00:00Z',
    private_gists: 0,
    total_private_repos: 0,
    owned_private_repos: 0,
    disk_usage: 0,
    collaborators: 0,
    two_factor_authentication: true,
  };
}

/** minimal-repository. */
export function minimalRepositoryJson(api: string, repo: FakeRepo) {
  const full = `${repo.owner.login}/${repo.name}`;
  const url = `${api}/repos/${full}`;
  return {
    id: repo.id,
    node_id: nodeId('Repository', repo.id),
    name: repo.name,
    full_name: full,
    owner: userJson(api, repo.owner),
    private: false,
    html_url: `${HTML}/${full}`,
    description: null,
    fork: repo.parent !== undefined,
    url,
    archive_url: `${url}/{archive_format}{/ref}`,
    assignees_url: `${url}/assignees{/user}`,
    blobs_url: `${url}/git/blobs{/sha}`,
    branches_url: `${url}/branches{/branch}`,
    collaborators_url: `${url}/collaborators{/collaborator}`,
    comments_url: `${url}/comments{/number}`,
    commits_url: `${url}/commits{/sha}`,
    compare_url: `${url}/compare/{base}...{head}`,
    contents_url: `${url}/contents/{+path}`,
    contributors_url: `${url}/contributors`,
    deployments_url: `${url}/deployments`,
    downloads_url: `${url}/downloads`,
    events_url: `${url}/events`,
    forks_url: `${url}/forks`,
    git_commits_url: `${url}/git/commits{/sha}`,
    git_refs_url: `${url}/git/refs{/sha}`,
    git_tags_url: `${url}/git/tags{/sha}`,
    issue_comment_url: `${url}/issues/comments{/number}`,
    issue_events_url: `${url}/issues/events{/number}`,
    issues_url: `${url}/issues{/number}`,
    keys_url: `${url}/keys{/key_id}`,
    labels_url: `${url}/labels{/name}`,
    languages_url: `${url}/languages`,
    merges_url: `${url}/merges`,
    milestones_url: `${url}/milestones{/number}`,
    notifications_url: `${url}/notifications{?since,all,participating}`,
    pulls_url: `${url}/pulls{/number}`,
    releases_url: `${url}/releases{/id}`,
    stargazers_url: `${url}/stargazers`,
    statuses_url: `${url}/statuses/{sha}`,
    subscribers_url: `${url}/subscribers`,
    subscription_url: `${url}/subscription`,
    tags_url: `${url}/tags`,
    teams_url: `${url}/teams`,
    trees_url: `${url}/git/trees{/sha}`,
    hooks_url: `${url}/hooks`,
  };
}

/** repository: the full shape a pull request's head and base carry. */
export function repositoryJson(api: string, repo: FakeRepo) {
  const full = `${repo.owner.login}/${repo.name}`;
  return {
    ...minimalRepositoryJson(api, repo),
    clone_url: `${HTML}/${full}.git`,
    git_url: `git://github.com/${full}.git`,
    ssh_url: `git@github.com:${full}.git`,
    svn_url: `${HTML}/${full}`,
    mirror_url: null,
    homepage: null,
    language: 'Python',
    forks: 0,
    forks_count: 0,
    stargazers_count: 0,
    watchers: 0,
    watchers_count: 0,
    size: 100,
    default_branch: 'main',
    open_issues: 0,
    open_issues_count: 0,
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: true,
    archived: false,
    disabled: false,
    license: null,
    pushed_at: '2024-01-01T00:00:00Z',
    created_at: '2023-01-01T00:00:00Z',
    updated_at: '2024-01-01T00:00:00Z',
  };
}

/** issue-comment. */
export function commentJson(api: string, comment: FakeComment) {
  const full = `${comment.repo.owner.login}/${comment.repo.name}`;
  return {
    id: comment.id,
    node_id: nodeId('IssueComment', comment.id),
    url: `${api}/repos/${full}/issues/comments/${comment.id}`,
    html_url: `${HTML}/${full}/pull/${comment.issueNumber}#issuecomment-${comment.id}`,
    body: comment.body,
    user: userJson(api, comment.user),
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
    issue_url: `${api}/repos/${full}/issues/${comment.issueNumber}`,
    author_association: comment.user.login === comment.repo.owner.login ? 'OWNER' : 'NONE',
  };
}

/** pull-request-simple. */
export function pullRequestJson(api: string, pr: FakePull) {
  const full = `${pr.repo.owner.login}/${pr.repo.name}`;
  const url = `${api}/repos/${full}/pulls/${pr.number}`;
  const html = `${HTML}/${full}/pull/${pr.number}`;
  const issue = `${api}/repos/${full}/issues/${pr.number}`;
  const statuses = `${api}/repos/${full}/statuses/${pr.head.sha}`;
  const side = (repo: FakeRepo, ref: string, sha: string) => ({
    label: `${repo.owner.login}:${ref}`,
    ref,
    sha,
    repo: repositoryJson(api, repo),
    user: userJson(api, repo.owner),
  });
  return {
    url,
    id: 1_000_000 + pr.number,
    node_id: nodeId('PullRequest', pr.number),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: issue,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${api}/repos/${full}/pulls/comments{/number}`,
    comments_url: `${issue}/comments`,
    statuses_url: statuses,
    number: pr.number,
    state: pr.state,
    locked: false,
    title: pr.title,
    user: userJson(api, pr.user),
    body: pr.body ?? null,
    labels: [],
    milestone: null,
    created_at: pr.createdAt,
    updated_at: pr.updatedAt ?? pr.createdAt,
    closed_at: pr.mergedAt,
    merged_at: pr.mergedAt,
    merge_commit_sha: pr.mergeCommitSha,
    assignee: null,
    head: side(pr.head.repo, pr.head.ref, pr.head.sha),
    base: side(pr.repo, pr.base.ref, pr.base.sha),
    _links: {
      self: { href: url },
      html: { href: html },
      issue: { href: issue },
      comments: { href: `${issue}/comments` },
      review_comments: { href: `${url}/comments` },
      review_comment: { href: `${api}/repos/${full}/pulls/comments{/number}` },
      commits: { href: `${url}/commits` },
      statuses: { href: statuses },
    },
    author_association: 'CONTRIBUTOR',
    auto_merge: null,
  };
}

/** simple-commit-status (lists) and status (creation). */
export function statusJson(api: string, repo: FakeRepo, status: FakeStatus) {
  const full = `${repo.owner.login}/${repo.name}`;
  return {
    url: `${api}/repos/${full}/statuses/${status.sha}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${status.creator.id}?v=4`,
    id: status.id,
    node_id: nodeId('StatusContext', status.id),
    state: status.state,
    description: status.description,
    target_url: status.targetUrl,
    context: status.context,
    created_at: status.createdAt,
    updated_at: status.createdAt,
    creator: userJson(api, status.creator),
  };
}

/** check-run. */
export function checkRunJson(api: string, repo: FakeRepo, run: FakeCheckRun) {
  const full = `${repo.owner.login}/${repo.name}`;
  const url = `${api}/repos/${full}/check-runs/${run.id}`;
  return {
    id: run.id,
    head_sha: run.headSha,
    node_id: nodeId('CheckRun', run.id),
    external_id: '',
    url,
    html_url: `${HTML}/${full}/runs/${run.id}`,
    details_url: run.detailsUrl,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.startedAt,
    completed_at: run.completedAt,
    output: {
      ...run.output,
      annotations_count: 0,
      annotations_url: `${url}/annotations`,
    },
    name: run.name,
    check_suite: { id: 5_000_000 + run.id },
    app: {
      id: run.app.id,
      slug: run.app.slug,
      node_id: nodeId('Integration', run.app.id),
      owner: userJson(api, run.app.owner),
      name: run.app.name,
      description: 'Automate your workflow from idea to production',
      external_url: `${HTML}/features/actions`,
      html_url: `${HTML}/apps/${run.app.slug}`,
      created_at: '2018-07-30T09:30:17Z',
      updated_at: '2024-04-10T20:33:16Z',
      permissions: { checks: 'write', statuses: 'write' },
      events: ['check_run', 'pull_request'],
    },
    pull_requests: [],
  };
}

/** release-asset. */
export function assetJson(api: string, repo: FakeRepo, release: FakeRelease, asset: FakeAsset) {
  const full = `${repo.owner.login}/${repo.name}`;
  return {
    url: `${api}/repos/${full}/releases/assets/${asset.id}`,
    browser_download_url: `${HTML}/${full}/releases/download/${release.tag}/${encodeURIComponent(asset.name)}`,
    id: asset.id,
    node_id: nodeId('ReleaseAsset', asset.id),
    name: asset.name,
    label: null,
    state: asset.state,
    content_type: asset.contentType,
    size: asset.bytes.length,
    digest: asset.digest,
    download_count: 0,
    created_at: asset.createdAt,
    updated_at: asset.createdAt,
    uploader: userJson(api, asset.uploader),
  };
}

/** release. */
export function releaseJson(api: string, repo: FakeRepo, release: FakeRelease) {
  const full = `${repo.owner.login}/${repo.name}`;
  const url = `${api}/repos/${full}/releases/${release.id}`;
  return {
    url,
    html_url: `${HTML}/${full}/releases/tag/${release.tag}`,
    assets_url: `${url}/assets`,
    // GitHub's origin is https://uploads.github.com; the fake serves uploads itself.
    upload_url: `${api}/repos/${full}/releases/${release.id}/assets{?name,label}`,
    tarball_url: `${api}/repos/${full}/tarball/${release.tag}`,
    zipball_url: `${api}/repos/${full}/zipball/${release.tag}`,
    id: release.id,
    node_id: nodeId('Release', release.id),
    tag_name: release.tag,
    target_commitish: release.targetCommitish,
    name: release.name,
    body: release.body,
    draft: release.draft,
    prerelease: release.prerelease,
    immutable: release.immutable,
    created_at: release.createdAt,
    published_at: release.publishedAt,
    author: userJson(api, release.author),
    assets: release.assets.map((asset) => assetJson(api, repo, release, asset)),
  };
}

/** artifact. */
export function artifactJson(
  api: string,
  repo: FakeRepo,
  run: FakeWorkflowRun,
  artifact: FakeArtifact,
) {
  const url = `${api}/repos/${repo.owner.login}/${repo.name}/actions/artifacts/${artifact.id}`;
  const expires = new Date(Date.parse(artifact.createdAt) + 90 * 86_400_000).toISOString();
  return {
    id: artifact.id,
    node_id: nodeId('Artifact', artifact.id),
    name: artifact.name,
    size_in_bytes: artifact.zip.length,
    url,
    archive_download_url: `${url}/zip`,
    expired: artifact.expired,
    created_at: artifact.createdAt,
    expires_at: expires.replace(/\.000Z$/, 'Z'),
    updated_at: artifact.createdAt,
    workflow_run: {
      id: run.id,
      repository_id: repo.id,
      head_repository_id: repo.id,
      head_branch: run.headBranch,
      head_sha: run.headSha,
    },
  };
}

/** workflow-run. */
export function workflowRunJson(api: string, repo: FakeRepo, run: FakeWorkflowRun) {
  const full = `${repo.owner.login}/${repo.name}`;
  const url = `${api}/repos/${full}/actions/runs/${run.id}`;
  return {
    id: run.id,
    name: 'modelship',
    node_id: nodeId('WorkflowRun', run.id),
    head_branch: run.headBranch,
    head_sha: run.headSha,
    path: '.github/workflows/modelship.yml',
    display_title: 'Retrain',
    run_number: run.id % 1000,
    event: run.event,
    status: run.status,
    conclusion: run.conclusion,
    workflow_id: 161335,
    url,
    html_url: `${HTML}/${full}/actions/runs/${run.id}`,
    pull_requests: [],
    created_at: run.createdAt,
    updated_at: run.createdAt,
    jobs_url: `${url}/jobs`,
    logs_url: `${url}/logs`,
    check_suite_url: `${api}/repos/${full}/check-suites/${run.id}`,
    artifacts_url: `${url}/artifacts`,
    cancel_url: `${url}/cancel`,
    rerun_url: `${url}/rerun`,
    workflow_url: `${api}/repos/${full}/actions/workflows/161335`,
    head_commit: null,
    repository: minimalRepositoryJson(api, repo),
    head_repository: minimalRepositoryJson(api, repo),
  };
}
