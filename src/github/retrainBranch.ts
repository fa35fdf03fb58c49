/**
 * Commits one file to a branch Modelship owns through the Git Data API (blob, tree, commit, ref),
 * so no git CLI, checkout or credentials on disk are needed.
 *
 * Whose branch it is decides how it moves. A branch whose head is Modelship's own single commit
 * on top of the default branch (its message records the base it was built on) is rebuilt on the
 * default branch's current head and force-updated: the PR always shows one fresh commit. A branch
 * someone has pushed to gets the new commit on top instead, fast-forward, so their work stays.
 */
import type { GitHubClient } from './octokit.js';
import { explainRequestError, httpStatusOf, type CallDescription } from './requestError.js';

export interface BranchFile {
  owner: string;
  repo: string;
  branch: string;
  path: string;
  content: string;
  /** The commit message's subject line. */
  subject: string;
  /** Names the workflow run writing: a re-run of it leaves the branch where that run put it. */
  runKey?: string;
}

export interface BranchCommit {
  /** The default branch, which the pull request targets. */
  base: string;
  sha: string;
  /**
   * created: new branch; rebuilt: force-updated onto the default branch; appended: on top of
   * others' commits; unchanged: a re-run of the run whose commit is the head.
   */
  action: 'created' | 'rebuilt' | 'appended' | 'unchanged';
}

/** Trailers in Modelship's commit message: who wrote it, and the default-branch commit under it. */
const OWNER_TRAILER = 'Modelship-Branch:';
const BASE_TRAILER = 'Modelship-Base:';
const RUN_TRAILER = 'Modelship-Run:';

const WRITE = '`contents: write`';

/** Writes `path` on `branch` in a new commit; creates the branch from the default branch if needed. */
export async function commitFileToBranch(
  octokit: GitHubClient,
  file: BranchFile,
): Promise<BranchCommit> {
  const { owner, repo, branch } = file;
  const api = `/repos/${owner}/${repo}`;
  const call = <T>(description: CallDescription, request: () => Promise<T>) =>
    request().catch((error: unknown) => {
      throw explainRequestError(error, description);
    });
  const read = (path: string): CallDescription => ({
    call: `GET ${api}${path}`,
    permission: '`contents: read`',
  });

  const base = (await call(read(''), () => octokit.rest.repos.get({ owner, repo }))).data
    .default_branch;
  const baseSha = (
    await call(read(`/git/ref/heads/${base}`), () =>
      octokit.rest.git.getRef({ owner, repo, ref: `heads/${base}` }),
    )
  ).data.object.sha;
  const headSha = await call(read(`/git/ref/heads/${branch}`), async () => {
    try {
      return (await octokit.rest.git.getRef({ owner, repo, ref: `heads/${branch}` })).data.object
        .sha;
    } catch (error) {
      if (httpStatusOf(error) === 404) return undefined;
      throw error;
    }
  });
  const getCommit = (sha: string) =>
    call(read(`/git/commits/${sha}`), () =>
      octokit.rest.git.getCommit({ owner, repo, commit_sha: sha }),
    ).then((r) => r.data);

  let parent = baseSha;
  let action: BranchCommit['action'] = 'created';
  if (headSha !== undefined) {
    const head = await getCommit(headSha);
    // Re-running a workflow run must not move the PR's head (and re-trigger its checks).
    if (file.runKey && head.message.includes(`${RUN_TRAILER} ${file.runKey}`))
      return { base, sha: headSha, action: 'unchanged' };
    const ours = head.message.includes(`${OWNER_TRAILER} ${branch}`);
    const builtOn = new RegExp(`^${BASE_TRAILER} (\\w+)$`, 'm').exec(head.message)?.[1];
    const onlyOurs = ours && head.parents.length === 1 && head.parents[0]?.sha === builtOn;
    action = onlyOurs ? 'rebuilt' : 'appended';
    if (!onlyOurs) parent = headSha;
  }
  const parentTree = (await getCommit(parent)).tree.sha;

  const write = (path: string, method = 'POST'): CallDescription => ({
    call: `${method} ${api}${path}`,
    permission: WRITE,
  });
  const blob = await call(write('/git/blobs'), () =>
    octokit.rest.git.createBlob({ owner, repo, content: file.content, encoding: 'utf-8' }),
  );
  const tree = await call(write('/git/trees'), () =>
    octokit.rest.git.createTree({
      owner,
      repo,
      base_tree: parentTree,
      tree: [{ path: file.path, mode: '100644', type: 'blob', sha: blob.data.sha }],
    }),
  );
  const trailers = [`${OWNER_TRAILER} ${branch}`];
  if (file.runKey) trailers.push(`${RUN_TRAILER} ${file.runKey}`);
  // Only a commit straight on the default branch may be rebuilt later.
  if (parent === baseSha) trailers.push(`${BASE_TRAILER} ${baseSha}`);
  const commit = await call(write('/git/commits'), () =>
    octokit.rest.git.createCommit({
      owner,
      repo,
      message: `${file.subject}\n\n${trailers.join('\n')}`,
      tree: tree.data.sha,
      parents: [parent],
    }),
  );
  const sha = commit.data.sha;
  if (headSha === undefined) {
    await call(write('/git/refs'), () =>
      octokit.rest.git.createRef({ owner, repo, ref: `refs/heads/${branch}`, sha }),
    );
  } else {
    await call(write(`/git/refs/heads/${branch}`, 'PATCH'), () =>
      octokit.rest.git.updateRef({
        owner,
        repo,
        ref: `heads/${branch}`,
        sha,
        force: action === 'rebuilt',
      }),
    );
  }
  return { base, sha, action };
}
