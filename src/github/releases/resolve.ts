/**
 * Which release a query names. A tag or version is that release. `production` is what the
 * model's environment runs: the newest deployment of the model there whose latest status is
 * `success`; with no such deployment, the newest non-draft, non-prerelease release, leaving out
 * versions whose deployment was marked rolled back (an `inactive` status whose description starts
 * `rolled back`). deploy and publish-model pass `environment: false`: they build on the newest
 * release, whatever runs.
 */
import { ModelshipError } from '../../core/errors.js';
import { tagOfQuery, versionOfModel, type ReleaseQuery } from '../../core/release/modelVersion.js';
import { listDeployments, type DeploymentRecord } from '../deployments.js';
import { GitHubPermissionError } from '../requestError.js';
import type { ModelRelease, ReleaseRepository } from './apiRelease.js';

/** What resolving reads of the registry (registry.ts's ModelRegistry). */
export interface ReleaseLookup {
  readonly repository: ReleaseRepository;
  /** `owner/repo`. */
  readonly name: string;
  byTag(tag: string): Promise<ModelRelease | undefined>;
  newest(model: string, skip: ReadonlySet<string>): Promise<ModelRelease | undefined>;
}

export interface ResolveOptions {
  /**
   * The environment whose deployments say what production is (default `production`, as deploy
   * records them); `false`: production is the newest release, whatever is deployed.
   */
  environment?: string | false;
}

export interface Resolution {
  /** Undefined when there is none: no such tag, or no release of the model yet. */
  release: ModelRelease | undefined;
  /** How the release was found, or why there is none: one phrase, e.g. for a log line. */
  reason: string;
  /** Said when production could not be read as asked (the token cannot read deployments). */
  warning?: string;
}

const ROLLED_BACK = /^rolled back/i;

/** See the module comment. */
export async function resolveRelease(
  registry: ReleaseLookup,
  query: ReleaseQuery,
  model: string,
  options: ResolveOptions,
): Promise<Resolution> {
  const where = registry.name;
  if (query.kind !== 'production') {
    const tag = tagOfQuery(query, model)!;
    const release = await registry.byTag(tag);
    return release
      ? { release, reason: `the release ${tag}` }
      : { release: undefined, reason: `${where} has no published release ${tag}` };
  }
  const environment = options.environment ?? 'production';
  let deployments: DeploymentRecord[] = [];
  let warning: string | undefined;
  if (environment !== false) {
    try {
      deployments = await listDeployments(
        registry.repository.octokit,
        registry.repository,
        environment,
        {
          where: (ref) => versionOfModel(ref, model) !== undefined,
          until: (record) => record.state === 'success',
        },
      );
    } catch (error) {
      if (!(error instanceof GitHubPermissionError)) throw error;
      warning = `the token cannot read the deployments of ${where} (grant \`deployments: read\`), so production is taken as the newest release of ${model}, even if another version runs in ${environment}`;
    }
  }
  const current = deployments.find((d) => d.state === 'success');
  if (current && environment !== false) {
    const release = await registry.byTag(current.ref);
    if (!release) {
      throw new ModelshipError(
        `${model}'s production is ${current.ref} (deployment ${current.id} to ${environment}), but ${where} has no release with that tag: publish it again, or deploy another version.`,
      );
    }
    return { release, reason: `deployed to ${environment} (deployment ${current.id})` };
  }
  const rolledBack = new Set(
    deployments
      .filter((d) => d.state === 'inactive' && ROLLED_BACK.test(d.description ?? ''))
      .map((d) => d.ref),
  );
  const release = await registry.newest(model, rolledBack);
  const why =
    environment === false || warning
      ? 'the newest release'
      : `the newest release (no deployment of ${model} to ${environment} is live)`;
  return {
    release,
    reason: release ? why : `${where} has no published release of ${model}`,
    ...(warning ? { warning } : {}),
  };
}
