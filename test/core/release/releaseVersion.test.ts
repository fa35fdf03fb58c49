import { describe, expect, it } from 'vitest';
import { ModelshipError } from '../../../src/core/errors.js';
import {
  compareSemver,
  formatSemver,
  incrementSemver,
  parseSemver,
  requireSemver,
} from '../../../src/core/release/semver.js';
import {
  nextVersion,
  type PublishedContent,
  type ReleaseContent,
} from '../../../src/core/release/versionBump.js';

const v = (text: string) => requireSemver(text, 'test');

describe('semver', () => {
  it('parses and formats versions with prerelease and build parts', () => {
    expect(parseSemver('1.2.3')).toEqual({
      major: 1,
      minor: 2,
      patch: 3,
      prerelease: [],
      build: [],
    });
    const full = parseSemver('1.0.0-rc.1+sha.abc');
    expect(full?.prerelease).toEqual(['rc', '1']);
    expect(full?.build).toEqual(['sha', 'abc']);
    for (const text of ['0.0.0', '10.20.30', '1.0.0-alpha.beta', '1.0.0-0a.1', '2.0.0+build.7']) {
      expect(formatSemver(v(text))).toBe(text);
    }
  });

  it('refuses what is not semver', () => {
    for (const text of ['1.2', '01.2.3', '1.02.3', 'v1.2.3', '1.2.3-', '1.2.3-01', '1.2.3+', 'x']) {
      expect(parseSemver(text), text).toBeUndefined();
    }
    expect(() => requireSemver('v1.2.3', 'The `version` input')).toThrow(
      /The `version` input "v1.2.3" is not a semantic version.*without the leading "v": 1.2.3/,
    );
  });

  it('orders by semver precedence', () => {
    const ordered = [
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
      '1.9.0',
      '1.10.0',
      '2.0.0',
    ];
    for (let i = 1; i < ordered.length; i++) {
      const [a = '', b = ''] = [ordered[i - 1], ordered[i]];
      expect(compareSemver(v(a), v(b)), `${a} < ${b}`).toBe(-1);
      expect(compareSemver(v(b), v(a)), `${b} > ${a}`).toBe(1);
    }
    expect(compareSemver(v('1.0.0+a'), v('1.0.0+b'))).toBe(0);
  });

  it('increments major, minor and patch', () => {
    const bump = (text: string, type: 'major' | 'minor' | 'patch') =>
      formatSemver(incrementSemver(v(text), type));
    expect(bump('1.4.2', 'major')).toBe('2.0.0');
    expect(bump('1.4.2', 'minor')).toBe('1.5.0');
    expect(bump('1.4.2', 'patch')).toBe('1.4.3');
    expect(bump('1.5.0-rc.1', 'minor')).toBe('1.5.0');
    expect(bump('2.0.0-rc.1', 'major')).toBe('2.0.0');
    expect(bump('1.4.3-rc.1', 'patch')).toBe('1.4.3');
    expect(bump('1.4.2+b', 'patch')).toBe('1.4.3');
  });
});

const CONFIG = `model:
  name: credit-risk
  task: binary-classification
  path: artifacts/model.onnx
  target: class
  positive: bad
  threshold: 0.5
  features:
    - duration
    - amount
gate:
  rules: []
`;
const CONTRACT = `columns:
  duration: { type: integer }
  amount: { type: number }
`;

function content(overrides: Partial<ReleaseContent> = {}): ReleaseContent {
  return {
    config: CONFIG,
    schema: CONTRACT,
    card: '# credit-risk\n\nAUC 0.81\n',
    modelSha256: 'a'.repeat(64),
    ...overrides,
  };
}

function production(overrides: Partial<ReleaseContent> = {}): PublishedContent {
  return { version: '1.2.3', ...content(overrides) };
}

