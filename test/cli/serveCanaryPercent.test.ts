// A canary percentage is a decimal number from 0 to 100 in `modelship serve --canary-percent` and
// in the serving image's MODELSHIP_CANARY_PERCENT: Number() alone took '' as 0 % and 0x10 as 16 %,
// starting a canary nobody asked for.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCanaryPercent } from '../../src/core/serve/canary.js';
import { buildCliIfStale, expectOneSentence, ROOT, runCli } from '../support/cli.js';
import { useTempDir } from '../support/tempDir.js';

const dir = useTempDir();
// A committed model: examples' artifacts exist only after a training run, which a fresh clone lacks.
const MODEL = join(ROOT, 'test/fixtures/converter-models/credit_numeric/model.onnx');
const BAD = ['', ' ', '0x10', '1e1', '-0', '+5', '100.5', '101', 'NaN', 'Infinity', '5%'];

describe('canary percentage', () => {
  it('reads decimal numbers from 0 to 100 only', () => {
    expect([' 5', '0', '100', '12.5', '007'].map(parseCanaryPercent)).toEqual([5, 0, 100, 12.5, 7]);
    for (const text of [...BAD, undefined]) expect(parseCanaryPercent(text), text).toBeUndefined();
  });

  it.each(['0x10', '', '1e1'])('modelship serve --canary-percent "%s" is one sentence', (text) => {
    buildCliIfStale();
    const result = runCli(['serve', MODEL, '--canary', MODEL, '--canary-percent', text], dir);
    expectOneSentence(
      result,
      /^modelship: --canary-percent .* is not a percentage; pass a number from 0 to 100 with --canary\.$/,
    );
  });

  it.each([
    ['--port', '0x50', /^modelship: --port 0x50 is not a port number \(0 to 65535\)\.$/],
    [
      '--added-latency-ms',
      '1e3',
      /^modelship: --added-latency-ms 1e3 \(or MODELSHIP_ADDED_LATENCY_MS\) is not a number of milliseconds \(0 or more\)\.$/,
    ],
    [
      '--request-timeout-ms',
      '0x10',
      /^modelship: --request-timeout-ms 0x10 is not a positive number of milliseconds\.$/,
    ],
  ])('modelship serve %s "%s" is refused the same way', (flag, text, sentence) => {
    buildCliIfStale();
    expectOneSentence(runCli(['serve', MODEL, flag, text], dir), sentence);
  });

  it('the serving entry refuses MODELSHIP_CANARY_PERCENT=0x10 naming the variable', () => {
    buildCliIfStale();
    const result = spawnSync(process.execPath, [join(ROOT, 'lib/serveEntry.js'), MODEL], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, MODELSHIP_CANARY: MODEL, MODELSHIP_CANARY_PERCENT: '0x10' },
      timeout: 30_000,
    });
    expect(result.stderr).toContain('MODELSHIP_CANARY_PERCENT 0x10 is not a percentage');
    expect(result.status).not.toBe(0);
  });
});
