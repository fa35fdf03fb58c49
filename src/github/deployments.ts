/**
 * GitHub Deployments for the deploy action: one deployment per (release tag, environment, image
 * digest), recorded with a `success` status only after the smoke test passed. A re-run finds the
 * deployment it made instead of adding another; a rollback (an older version deployed again after
 * a newer one) gets a new deployment, so that it becomes the environment's latest.
 */
import type { GitHubClient } from './octokit.js';
import { explainRequestError } from './requestError.js';

const WRITE = '`deployments: write`';
const READ = '`deployments: read` (or `contents: read`)';

export interface DeploymentPayload {
  image: string;
  digest: string;
  version: string;
  model: string;
  /** The load test's figures before the environment moved (deploy's loadTestPayload). */
  load_test?: Record<string, unknown>;
}

export interface DeploymentRecord {
  id: number;
  ref: string;
  environment: string;
  payload: Partial<DeploymentPayload>;
  /** The newest status's state, or undefined before the first status. */
  state: string | undefined;
  /** The newest status's description, when it has one. */
  description?: string;
}

export interface DeploymentTarget {
  owner: string;
  repo: string;
}

/**
 * The environment's deployments (the newest `limit`, or all), newest first, with their latest
 * status. `where` keeps only deployments of matching refs, and `until` stops after the first record
 * it accepts; statuses are read only for what is kept, one call per deployment.
 */
export async function listDeployments(
  octokit: GitHubClient,
  target: DeploymentTarget,
  environment: string,
  options: {
    ref?: string;
    limit?: number;
    where?: (ref: string) => boolean;
    until?: (record: DeploymentRecord) => boolean;
  } = {},
): Promise<DeploymentRecord[]> {
  const { owner, repo } = target;
  const request = {
    owner,
    repo,
    environment,
    ...(options.ref ? { ref: options.ref } : {}),
  };
  let deployments;
  try {
    // The newest few need one page; everything needs them all.
    deployments = options.limit
      ? (
          await octokit.rest.repos.listDeployments({
            ...request,
            per_page: Math.min(options.limit, 100),
          })
        ).data
      : await octokit.paginate(octokit.rest.repos.listDeployments, { ...request, per_page: 100 });
  } catch (error) {
    throw explainRequestError(error, {
      call: `GET /repos/${owner}/${repo}/deployments`,
      permission: READ,
    });
  }
  const records: DeploymentRecord[] = [];
  for (const d of deployments.slice(0, options.limit)) {
    if (options.where && !options.where(d.ref)) continue;
    const id = Number(d.id);
    records.push({
      id,
      ref: d.ref,
      environment: d.environment,
      payload: (typeof d.payload === 'object' && d.payload
        ? d.payload
        : {}) as Partial<DeploymentPayload>,
      ...(await latestStatus(octokit, target, id)),
    });
    if (options.until?.(records.at(-1)!)) break;
  }
  return records;
}

async function latestStatus(
  octokit: GitHubClient,
  { owner, repo }: DeploymentTarget,
  id: number,
): Promise<Pick<DeploymentRecord, 'state' | 'description'>> {
  try {
    const { data } = await octokit.rest.repos.listDeploymentStatuses({
      owner,
      repo,
      deployment_id: id,
      per_page: 1,
    });
    const latest = data[0];
    return {
      state: latest?.state,
      ...(latest?.description ? { description: latest.description } : {}),
    };
  } catch (error) {
    throw explainRequestError(error, {
      call: `GET /repos/${owner}/${repo}/deployments/${id}/statuses`,
      permission: READ,
    });
  }
}

/**
 * The deployment a re-run of this deploy should reuse: the environment's newest deployment, when
 * it is of the same ref and digest. An older match is not reused: deploying it again is a
 * rollback, which needs a new, newest deployment.
 */
export function reusableDeployment(
  newestFirst: readonly DeploymentRecord[],
  ref: string,
  digest: string,
): DeploymentRecord | undefined {
  const newest = newestFirst[0];
  return newest && newest.ref === ref && newest.payload.digest === digest ? newest : undefined;
}

/** Creates a deployment that skips commit-status checks and merges nothing. */
export async function createDeployment(
  octokit: GitHubClient,
  { owner, repo }: DeploymentTarget,
  input: { ref: string; environment: string; description: string; payload: DeploymentPayload },
): Promise<number> {
  try {
    const { data, status } = await octokit.rest.repos.createDeployment({
      owner,
      repo,
      ref: input.ref,
      environment: input.environment,
      description: input.description.slice(0, 140),
      payload: { ...input.payload },
      // The gate already ran on the pull request; the release tag is what is deployed.
      required_contexts: [],
      auto_merge: false,
      production_environment: input.environment === 'production',
      transient_environment: false,
    });
    if (status !== 201 || !('id' in data))
      throw new Error(`GitHub answered ${status} without a deployment`);
    return Number(data.id);
  } catch (error) {
    throw explainRequestError(error, {
      call: `POST /repos/${owner}/${repo}/deployments`,
      permission: WRITE,
    });
  }
}

/** Adds a status to a deployment. */
export async function setDeploymentStatus(
  octokit: GitHubClient,
  { owner, repo }: DeploymentTarget,
  id: number,
  input: {
    state: 'success' | 'failure' | 'in_progress' | 'error' | 'inactive';
    description: string;
    environmentUrl?: string;
    logUrl?: string;
  },
): Promise<void> {
  try {
    await octokit.rest.repos.createDeploymentStatus({
      owner,
      repo,
      deployment_id: id,
      state: input.state,
      description: input.description.slice(0, 140),
      ...(input.environmentUrl ? { environment_url: input.environmentUrl } : {}),
      ...(input.logUrl ? { log_url: input.logUrl } : {}),
    });
  } catch (error) {
    throw explainRequestError(error, {
      call: `POST /repos/${owner}/${repo}/deployments/${id}/statuses`,
      permission: WRITE,
    });
  }
}

/**
 * After deployment `live` of `tag` succeeded: the deployment it replaced (the model's newest other
 * one that had gone live), when that one's version is newer, is marked rolled back: an `inactive`
 * status described `rolled back to <tag>` (and why), which the production resolver skips, so that
 * "production" no longer names it. Deploying an older version is the rollback, automatic or by
 * hand; a replaced deployment already marked is left as it is, so a re-run marks nothing twice.
 */
export async function retireReplaced(
  octokit: GitHubClient,
  target: DeploymentTarget,
  environment: string,
  live: { id: number; tag: string },
  options: {
    ofModel(ref: string): boolean;
    newer(ref: string): boolean;
    reason?: string;
    /** The run that rolled back, and where the model answers. */
    urls?: { logUrl?: string; environmentUrl?: string };
  },
): Promise<{ ref: string; description: string } | undefined> {
  // The replaced deployment is the one before the new one: a page of the newest is plenty.
  const newestFirst = await listDeployments(octokit, target, environment, { limit: 10 });
  const replaced = newestFirst.find(
    (d) =>
      d.id !== live.id &&
      d.ref !== live.tag &&
      options.ofModel(d.ref) &&
      (d.state === 'success' || d.state === 'inactive'),
  );
  if (!replaced || !options.newer(replaced.ref)) return undefined;
  if (replaced.state === 'inactive' && (replaced.description ?? '').startsWith('rolled back'))
    return undefined;
  const description =
    `rolled back to ${live.tag}${options.reason ? `: ${options.reason}` : ''}`.slice(0, 140);
  await setDeploymentStatus(octokit, target, replaced.id, {
    state: 'inactive',
    description,
    ...options.urls,
  });
  return { ref: replaced.ref, description };
}