describe('nextVersion', () => {
  it('makes the first model 1.0.0, whatever the bump', () => {
    for (const bump of ['auto', 'major', 'minor', 'patch'] as const) {
      expect(nextVersion({ bump, production: null, candidate: content() })).toMatchObject({
        version: '1.0.0',
        change: 'initial',
      });
    }
  });

  it.each([
    ['features changed', { config: CONFIG.replace('    - amount\n', '') }, 'major', '2.0.0'],
    [
      'features reordered',
      { config: CONFIG.replace('- duration\n    - amount', '- amount\n    - duration') },
      'major',
      '2.0.0',
    ],
    [
      'task changed',
      { config: CONFIG.replace('binary-classification', 'regression') },
      'major',
      '2.0.0',
    ],
    [
      'target changed',
      { config: CONFIG.replace('target: class', 'target: label') },
      'major',
      '2.0.0',
    ],
    [
      'positive changed',
      { config: CONFIG.replace('positive: bad', 'positive: good') },
      'major',
      '2.0.0',
    ],
    ['data contract changed', { schema: CONTRACT.replace('number', 'integer') }, 'major', '2.0.0'],
    ['model bytes changed', { modelSha256: 'b'.repeat(64) }, 'minor', '1.3.0'],
    ['threshold changed', { config: CONFIG.replace('0.5', '0.6') }, 'minor', '1.3.0'],
    ['card only', { card: '# credit-risk\n\nAUC 0.81, rounded\n' }, 'patch', '1.2.4'],
    [
      'gate settings only',
      { config: CONFIG.replace('rules: []', 'rules: [auc]') },
      'patch',
      '1.2.4',
    ],
    ['model path only', { config: CONFIG.replace('artifacts/', 'out/') }, 'none', '1.2.3'],
  ] as const)('auto: %s → %s', (_case, change, type, version) => {
    const result = nextVersion({
      bump: 'auto',
      production: production(),
      candidate: content(change as Partial<ReleaseContent>),
    });
    expect(result).toMatchObject({ version, change: type });
    expect(result.reason).toMatch(type === 'none' ? /nothing changed/ : /changed/);
  });

  it('puts the contract above the model bytes and the card', () => {
    const result = nextVersion({
      bump: 'auto',
      production: production(),
      candidate: content({
        schema: CONTRACT.replace('number', 'integer'),
        modelSha256: 'c'.repeat(64),
        card: 'new card',
      }),
    });
    expect(result).toMatchObject({ version: '2.0.0', change: 'major' });
    expect(result.reason).toBe('major over production 1.2.3: the data contract changed');
  });

  it('reads YAML and JSON, text and objects alike: key order and format are no change', () => {
    const asObject = {
      gate: { rules: [] },
      model: {
        features: ['duration', 'amount'],
        threshold: 0.5,
        positive: 'bad',
        target: 'class',
        path: 'artifacts/model.onnx',
        task: 'binary-classification',
        name: 'credit-risk',
      },
    };
    const schema = JSON.stringify({
      columns: { amount: { type: 'number' }, duration: { type: 'integer' } },
    });
    const result = nextVersion({
      bump: 'auto',
      production: production(),
      candidate: content({ config: asObject, schema, card: '# credit-risk\r\n\r\nAUC 0.81  \r\n' }),
    });
    expect(result).toMatchObject({ version: '1.2.3', change: 'none' });
  });

  it('follows a forced bump, saying what auto would have done', () => {
    const result = nextVersion({
      bump: 'patch',
      production: production(),
      candidate: content({ modelSha256: 'b'.repeat(64) }),
    });
    expect(result).toMatchObject({ version: '1.2.4', change: 'patch' });
    expect(result.reason).toMatch(/bump: patch asked; auto would be minor/);
    expect(
      nextVersion({ bump: 'major', production: production(), candidate: content() }),
    ).toMatchObject({ version: '1.2.3', change: 'none' });
  });

  it('takes an explicit version above production, or production’s own for the same content', () => {
    expect(
      nextVersion({
        explicit: '1.5.0',
        bump: 'auto',
        production: production(),
        candidate: content({ card: 'x' }),
      }),
    ).toMatchObject({ version: '1.5.0', change: 'explicit' });
    expect(
      nextVersion({ explicit: '3.0.0', bump: 'auto', production: null, candidate: content() }),
    ).toMatchObject({ version: '3.0.0', change: 'explicit' });
    expect(
      nextVersion({
        explicit: '1.2.3',
        bump: 'auto',
        production: production(),
        candidate: content(),
      }),
    ).toMatchObject({ version: '1.2.3', change: 'none' });
  });

  it('refuses an explicit version that is not above production, or not a release version', () => {
    const candidate = content({ modelSha256: 'b'.repeat(64) });
    const lower = () =>
      nextVersion({ explicit: '1.2.0', bump: 'auto', production: production(), candidate });
    expect(lower).toThrow(ModelshipError);
    expect(lower).toThrow(/1\.2\.0 is lower than production \(1\.2\.3\).*e\.g\. 1\.3\.0/);
    expect(() =>
      nextVersion({ explicit: '1.2.3', bump: 'auto', production: production(), candidate }),
    ).toThrow(/production’s own version, with other content/);
    expect(() =>
      nextVersion({ explicit: '1.3', bump: 'auto', production: production(), candidate }),
    ).toThrow(/not a semantic version/);
    expect(() =>
      nextVersion({ explicit: '1.3.0-rc.1', bump: 'auto', production: production(), candidate }),
    ).toThrow(/prerelease or build part.*e\.g\. 1\.3\.0/);
  });

  it('names a config it cannot read', () => {
    expect(() =>
      nextVersion({
        bump: 'auto',
        production: production(),
        candidate: content({ config: 'model: [unclosed' }),
      }),
    ).toThrow(/candidate modelship\.yml is not valid YAML/);
    expect(() =>
      nextVersion({
        bump: 'auto',
        production: production(),
        candidate: content({ config: 'a: 1' }),
      }),
    ).toThrow(/has no `model` section/);
  });
});
