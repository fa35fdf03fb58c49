import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@actions/core';
import { evaluate } from '../../core/evaluation/evaluate.js';
import { ModelshipError, messageOf } from '../../core/errors.js';
import {
  BUNDLE_FILES,
  readRunManifest,
  resolvedConfigYaml,
  writeReleaseBundle,
} from '../../core/release/bundle.js';
import { hashFile } from '../../core/files/fileDigest.js';
import { nextVersion, type ReleaseContent } from '../../core/release/versionBump.js';
import { evaluationMarkdown } from '../../core/report/evaluationMarkdown.js';
import { downloadCandidateArtifact } from '../../github/candidateArtifact.js';
import { resolvePullRequest } from '../../github/pullRequest.js';
import { releaseBaseline } from '../../github/releases/baseline.js';
import { publishRelease } from '../../github/releases/publish.js';
import { ModelRegistry } from '../../github/releases/registry.js';
import { createStepOctokit, readRunContext, type RunContext } from '../runContext.js';
import { readPublishInputs, type PublishInputs } from './inputs.js';
import { publishedContent } from './production.js';
import { releaseBody } from './releaseNotes.js';

const SUMMARY_LIMIT = 1_000_000;

interface Outcome {
  tag: string;
  version: string;
  url: string;
  /** published | resumed | unchanged */
  action: string;
  reason: string;
  source: string;
  report?: string;
}

/** publish-model: the merged PR's evaluated candidate as the GitHub release `<name>-v<semver>`. */
export async function run(): Promise<void> {
  const notes: string[] = [];
  let outcome: Outcome | undefined;
  try {
    const inputs = readPublishInputs();
    const context = readRunContext();
    if (!context || !inputs.githubToken) {
      throw new ModelshipError(
        'publish-model writes a GitHub release, so it runs in GitHub Actions with a token: set `github-token` (with `contents: write`).',
      );
    }
    outcome = await publish(inputs, context, notes);
  } finally {
    await writeSummary(outcome, notes);
  }
  core.setOutput('tag', outcome.tag);
  core.setOutput('version', outcome.version);
  core.setOutput('release-url', outcome.url);
  core.info(`${outcome.tag}: ${outcome.action} (${outcome.url}).`);
}

