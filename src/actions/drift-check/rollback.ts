/**
 * Where a degraded production goes back to. The previous good version is the newest earlier
 * deployment of the environment whose version was never rolled back (its latest status `success`,
 * or `inactive` without a `rolled back` description); with no deployments, the newest published
 * release below the degraded one. Automatic rollback goes one step only: it is held when the
 * degraded version is not what the environment runs (a rollback already happened) or is itself
 * the target of an earlier rollback, so a re-run or a second degraded check never deploys twice.
 */
import type { RollbackMode } from '../../core/config/rollbackConfig.js';
import type { Degradation } from '../../core/drift/index.js';
import { listDeployments, type DeploymentRecord } from '../../github/deployments.js';
import { compareVersions, versionOfModel } from '../../core/release/modelVersion.js';
import { ModelRegistry } from '../../github/releases/registry.js';
import type { GitHubClient } from '../../github/octokit.js';

/** What drift-check does about a degraded production. */
export interface RollbackPlan {
  mode: RollbackMode;
  /** The degraded version: the release the check judged. */
  from: string;
  /** The previous good version, when there is one. */
  to?: string;
  /** Why production degraded, in a few words: `performance degraded` or `extreme outputs`. */
  reason: string;
  /** Deploy `to` now (mode auto, nothing held). */
  deploy: boolean;
  /** Why nothing is deployed automatically, or why there is no target. */
  held?: string;
  /** The workflow dispatch that rolls back by hand. */
  command?: string;
}

export interface RollbackRequest {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  model: string;
  environment: string;
  mode: RollbackMode;
  /** The release tag the check judged (production's). */
  judged: string;
  degradation: Degradation;
  /** GITHUB_WORKFLOW_REF: the calling workflow, whose dispatch rolls back by hand. */
  workflowRef: string | undefined;
}

/** `rolled back to <tag>: <reason>`: the status description that retires a version. */
export const ROLLED_BACK = 'rolled back';

const rolledBack = (d: DeploymentRecord) =>
  d.state === 'inactive' && (d.description ?? '').startsWith(ROLLED_BACK);

/** The short reason: performance first, as the issue says it. */
export function degradationReason(degradation: Degradation): string {
  const performance = degradation.checks.some((c) => !c.passed && c.kind !== 'extreme');
  return performance ? 'performance degraded' : 'extreme outputs';
}

/** The plan for a degraded check; undefined when production did not degrade. */
export async function planRollback(request: RollbackRequest): Promise<RollbackPlan | undefined> {
  const { degradation, mode, judged } = request;
  if (!degradation.degraded) return undefined;
  const reason = degradationReason(degradation);
  const base = { mode, from: judged, reason, deploy: false };
  if (mode === 'off') return base;
  const found = await previousGood(request);
  if (!found.to) return { ...base, held: found.held! };
  const command = dispatchCommand(request, found.to);
  if (found.held) return { ...base, to: found.to, held: found.held, command };
  return { ...base, to: found.to, deploy: mode === 'auto', command };
}

async function previousGood(request: RollbackRequest): Promise<{ to?: string; held?: string }> {
  const { octokit, owner, repo, model, environment, judged } = request;
  const ofModel = (await listDeployments(octokit, { owner, repo }, environment)).filter((d) =>
    versionOfModel(d.ref, model),
  );
  const retired = new Set(ofModel.filter(rolledBack).map((d) => d.ref));
  const live = ofModel.find((d) => d.state === 'success');
  if (live && live.ref !== judged)
    return {
      held: `${environment} runs ${live.ref}, not ${judged}: a rollback already happened, or ${judged} was never deployed there.`,
    };
  const older = live ? ofModel.slice(ofModel.indexOf(live) + 1) : [];
  const to =
    older.find(
      (d) =>
        d.ref !== judged &&
        !retired.has(d.ref) &&
        (d.state === 'success' || d.state === 'inactive'),
    )?.ref ?? (await earlierRelease(request, retired));
  const rollbackOf = ofModel.find((d) =>
    (d.description ?? '').startsWith(`${ROLLED_BACK} to ${judged}`),
  );
  if (rollbackOf)
    return {
      ...(to ? { to } : {}),
      held: `${judged} is itself a rollback (from ${rollbackOf.ref}); Modelship rolls back one step only, so choose the version by hand.`,
    };
  return to ? { to } : { held: `${model} has no earlier good version to roll back to.` };
}

/** With no deployment to go back to: the newest published release below the degraded one. */
async function earlierRelease(
  { octokit, owner, repo, model, judged }: RollbackRequest,
  retired: ReadonlySet<string>,
): Promise<string | undefined> {
  const current = versionOfModel(judged, model);
  if (!current) return undefined;
  const releases = await new ModelRegistry({ octokit, owner, repo }).list(model);
  return releases.find(
    (r) => !r.draft && !r.prerelease && !retired.has(r.tag) && compareVersions(r, current) < 0,
  )?.tag;
}

/** `gh workflow run drift.yml --repo o/r -f rollback-to=<tag>`: the calling workflow, by file name. */
function dispatchCommand(request: RollbackRequest, tag: string): string {
  const file = /\/\.github\/workflows\/([^@/]+)@/.exec(request.workflowRef ?? '')?.[1];
  const workflow = file ?? '<drift workflow file>';
  return `gh workflow run ${workflow} --repo ${request.owner}/${request.repo} -f rollback-to=${tag}`;
}
