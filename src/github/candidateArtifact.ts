/**
 * The candidate a merged pull request was evaluated on: the PR head commit's successful workflow
 * run, its `candidate-<model>` artifact (what the train action uploads), downloaded and unzipped.
 * publish-model publishes exactly these bytes, never a retrained look-alike.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ModelshipError, messageOf } from '../core/errors.js';
import type { GitHubClient } from './octokit.js';
import { explainRequestError } from './requestError.js';
import { readZip } from '../core/release/zipReader.js';

export interface CandidateArtifact {
  /** The artifact's name, `candidate-<model>`. */
  name: string;
  artifactId: number;
  runId: number;
  runUrl: string;
  /** The extracted ONNX model. */
  model: string;
  /** The training run's manifest.json, when the artifact holds one. */
  manifest?: string;
  /** The training metrics.json, when the artifact holds one. */
  metrics?: string;
}

export interface FindCandidateOptions {
  owner: string;
  repo: string;
  /** The pull request's head commit, the one its evaluate run was about. */
  headSha: string;
  /** The artifact's name (the train action's default is `candidate-<model>`). */
  artifactName: string;
  /** An empty directory the files are extracted into. */
  dest: string;
}

const READ_PERMISSION = '`actions: read` (to find and download the candidate artifact)';

/** The candidate artifact of the newest successful run of `headSha`, extracted; undefined if none. */
export async function downloadCandidateArtifact(
  octokit: GitHubClient,
  options: FindCandidateOptions,
): Promise<CandidateArtifact | undefined> {
  const { owner, repo, headSha, artifactName } = options;
  const call = async <T>(what: string, request: () => Promise<T>): Promise<T> => {
    try {
      return await request();
    } catch (error) {
      throw explainRequestError(error, { call: what, permission: READ_PERMISSION });
    }
  };
  const runs = await call(`GET /repos/${owner}/${repo}/actions/runs?head_sha=${headSha}`, () =>
    octokit.paginate(octokit.rest.actions.listWorkflowRunsForRepo, {
      owner,
      repo,
      head_sha: headSha,
      status: 'success',
      per_page: 100,
    }),
  );
  const successful = runs
    .filter((r) => r.head_sha === headSha && r.conclusion === 'success')
    .sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id - a.id);
  for (const run of successful) {
    const artifacts = await call(
      `GET /repos/${owner}/${repo}/actions/runs/${run.id}/artifacts`,
      () =>
        octokit.paginate(octokit.rest.actions.listWorkflowRunArtifacts, {
          owner,
          repo,
          run_id: run.id,
          name: artifactName,
          per_page: 100,
        }),
    );
    const artifact = artifacts.find((a) => a.name === artifactName && !a.expired);
    if (!artifact) continue;
    // GitHub answers 302 to blob storage; fetch follows it (and drops the token on the way).
    const response = await call(
      `GET /repos/${owner}/${repo}/actions/artifacts/${artifact.id}/zip`,
      () =>
        octokit.rest.actions.downloadArtifact({
          owner,
          repo,
          artifact_id: artifact.id,
          archive_format: 'zip',
        }),
    );
    const zip = toBuffer(response.data);
    const files = extract(zip, options.dest, artifactName);
    return {
      name: artifactName,
      artifactId: artifact.id,
      runId: run.id,
      runUrl: run.html_url,
      ...files,
    };
  }
  return undefined;
}

function toBuffer(data: unknown): Buffer {
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (typeof data === 'string') return Buffer.from(data, 'binary');
  throw new ModelshipError(
    'Downloading the candidate artifact gave no zip archive: re-run the job; if it persists, re-run the pull request workflow to upload the artifact again.',
  );
}

/** Writes the model, manifest.json and metrics.json of the artifact into `dest`. */
function extract(
  zip: Buffer,
  dest: string,
  name: string,
): { model: string; manifest?: string; metrics?: string } {
  let entries: Map<string, Buffer>;
  try {
    entries = readZip(zip);
  } catch (error) {
    throw new ModelshipError(
      `The artifact ${name} is not a readable zip archive (${messageOf(error)}): re-run the pull request workflow to upload it again.`,
    );
  }
  const byBase = (wanted: (base: string) => boolean) =>
    [...entries.keys()]
      .filter((path) => wanted(basename(path)))
      .sort((a, b) => a.length - b.length);
  const models = byBase((base) => base.endsWith('.onnx'));
  if (models.length !== 1) {
    throw new ModelshipError(
      `The artifact ${name} holds ${models.length === 0 ? 'no ONNX model' : `${models.length} ONNX models (${models.join(', ')})`}: publish-model needs exactly one; upload it with the train action.`,
    );
  }
  mkdirSync(dest, { recursive: true });
  const write = (path: string | undefined, as: string): string | undefined => {
    if (path === undefined) return undefined;
    const out = join(dest, as);
    writeFileSync(out, entries.get(path)!);
    return out;
  };
  return {
    model: write(models[0], 'model.onnx')!,
    manifest: write(byBase((b) => b === 'manifest.json')[0], 'manifest.json'),
    metrics: write(byBase((b) => b === 'metrics.json')[0], 'metrics.json'),
  };
}