async function publish(
  inputs: PublishInputs,
  context: RunContext,
  notes: string[],
): Promise<Outcome> {
  const { loaded } = inputs;
  const name = loaded.config.model.name;
  const octokit = createStepOctokit(inputs.githubToken, context);
  const repository = { owner: context.owner, repo: context.repo };
  const work = mkdtempSync(join(process.env.RUNNER_TEMP ?? tmpdir(), 'modelship-publish-'));

  // 1. The candidate the merged pull request was evaluated on, else the `model` input.
  const pr = await resolvePullRequest(octokit, { ...context, payload: context.payload });
  const artifact = pr
    ? await downloadCandidateArtifact(octokit, {
        ...repository,
        headSha: pr.headSha,
        artifactName: inputs.artifactName,
        dest: join(work, 'candidate'),
      })
    : undefined;
  let model: string;
  let source: string;
  if (artifact) {
    model = artifact.model;
    source = `artifact \`${artifact.name}\` of [run ${artifact.runId}](${artifact.runUrl}) for PR #${pr!.number} (head ${pr!.headSha.slice(0, 7)})`;
  } else if (inputs.model) {
    const why = pr
      ? `no successful run of PR #${pr.number}'s head ${pr.headSha.slice(0, 7)} has the artifact \`${inputs.artifactName}\``
      : 'this push is not the merge of a pull request';
    notes.push(
      `Published the \`model\` input (${inputs.model}), not an evaluated candidate: ${why}.`,
    );
    model = inputs.model;
    source = `the \`model\` input (${why})`;
  } else {
    throw new ModelshipError(
      pr
        ? `No candidate to publish: no successful workflow run of PR #${pr.number}'s head ${pr.headSha.slice(0, 7)} has the artifact ${inputs.artifactName}, and the model input is not set; upload the candidate with the train action on the pull request, or set model.`
        : `No candidate to publish: this ${context.eventName || 'run'} is not the merge of a pull request, and the model input is not set; run publish-model on a push that merges a pull request, or set model.`,
    );
  }

  // 2. The newest release (what the next version follows, whatever is deployed): the baseline,
  // and the content the version bump compares with.
  const registry = new ModelRegistry({ octokit, ...repository });
  const { release: production } = await registry.resolve({ kind: 'production' }, name, {
    environment: false,
  });
  const productionDir = join(work, 'production');
  mkdirSync(productionDir, { recursive: true });
  // Scored through production's own modelship.yml: the candidate may have changed the features.
  const baseline = production?.assets.some((a) => a.name === BUNDLE_FILES.model)
    ? await releaseBaseline(registry, production, productionDir, `production ${production.tag}`, [
        BUNDLE_FILES.schema,
        BUNDLE_FILES.card,
      ])
    : undefined;
  // The push's commit time, so that a re-run builds the same bundle.
  const now = pushTime(context.payload) ?? new Date();
  const report = await evaluate({
    config: loaded,
    model,
    now,
    baseline: baseline?.baseline ?? null,
  });

  // 3. The version.
  const schemaPath = loaded.config.data.schema ? loaded.resolve(loaded.config.data.schema) : null;
  const candidateContent: ReleaseContent = {
    config: resolvedConfigYaml(loaded.config, loaded.file, report),
    schema: schemaPath ? readFileSync(schemaPath, 'utf8') : null,
    card: '',
    modelSha256: (await hashFile(model)).sha256,
  };
  const productionContent = production
    ? publishedContent(production, baseline?.files ?? new Map<string, string>(), {
        candidate: candidateContent,
        explicit: inputs.version !== undefined,
        modelSha256: baseline?.modelSha256,
      })
    : null;
  // The card is generated (its date and version always differ); what a user edits in it lives in
  // modelship.yml's `card`, which the config comparison sees.
  if (productionContent) candidateContent.card = productionContent.card;
  const next = nextVersion({
    explicit: inputs.version,
    bump: inputs.bump,
    production: productionContent,
    candidate: candidateContent,
  });
  if (next.change === 'none' && production) {
    return {
      tag: production.tag,
      version: next.version,
      url: production.htmlUrl,
      action: 'unchanged',
      reason: next.reason,
      source,
      report: evaluationMarkdown(report, { commit: context.sha }, SUMMARY_LIMIT),
    };
  }

  // 4. The bundle, published as a draft, verified, then released.
  const bundle = await writeReleaseBundle({
    loaded,
    out: join(work, 'bundle'),
    model,
    report,
    trainManifest: artifact?.manifest ? readRunManifest(artifact.manifest) : null,
    version: next.version,
    commit: context.sha || null,
    now,
  });
  const tag = bundle.manifest.tag;
  const card = readFileSync(join(bundle.dir, BUNDLE_FILES.card), 'utf8');
  const result = await publishRelease(octokit, {
    ...repository,
    tag,
    name: `${name} ${next.version}`,
    body: releaseBody({
      card,
      report,
      reason: next.reason,
      source,
      commit: context.sha,
      runUrl: context.runUrl,
    }),
    assets: [...bundle.files.map((f) => f.name), BUNDLE_FILES.sums].map((file) => ({
      path: join(bundle.dir, file),
    })),
    targetCommitish: context.sha || undefined,
  });
  return {
    tag,
    version: next.version,
    url: result.url,
    action: result.action,
    reason: next.reason,
    source,
    report: evaluationMarkdown(report, { commit: context.sha }, SUMMARY_LIMIT),
  };
}

/** `head_commit.timestamp` of a push event. */
function pushTime(payload: unknown): Date | undefined {
  const commit = (payload as { head_commit?: { timestamp?: unknown } } | null)?.head_commit;
  const time = typeof commit?.timestamp === 'string' ? new Date(commit.timestamp) : undefined;
  return time && !Number.isNaN(time.getTime()) ? time : undefined;
}

const ACTIONS: Record<string, string> = {
  published: 'Published',
  resumed: 'Published (an earlier run’s draft, completed)',
  unchanged: 'Already published: nothing changed',
};

async function writeSummary(outcome: Outcome | undefined, notes: string[]): Promise<void> {
  const warnings = notes.map((n) => `> [!WARNING]\n> ${n}\n\n`).join('');
  let text: string;
  if (!outcome) {
    text = `${warnings}## Modelship · publish-model\n\n❌ Nothing was published; the step's error says why.\n`;
  } else {
    const rows = [
      ['Release', `[${outcome.tag}](${outcome.url})`],
      ['Result', ACTIONS[outcome.action] ?? outcome.action],
      ['Version', `${outcome.version}: ${outcome.reason}`],
      ['Candidate', outcome.source],
    ];
    const table = [
      '| | |',
      '|---|---|',
      ...rows.map(([k, v]) => `| ${k} | ${v!.replace(/\|/g, '\\|')} |`),
    ];
    text = `${warnings}## Modelship · publish-model \`${outcome.tag}\`\n\n${table.join('\n')}\n\n${outcome.report ?? ''}`;
  }
  try {
    await core.summary.addRaw(text.slice(0, SUMMARY_LIMIT)).write();
  } catch (error) {
    core.warning(`The job summary could not be written: ${messageOf(error)}`);
  }
}
