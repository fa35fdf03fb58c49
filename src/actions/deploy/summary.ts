import { describeComparison } from '../../core/deploy/smokeCompare.js';
import type { SmokeTestResult } from '../../core/deploy/smokeTest.js';
import type { LoadTestResult } from '../../core/deploy/loadTest.js';
import { describeLoadTestSettings, loadTestRows } from '../../core/deploy/loadTestReport.js';
import type { Slo } from '../../core/deploy/loadTestSettings.js';
import type { SloMiss } from '../../core/deploy/sloCheck.js';
import { escapeMarkdown } from '../../core/report/markdownEscape.js';

/** What the deploy step did, filled in as it goes, so a failure still gets a summary. */
export interface DeployOutcome {
  tag?: string;
  image?: string;
  digest?: string;
  deploymentId?: number;
  smoke?: SmokeTestResult & { logs: string };
  /** The load test: its figures and SLO misses, or why the image never carried load. */
  loadTest?: {
    result?: LoadTestResult;
    slo?: Slo | undefined;
    misses: SloMiss[];
    reason?: string;
    logs?: string;
  };
  manifests?: Record<string, string>;
  steps: string[];
}

/** The job summary: the steps taken, the smoke and load tests' verdicts, the manifests. */
export function deploySummary(outcome: DeployOutcome): string {
  const title = `## Modelship · deploy${outcome.tag ? ` \`${outcome.tag}\`` : ''}\n\n`;
  const smoke = outcome.smoke;
  const verdict = !smoke
    ? ''
    : smoke.passed
      ? `✅ **Smoke test passed** (ready after ${((smoke.readyAfterMs ?? 0) / 1000).toFixed(1)} s):\n\n${smoke.comparisons.map((c) => `- ${describeComparison(c)}`).join('\n')}\n\n`
      : `❌ **Smoke test failed**: ${escapeMarkdown(smoke.reason)} Production and its deployment were left as they were.\n\n${logBlock(smoke.logs)}`;
  const load = outcome.loadTest ? loadTestSection(outcome.loadTest) : '';
  const steps = outcome.steps.map((s) => `- ${s}`).join('\n');
  const done = outcome.deploymentId
    ? ''
    : (smoke && !smoke.passed) || loadTestFailed(outcome.loadTest)
      ? ''
      : '\n\n❌ The deployment did not complete; the step’s error says why.';
  const manifests = Object.entries(outcome.manifests ?? {})
    .map(
      ([name, text]) =>
        `<details><summary>${name}</summary>\n\n\`\`\`yaml\n${text}\`\`\`\n</details>`,
    )
    .join('\n\n');
  const image = outcome.image ? `Image: \`${outcome.image}\`\n\n` : '';
  return `${title}${image}${verdict}${load}${steps}${done}\n\n${manifests ? `### Kubernetes manifests\n\n${manifests}\n` : ''}`;
}

function loadTestFailed(load: DeployOutcome['loadTest']): boolean {
  return !!load && (load.reason !== undefined || load.misses.length > 0);
}

/** The load test's verdict and its figures as a table; server text in it is escaped. */
function loadTestSection(load: NonNullable<DeployOutcome['loadTest']>): string {
  const left = 'Production and its deployment were left as they were.';
  if (!load.result)
    return `❌ **Load test failed**: ${escapeMarkdown(load.reason ?? '')} ${left}\n\n${logBlock(load.logs)}`;
  const { result } = load;
  const verdict = load.misses.length
    ? `❌ **Load test missed its SLO** (${describeLoadTestSettings(result)}). ${left}`
    : load.slo
      ? `✅ **Load test met its SLO** (${describeLoadTestSettings(result)}):`
      : `**Load test** (${describeLoadTestSettings(result)}; no SLO set: serve.slo in modelship.yml):`;
  const rows = loadTestRows(result, load.slo, load.misses).map(
    (r) =>
      `| ${r.figure} | ${r.measured} | ${r.limit ? `${r.limit} ${r.met ? '✅' : '❌'}` : ''} |`,
  );
  const first = result.firstError
    ? `\nFirst failed request: ${escapeMarkdown(result.firstError)}\n`
    : '';
  return `${verdict}\n\n| figure | measured | SLO |\n|---|---|---|\n${rows.join('\n')}\n${first}\n`;
}

/** The container's log as a code block: a fence longer than any run of backticks in it. */
function logBlock(logs: string | undefined): string {
  if (!logs) return '';
  const text = logs.slice(-4000);
  const longest = Math.max(0, ...(text.match(/`{3,}/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `<details><summary>Container log</summary>\n\n${fence}\n${text}\n${fence}\n</details>\n\n`;
}
