/**
 * GitHub Deployments in the fake: deployments and their statuses per repository, kept beside the
 * repository's state (a WeakMap keyed by it) and served by the four operations the deploy action
 * calls. Listing is newest first, as on GitHub; writes need a token that may write (a fork's
 * read-only token gets GitHub's 403).
 */
import { createHash } from 'node:crypto';
import { userJson, type FakeRepo, type FakeUser } from './fakeEntities.js';
import {
  list,
  need,
  noIntegrationAccess,
  notFound,
  tooLong,
  type FakeRequest,
  type Handler,
} from './fakeHttp.js';
import type { RepoState } from './fakeState.js';

export interface FakeDeploymentStatus {
  id: number;
  state: string;
  description: string;
  environment: string;
  environmentUrl: string;
  logUrl: string;
  creator: FakeUser;
  createdAt: string;
}

export interface FakeDeployment {
  id: number;
  ref: string;
  sha: string;
  task: string;
  environment: string;
  description: string | null;
  payload: unknown;
  transient: boolean;
  production: boolean;
  creator: FakeUser;
  createdAt: string;
  /** Oldest first. */
  statuses: FakeDeploymentStatus[];
}

const deployments = new WeakMap<RepoState, FakeDeployment[]>();

/** The repository's deployments, oldest first (for assertions). */
export function deploymentsOf(state: RepoState | undefined): FakeDeployment[] {
  if (!state) throw new Error('fake: unknown repository');
  let list = deployments.get(state);
  if (!list) deployments.set(state, (list = []));
  return list;
}

function requireWrite(request: FakeRequest): void {
  // `deployments: write`; the fake's read-only (fork) token has no write at all.
  if (request.grant.writes.size === 0) throw noIntegrationAccess();
}

function deploymentJson(api: string, repo: FakeRepo, d: FakeDeployment) {
  const url = `${api}/repos/${repo.owner.login}/${repo.name}/deployments/${d.id}`;
  return {
    url,
    id: d.id,
    node_id: Buffer.from(`Deployment:${d.id}`).toString('base64'),
    sha: d.sha,
    ref: d.ref,
    task: d.task,
    payload: d.payload,
    original_environment: d.environment,
    environment: d.environment,
    description: d.description,
    creator: userJson(api, d.creator),
    created_at: d.createdAt,
    updated_at: d.statuses.at(-1)?.createdAt ?? d.createdAt,
    statuses_url: `${url}/statuses`,
    repository_url: `${api}/repos/${repo.owner.login}/${repo.name}`,
    transient_environment: d.transient,
    production_environment: d.production,
  };
}

function statusJson(api: string, repo: FakeRepo, d: FakeDeployment, s: FakeDeploymentStatus) {
  const deploymentUrl = `${api}/repos/${repo.owner.login}/${repo.name}/deployments/${d.id}`;
  return {
    url: `${deploymentUrl}/statuses/${s.id}`,
    id: s.id,
    node_id: Buffer.from(`DeploymentStatus:${s.id}`).toString('base64'),
    state: s.state,
    creator: userJson(api, s.creator),
    description: s.description,
    environment: s.environment,
    target_url: s.logUrl,
    created_at: s.createdAt,
    updated_at: s.createdAt,
    deployment_url: deploymentUrl,
    repository_url: `${api}/repos/${repo.owner.login}/${repo.name}`,
    environment_url: s.environmentUrl,
    log_url: s.logUrl,
  };
}

function deploymentOf(state: RepoState, request: FakeRequest): FakeDeployment {
  const found = deploymentsOf(state).find((d) => d.id === Number(request.params.deployment_id));
  if (!found) throw notFound();
  return found;
}

export const deploymentRoutes: Record<string, Handler> = {
  'repos/list-deployments': (_fake, repo, request) => {
    const state = need(repo);
    const { sha, ref, task, environment } = request.params;
    const found = deploymentsOf(state)
      .filter((d) => sha === undefined || d.sha === sha)
      .filter((d) => ref === undefined || d.ref === ref)
      .filter((d) => task === undefined || d.task === task)
      .filter((d) => environment === undefined || d.environment === environment)
      .reverse();
    return list(request, found, (d) => deploymentJson(request.api, state.repo, d));
  },

  'repos/create-deployment': (fake, repo, request) => {
    const state = need(repo);
    requireWrite(request);
    const body = request.body as Record<string, unknown>;
    const ref = String(body.ref);
    const environment = typeof body.environment === 'string' ? body.environment : 'production';
    const deployment: FakeDeployment = {
      id: fake.nextId(),
      ref,
      // The commit the ref names; the fake has no git, so a stable stand-in.
      sha: /^[0-9a-f]{40}$/.test(ref) ? ref : createHash('sha1').update(ref).digest('hex'),
      task: typeof body.task === 'string' ? body.task : 'deploy',
      environment,
      description: typeof body.description === 'string' ? body.description : '',
      payload:
        typeof body.payload === 'string'
          ? body.payload
            ? (JSON.parse(body.payload) as unknown)
            : {}
          : (body.payload ?? {}),
      transient: body.transient_environment === true,
      production:
        typeof body.production_environment === 'boolean'
          ? body.production_environment
          : environment === 'production',
      creator: request.grant.user,
      createdAt: fake.now(),
      statuses: [],
    };
    deploymentsOf(state).push(deployment);
    return { status: 201, body: deploymentJson(request.api, state.repo, deployment) };
  },

  'repos/list-deployment-statuses': (_fake, repo, request) => {
    const state = need(repo);
    const deployment = deploymentOf(state, request);
    return list(request, [...deployment.statuses].reverse(), (s) =>
      statusJson(request.api, state.repo, deployment, s),
    );
  },

  'repos/create-deployment-status': (fake, repo, request) => {
    const state = need(repo);
    const deployment = deploymentOf(state, request);
    requireWrite(request);
    const body = request.body as Record<string, unknown>;
    const description = typeof body.description === 'string' ? body.description : '';
    if (description.length > 140) throw tooLong('DeploymentStatus', 'description', 140);
    const logUrl = String(body.log_url ?? body.target_url ?? '');
    const status: FakeDeploymentStatus = {
      id: fake.nextId(),
      state: String(body.state),
      description,
      environment: typeof body.environment === 'string' ? body.environment : deployment.environment,
      environmentUrl: typeof body.environment_url === 'string' ? body.environment_url : '',
      logUrl,
      creator: request.grant.user,
      createdAt: fake.now(),
    };
    deployment.statuses.push(status);
    return { status: 201, body: statusJson(request.api, state.repo, deployment, status) };
  },
};
