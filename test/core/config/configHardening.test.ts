// Config and contract shapes that used to reach code as undefined, NaN or Infinity, and YAML
// features a config has no use for: each is one sentence naming the file and the key, exit 2.
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDataContract } from '../../../src/core/config/dataContract.js';
import { loadConfig } from '../../../src/core/config/modelshipConfig.js';
import { buildCliIfStale, expectOneSentence, runCli } from '../../support/cli.js';
import { useTempDir } from '../../support/tempDir.js';

const dir = useTempDir();
const abs = (name: string) => join(dir, name);
const write = (name: string, text: string) => writeFileSync(abs(name), text);

const CONFIG = `model:
  name: m
  task: regression
  path: m.onnx
  target: y
  features: [a]
`;

beforeAll(() => {
  buildCliIfStale();
  write('data.csv', 'a,b\n1,x\n');
});

describe('contracts', () => {
  const contract = (name: string, body: string) => {
    write(name, body);
    return runCli(['validate', 'data.csv', '-s', name], dir);
  };

  it('a column without type says type is required', () => {
    expectOneSentence(
      contract('c-notype.yml', 'columns:\n  a:\n    nullable: true\n'),
      /^modelship: c-notype\.yml:3:5 columns\.a\.type: is required \(expected one of "integer"/,
    );
  });

  it('-1e400, .inf and .nan bounds are "not a finite number", not "got null"', () => {
    for (const value of ['-1e400', '.inf', '.nan']) {
      const result = contract(
        'c-inf.yml',
        `columns:\n  a:\n    type: integer\n    min: ${value}\n`,
      );
      expectOneSentence(
        result,
        /^modelship: c-inf\.yml:4:10 columns\.a\.min: is not a finite number/,
      );
      expect(result.stderr).not.toMatch(/null/);
    }
    expect(() => loadDataContract(abs('c-inf.yml'))).toThrow(/not a finite number \(got \.nan\)/);
  });

  it('a merge key is refused, naming the file and line', () => {
    expectOneSentence(
      contract(
        'c-merge.yml',
        'base: &b {type: integer}\ncolumns:\n  a:\n    <<: *b\n    nullable: true\n',
      ),
      /^modelship: c-merge\.yml:4:5 invalid YAML: merge keys \(<<\) are not supported/,
    );
  });

  it('a !!binary or custom tag is refused', () => {
    expectOneSentence(
      contract('c-bin.yml', 'columns:\n  a:\n    type: !!binary aGVsbG8=\n'),
      /^modelship: c-bin\.yml:3:\d+ invalid YAML: the tag !!binary is not supported/,
    );
    expectOneSentence(
      contract('c-tag.yml', 'columns:\n  a:\n    type: !custom integer\n'),
      /^modelship: c-tag\.yml:3:\d+ invalid YAML: the tag !custom is not supported/,
    );
  });

  it('a billion-laughs alias bomb names the file', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    expectOneSentence(
      contract('c-bomb.yml', `${levels.join('\n')}\ncolumns:\n  a: {type: integer}\n`),
      /^modelship: c-bomb\.yml: invalid YAML: its aliases \(\*name\) expand too far/,
    );
  });
});

describe('config and contract files', () => {
  it('a named pipe, a directory or a link loop is one sentence, and nothing blocks', () => {
    spawnSync('mkfifo', [abs('pipe.yml')]);
    mkdirSync(abs('folder.yml'));
    symlinkSync(abs('loop.yml'), abs('loop.yml'));
    for (const [name, kind] of [
      ['pipe.yml', /is not a regular file/],
      ['folder.yml', /is not a regular file/],
      ['loop.yml', /is a symbolic link loop/],
    ] as const) {
      expect(() => loadDataContract(abs(name))).toThrow(kind);
      expect(() => loadConfig(abs(name))).toThrow(kind);
    }
  });
});

describe('configs', () => {
  it('a config without model.task says it is required', () => {
    write('no-task.yml', CONFIG.replace('  task: regression\n', ''));
    write('report.json', '{"metrics": {}}');
    expectOneSentence(
      runCli(['gate', '-c', 'no-task.yml', '-r', 'report.json'], dir),
      /^modelship: no-task\.yml:2:3 model\.task: is required \(expected one of "binary-classification"/,
    );
  });

  it('a .nan threshold or -1e400 rule bound is not a finite number', () => {
    write('nan.yml', `${CONFIG}metrics:\n  mae: { max: .nan }\n`);
    expect(() => loadConfig(abs('nan.yml'))).toThrow(
      /nan\.yml:8:\d+ metrics\.mae\.max: is not a finite number \(got \.nan\)/,
    );
    write('inf.yml', `${CONFIG}metrics:\n  mae: { min: -1e400 }\n`);
    expect(() => loadConfig(abs('inf.yml'))).toThrow(/metrics\.mae\.min: is not a finite number/);
  });
});

describe('gate rules', () => {
  it('min greater than max is refused, as the contract refuses it', () => {
    write('minmax.yml', `${CONFIG}metrics:\n  r2: { min: 0.9, max: 0.1 }\n`);
    expect(() => loadConfig(abs('minmax.yml'))).toThrow(
      /minmax\.yml:8:\d+ metrics\.r2\.min: min \(0\.9\) is greater than max \(0\.1\); no value can pass both/,
    );
    write('report.json', '{"metrics": {"r2": 0.5}}');
    expectOneSentence(
      runCli(['gate', '-c', 'minmax.yml', '-r', 'report.json'], dir),
      /^modelship: minmax\.yml:8:\d+ metrics\.r2\.min: min \(0\.9\) is greater than max/,
    );
    write(
      'fair.yml',
      `${CONFIG.replace('regression', 'binary-classification')}  positive: 1\nfairness:\n  sensitive: [s]\n  thresholds:\n    demographic_parity_ratio: { min: 1, max: 0.8 }\n`,
    );
    expect(() => loadConfig(abs('fair.yml'))).toThrow(
      /fairness\.thresholds\.demographic_parity_ratio\.min: min \(1\) is greater than max \(0\.8\)/,
    );
  });
});

describe('gate reports', () => {
  it('a metric of 1e400 (JSON reads Infinity) is "not a finite number", naming the key', () => {
    write('gate.yml', `${CONFIG}metrics:\n  mae: { max: 1 }\n`);
    write('inf.json', '{"metrics": {"mae": 1}, "baseline": {"metrics": {"mae": -1e400}}}');
    expectOneSentence(
      runCli(['gate', '-c', 'gate.yml', '-r', 'inf.json'], dir),
      /^modelship: inf\.json: baseline\.metrics\.mae: is not a finite number \(a JSON number too large, read as -Infinity\); write a finite number, or null/,
    );
  });
});

describe('YAML keys', () => {
  it('a list or mapping as a key is refused in one line (no stringified-key warning)', () => {
    write('c-key.yml', 'columns:\n  a: {type: integer}\n? [x]\n: 2\n');
    expectOneSentence(
      runCli(['validate', 'data.csv', '-s', 'c-key.yml'], dir),
      /^modelship: c-key\.yml:3:3 invalid YAML: a key must be a plain name, not a list or mapping/,
    );
  });
});

describe('feature mappings', () => {
  it('a .nan in a feature map names the key inside the feature, not "Invalid input"', () => {
    write('map.yml', CONFIG.replace('features: [a]', 'features: [{column: a, map: {x: .nan}}]'));
    expect(() => loadConfig(abs('map.yml'))).toThrow(
      /map\.yml:6:\d+ model\.features\.0\.map\.x: is not a finite number \(got \.nan\)/,
    );
  });
});
