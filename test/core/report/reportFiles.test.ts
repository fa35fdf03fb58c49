// The one report writer of the actions and the CLI: JSON and markdown files written whole
// (temporary file + rename) into a directory it makes, ending with a newline; a file it cannot
// write is one sentence naming it.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeJson, writeReport } from '../../../src/core/report/reportFiles.js';
import { modelshipErrorOf } from '../../support/modelshipErrorOf.js';
import { useTempDir } from '../../support/tempDir.js';

const dir = useTempDir();

describe('report files', () => {
  it('writes JSON pretty-printed with a final newline, making the directory', () => {
    const file = join(dir, 'new/folder/report.json');
    writeJson(file, { model: 'credit-risk', metrics: { roc_auc: 0.91 } });
    expect(readFileSync(file, 'utf8')).toBe(
      '{\n  "model": "credit-risk",\n  "metrics": {\n    "roc_auc": 0.91\n  }\n}\n',
    );
  });

  it('adds a final newline only where the text has none, and replaces an earlier report whole', () => {
    const file = join(dir, 'report.md');
    writeFileSync(file, 'an earlier, much longer report\n'.repeat(100));
    writeReport(file, '# Report');
    expect(readFileSync(file, 'utf8')).toBe('# Report\n');
    writeReport(file, '# Report\n\nbody\n');
    expect(readFileSync(file, 'utf8')).toBe('# Report\n\nbody\n');
    // No temporary file is left beside it.
    expect(readdirSync(dir).filter((name) => name.includes('report.md'))).toEqual(['report.md']);
  });

  it('names the file it cannot write, as a ModelshipError', () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, '');
    const target = join(blocker, 'report.json');
    expect(modelshipErrorOf(() => writeJson(target, {}))).toMatch(
      new RegExp(
        `^${target.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: cannot write the report \\(.*\\); check the directory and its permissions\\.$`,
      ),
    );
  });
});
