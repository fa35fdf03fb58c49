import * as core from '@actions/core';
import { readGateReport } from '../../core/gate/gateReport.js';
import { applyConfigGate } from '../../core/gate/configGate.js';
import { ModelshipError } from '../../core/errors.js';
import { gateMarkdown } from '../../core/report/gateMarkdown.js';
import { resolvePullRequest } from '../../github/pullRequest.js';
import { publishAggregateGate } from '../aggregateGate.js';
import { publishGate } from '../gateStatus.js';
import { createStepOctokit, readOnlyForkRun, readRunContext } from '../runContext.js';
import { readGateInputs } from './inputs.js';

/** gate: the config's gate on a report made elsewhere; status and check run, output `passed`. */
export async function run(): Promise<void> {
  const inputs = readGateInputs();
  const { config } = inputs.loaded;
  const report = readGateReport(inputs.report);
  const gate = applyConfigGate(config, report.candidate, report.baseline);
  const markdown = gateMarkdown(config.model.name, gate);
  const context = readRunContext();
  const notes: string[] = [];
  if (context && inputs.githubToken) {
    const octokit = createStepOctokit(inputs.githubToken, context);
    const pr = await resolvePullRequest(octokit, { ...context });
    if (!readOnlyForkRun(context, pr)) {
      const sha = pr?.headSha ?? context.sha;
      notes.push(
        ...(await publishGate(octokit, context, {
          model: config.model.name,
          sha,
          gate,
          summary: markdown,
          detailsUrl: context.runUrl,
          // After evaluate in the same job: its status, linking the report comment, stands.
          keepTargetUrl: true,
        })),
        // After this model's own status, which the aggregate reads.
        ...(await publishAggregateGate(octokit, context, {
          sha,
          models: [...new Set([...(inputs.models ?? []), config.model.name])],
        })),
      );
    } else {
      notes.push(
        'This pull request comes from a fork, whose token is read-only: the gate status was not set.',
      );
    }
  }
  await core.summary
    .addRaw(notes.map((n) => `> [!WARNING]\n> ${n}\n\n`).join('') + markdown)
    .write();
  core.setOutput('passed', String(gate.passed));
  if (!gate.passed && inputs.failOnGate) {
    throw new ModelshipError(
      `The gate failed for ${config.model.name}: ${gate.checks
        .filter((c) => !c.passed)
        .map((c) => c.message)
        .join('; ')}.`,
    );
  }
}
