// What drift-check writes into the issue, its comments and the PR keeps data-derived text inert:
// a column name with blank lines cannot leave its code span, and a deployment ref (set by whoever
// can write deployments) cannot mention, link or format in the rollback line.
import { describe, expect, it } from 'vitest';
import {
  driftComment,
  issueBody,
  rollbackLine,
  type CheckRun,
} from '../../src/actions/drift-check/driftTexts.js';
import type { DriftColumn, DriftReport } from '../../src/core/drift/index.js';

const HOSTILE = 'age\n\n# Injected @org/team [click](https://evil.example) | x';

const column: DriftColumn = {
  type: 'numeric',
  method: 'ks',
  score: 0.001,
  threshold: 0.05,
  drifted: true,
  psi: 0.4,
  approximate: false,
  n_unique: 50,
  reference: { count: 300, nulls: 0, null_share: 0 },
  current: { count: 300, nulls: 0, null_share: 0 },
  shares: { bins: [], reference: [], current: [] },
};

const report: DriftReport = {
  dataset_drift: true,
  drift_share: 1,
  share_threshold: 0.5,
  drifted_columns: 1,
  total_columns: 1,
  approximate: false,
  reference: { kind: 'data', source: 'data/eval.csv', rows: 300 },
  current: { source: HOSTILE, rows: 300 },
  columns: { [HOSTILE]: column },
  notes: [],
  created: '2024-05-01T00:00:00Z',
};

const run: CheckRun = {
  model: 'credit-risk',
  report,
  markdown: '',
  checkedAt: new Date('2024-05-01T00:00:00Z'),
  runUrl: undefined,
  referenceLabel: 'data/eval.csv',
  currentLabel: HOSTILE,
};

/** The text outside code spans, where markdown is live. */
const outsideCode = (markdown: string) => markdown.replace(/(`+)[^`]*?\1/g, '');

describe('drift texts', () => {
  it('keeps a column name or data path with blank lines, pipes and mentions inside one code span', () => {
    for (const text of [issueBody(run, undefined), driftComment(run, undefined, false)]) {
      expect(text).not.toContain('\n\n# Injected');
      expect(text).toContain('`age # Injected @org/team [click](https://evil.example) ¦ x`');
      expect(outsideCode(text)).not.toContain('@org/team');
    }
  });

  it('escapes the deployment refs a held rollback names', () => {
    const line = rollbackLine({
      mode: 'auto',
      deploy: false,
      from: 'credit-risk-v1.1.0',
      reason: 'performance degraded',
      held: 'production runs @org/team [x](https://evil.example), not credit-risk-v1.1.0: a rollback already happened.',
    });
    expect(line).toContain('@\u200borg/team');
    expect(line).toContain('\\[x\\]\\(https:\u200b//evil.example\\)');
    expect(line).not.toContain('[x](');
  });
});
