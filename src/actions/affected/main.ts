import * as core from '@actions/core';
import { ModelshipError } from '../../core/errors.js';
import { affectedModels, type AffectedResult } from '../../core/workspace/affected.js';
import { discoverWorkspace } from '../../core/workspace/discovery.js';
import { resolvePullRequest } from '../../github/pullRequest.js';
import { publishAggregateGate } from '../aggregateGate.js';
import {
  createStepOctokit,
  readOnlyForkRun,
  readRunContext,
  type RunContext,
} from '../runContext.js';
import { readAffectedInputs } from './inputs.js';

interface Listed {
  name: string;
  config: string;
  directory: string;
  reasons: string[];
}

/**
 * affected: the models a change affects, as outputs a workflow's matrix runs over; with status,
 * the aggregate status `modelship/gate` (pending for them, success when none is affected); with
 * conclude, the final aggregate after their jobs.
 */
export async function run(): Promise<void> {
  const inputs = readAffectedInputs();
  const { all, conclude, models: given } = inputs;
  const context = readRunContext();

  let listed: Listed[];
  let headline: string;
  if (given) {
    listed = given.map((name) => ({ name, config: '', directory: '', reasons: [] }));
    headline = `${given.length} affected models, as given: ${given.join(', ') || 'none'}`;
  } else if (all) {
    listed = discoverWorkspace(inputs.workingDirectory).models.map((m) => ({
      ...m,
      reasons: ['every model'],
    }));
    headline = `Every model: ${listed.length}`;
  } else {
    const base = inputs.base ?? eventBase(context);
    const result = affectedModels(inputs.workingDirectory, base, inputs.head);
    listed = result.affected;
    headline = describe(result);
  }

  const notes: string[] = [];
  if ((inputs.status || conclude) && context && inputs.githubToken) {
    const octokit = createStepOctokit(inputs.githubToken, context);
    const pr = await resolvePullRequest(octokit, { ...context });
    if (readOnlyForkRun(context, pr))
      notes.push(
        'This pull request comes from a fork, whose token is read-only: the aggregate status modelship/gate was not set.',
      );
    else
      notes.push(
        ...(await publishAggregateGate(octokit, context, {
          sha: pr?.headSha ?? context.sha,
          models: listed.map((m) => m.name),
          final: conclude,
        })),
      );
  }

  const rows = listed.map(
    (m) => `| ${m.name} | ${m.config ? `\`${m.config}\`` : ''} | ${m.reasons.join('; ')} |`,
  );
  await core.summary
    .addRaw(
      [
        ...notes.map((n) => `> [!WARNING]\n> ${n}\n`),
        `### ${headline}`,
        '',
        ...(rows.length ? ['| model | config | why |', '|---|---|---|', ...rows] : []),
        '',
      ].join('\n'),
    )
    .write();
  core.info(headline);
  core.setOutput('models', JSON.stringify(listed.map((m) => m.name)));
  core.setOutput(
    'matrix',
    JSON.stringify(listed.map(({ name, config, directory }) => ({ name, config, directory }))),
  );
  core.setOutput('any', String(listed.length > 0));
  core.setOutput('count', String(listed.length));
}

function describe(result: AffectedResult): string {
  const total = result.affected.length + result.unaffected.length;
  if (result.everything) return `Every model is affected (${total}): ${result.everything}`;
  return `${result.affected.length} of ${total} models affected`;
}

/** The commit the event's change starts from: the pull request's or merge group's base, a push's before. */
function eventBase(context: RunContext | undefined): string {
  const payload = (context?.payload ?? {}) as {
    pull_request?: { base?: { sha?: string } };
    merge_group?: { base_sha?: string };
    before?: string;
  };
  const base =
    payload.pull_request?.base?.sha ?? payload.merge_group?.base_sha ?? payload.before ?? '';
  if (base === '')
    throw new ModelshipError(
      `affected needs the commit the change starts from, and a ${context?.eventName || 'local'} run has none: set the base input, or all: true to list every model.`,
    );
  return base;
}
