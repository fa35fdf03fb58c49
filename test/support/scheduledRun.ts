import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OWNER, REPO } from './actionRunner.js';
import type { GitHubFake } from './github/githubFake.js';

/**
 * The GITHUB_* variables and event payload of a scheduled run of owner/repo's drift workflow
 * (`.github/workflows/drift.yml`) on the fake, with `token` as the step's github-token.
 */
export function scheduledRunEnv(
  github: GitHubFake,
  options: { token: string; runId: number; runnerTemp: string },
): void {
  const eventPath = join(options.runnerTemp, 'event.json');
  writeFileSync(eventPath, JSON.stringify({ schedule: '17 6 * * 1' }));
  Object.assign(process.env, {
    GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
    GITHUB_API_URL: github.url,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_EVENT_NAME: 'schedule',
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_SHA: 'c0ffee00'.repeat(5),
    GITHUB_REF: 'refs/heads/main',
    GITHUB_RUN_ID: String(options.runId),
    GITHUB_WORKFLOW_REF: `${OWNER}/${REPO}/.github/workflows/drift.yml@refs/heads/main`,
    MODELSHIP_GITHUB_PACE_WRITES: 'false',
    'INPUT_GITHUB-TOKEN': options.token,
  });
}
