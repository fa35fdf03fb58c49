import { describeComparison } from '../../core/deploy/smokeCompare.js';
import type { SmokeTestResult } from '../../core/deploy/smokeTest.js';

/** What the deploy step did, filled in as it goes, so a failure still gets a summary. */
export interface DeployOutcome {
  tag?: string;
  image?: string;
  digest?: string;
  deploymentId?: number;
  smoke?: SmokeTestResult & { logs: string };
  manifests?: Record<string, string>;
  steps: string[];
}

/** The job summary: the steps taken, the smoke test's verdict, the manifests. */
export function deploySummary(outcome: DeployOutcome): string {
  const title = `## Modelship · deploy${outcome.tag ? ` \`${outcome.tag}\`` : ''}\n\n`;
  const smoke = outcome.smoke;
  const verdict = !smoke
    ? ''
    : smoke.passed
      ? `✅ **Smoke test passed** (ready after ${((smoke.readyAfterMs ?? 0) / 1000).toFixed(1)} s):\n\n${smoke.comparisons.map((c) => `- ${describeComparison(c)}`).join('\n')}\n\n`
      : `❌ **Smoke test failed**: ${smoke.reason} Production and its deployment were left as they were.\n\n${
          smoke.logs
            ? `<details><summary>Container log</summary>\n\n\`\`\`\n${smoke.logs.slice(-4000)}\n\`\`\`\n</details>\n\n`
            : ''
        }`;
  const steps = outcome.steps.map((s) => `- ${s}`).join('\n');
  const done = outcome.deploymentId
    ? ''
    : smoke && !smoke.passed
      ? ''
      : '\n\n❌ The deployment did not complete; the step’s error says why.';
  const manifests = Object.entries(outcome.manifests ?? {})
    .map(
      ([name, text]) =>
        `<details><summary>${name}</summary>\n\n\`\`\`yaml\n${text}\`\`\`\n</details>`,
    )
    .join('\n\n');
  const image = outcome.image ? `Image: \`${outcome.image}\`\n\n` : '';
  return `${title}${image}${verdict}${steps}${done}\n\n${manifests ? `### Kubernetes manifests\n\n${manifests}\n` : ''}`;
}
