// The deploy job summary with hostile server text: a failed smoke test's reason (which quotes the
// server's answer) is escaped, and a container log holding a code fence stays inside its block.
import { describe, expect, it } from 'vitest';
import { deploySummary } from '../../src/actions/deploy/summary.js';

const HOSTILE = '```\n</details>\n# Injected @org/team ![x](https://evil.example/x.png)';

describe('deploy summary', () => {
  it("escapes a failed smoke test's reason", () => {
    const summary = deploySummary({
      steps: [],
      smoke: {
        passed: false,
        readyAfterMs: 1000,
        comparisons: [],
        reason: `/v2/models/m/infer: row 0 label is <img src=x onerror=alert(1)> @org/team, but the bundle recorded bad.`,
        logs: '',
      },
    });
    expect(summary).not.toContain('<img');
    expect(summary).not.toContain('@org/team');
    expect(summary).toContain('&lt;img src=x onerror=alert\\(1\\)&gt; @\u200borg/team');
  });

  it('keeps a container log with a code fence inside one code block', () => {
    const summary = deploySummary({
      steps: [],
      loadTest: { misses: [], reason: 'the container exited.', logs: `start\n${HOSTILE}\nend` },
    });
    const block = /<summary>Container log<\/summary>\n\n(`{3,})\n([\s\S]*?)\n\1\n<\/details>/.exec(
      summary,
    );
    expect(block?.[2]).toBe(`start\n${HOSTILE}\nend`);
    expect(block?.[1]?.length).toBeGreaterThan(3);
  });
});
