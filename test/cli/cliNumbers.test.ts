// Every numeric CLI option is checked before use: one sentence naming the flag, exit 2.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCliIfStale, expectOneSentence, runCli } from '../support/cli.js';
import { useTempDir } from '../support/tempDir.js';

const dir = useTempDir();

beforeAll(() => {
  buildCliIfStale();
  writeFileSync(join(dir, 'schema.yml'), 'columns:\n  a: { type: integer, min: 0 }\n');
  writeFileSync(join(dir, 'bad.csv'), 'a\n-1\n-2\n');
  writeFileSync(
    join(dir, 'modelship.yml'),
    'model:\n  name: m\n  task: regression\n  path: m.onnx\n  target: y\n  features: [a]\ntrain:\n  command: "true"\n',
  );
});

describe('numeric options', () => {
  it('validate --examples takes a whole number from 1 to 1000 only', () => {
    for (const value of ['-5', '1.5', '1e12', '99999999999999999999', '0', '1001', 'five', '']) {
      expectOneSentence(
        runCli(['validate', 'bad.csv', '-s', 'schema.yml', `--examples=${value}`], dir),
        /^modelship: --examples ".*": expected a whole number from 1 to 1000; pass e\.g\. --examples 5\.$/,
      );
    }
    const ok = runCli(['validate', 'bad.csv', '-s', 'schema.yml', '--examples', '1'], dir);
    expect(ok.code).toBe(1);
  });

  it('train --timeout-minutes past a week is refused, not a timer that fires at once', () => {
    for (const value of ['1e12', '99999999999999999999', '10081']) {
      expectOneSentence(
        runCli(['train', '--timeout-minutes', value], dir),
        /^modelship: --timeout-minutes must be at most 10080 \(a week\)/,
      );
    }
    expectOneSentence(
      runCli(['train', '--timeout-minutes', '-5'], dir),
      /^modelship: --timeout-minutes must be a positive number, not "-5"\.$/,
    );
  });
});
