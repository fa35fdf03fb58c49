/**
 * The aggregate commit status `modelship/gate`: the one check branch protection requires in a
 * repository with several models. Each writer recomputes it from the per-model gate statuses on
 * the commit, so jobs finishing in any order, and re-runs, converge on the same status.
 */
import {
  aggregateVerdict,
  type AggregateVerdict,
  type GateState,
} from '../core/workspace/aggregateGate.js';
import { gateStatusContext, setCommitStatus } from './commitStatus.js';
import type { GitHubClient } from './octokit.js';
import { explainRequestError, type SkippedWrite } from './requestError.js';

export const AGGREGATE_STATUS_CONTEXT = 'modelship/gate';

export interface AggregateStatusOptions {
  owner: string;
  repo: string;
  sha: string;
  /** The models the change affects. */
  models: string[];
  /** The run is over: a model without a gate status fails the aggregate instead of pending. */
  final?: boolean;
  targetUrl?: string;
}

export type AggregateStatusResult = (AggregateVerdict & { skipped: false }) | SkippedWrite;

/**
 * A writer whose view was overtaken (another model's gate landed between its read and its
 * write) sees its status change on the next read and writes again; a few rounds settle it.
 */
const ROUNDS = 3;

/** Sets `modelship/gate` on `sha` from the gate statuses of `models` found there. */
export async function updateAggregateStatus(
  octokit: GitHubClient,
  options: AggregateStatusOptions,
): Promise<AggregateStatusResult> {
  const { owner, repo, sha } = options;
  let verdict: AggregateVerdict | undefined;
  for (let round = 0; round < ROUNDS; round++) {
    const gates = await modelGates(octokit, owner, repo, sha, options.models);
    verdict = aggregateVerdict(options.models, gates, options.final);
    const written = await setCommitStatus(octokit, {
      owner,
      repo,
      sha,
      context: AGGREGATE_STATUS_CONTEXT,
      state: verdict.state,
      description: verdict.description,
      targetUrl: options.targetUrl,
      // Whichever job wrote it last links its run; the state and description are what count.
      keepTargetUrl: true,
    });
    if (written.skipped) return written;
    if (written.action === 'unchanged') break;
  }
  return { skipped: false, ...verdict! };
}

/** The latest gate state of each of `models` on `sha` (the combined status: one per context). */
async function modelGates(
  octokit: GitHubClient,
  owner: string,
  repo: string,
  sha: string,
  models: string[],
): Promise<Map<string, GateState>> {
  const wanted = new Map(models.map((m) => [gateStatusContext(m), m]));
  const gates = new Map<string, GateState>();
  try {
    // Paged by hand: the combined status is an object, which Octokit's paginate does not unwrap.
    const statuses = [];
    for (let page = 1; ; page++) {
      const { data } = await octokit.rest.repos.getCombinedStatusForRef({
        owner,
        repo,
        ref: sha,
        per_page: 100,
        page,
      });
      statuses.push(...data.statuses);
      if (data.statuses.length < 100 || statuses.length >= data.total_count) break;
    }
    for (const status of statuses) {
      const model = wanted.get(status.context);
      if (model) gates.set(model, status.state as GateState);
    }
  } catch (error) {
    throw explainRequestError(error, {
      call: `GET /repos/${owner}/${repo}/commits/${sha}/status`,
      permission: '`statuses: read`',
    });
  }
  return gates;
}
