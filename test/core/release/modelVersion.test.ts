import { describe, expect, it } from 'vitest';
import {
  compareVersions,
  parseModelTag,
  parseModelVersion,
  tagOfQuery,
  versionOfModel,
  type ModelVersionKind,
} from '../../../src/core/release/modelVersion.js';

const ALL: ModelVersionKind[] = ['production', 'tag', 'version', 'path', 'none'];

describe('model tags', () => {
  it('parses <model>-v<major>.<minor>.<patch> and nothing else', () => {
    expect(parseModelTag('credit-risk-v1.12.0')).toEqual({
      model: 'credit-risk',
      major: 1,
      minor: 12,
      patch: 0,
      version: '1.12.0',
    });
    for (const tag of [
      'v1.0.0',
      'credit-v1.0',
      'credit-v1.0.0-rc.1',
      'credit-v01.0.0',
      'Credit-v1.0.0',
      '-credit-v1.0.0',
    ]) {
      expect(parseModelTag(tag)).toBeUndefined();
    }
  });

  it('keeps credit and credit-risk apart', () => {
    expect(versionOfModel('credit-risk-v1.0.0', 'credit')).toBeUndefined();
    expect(versionOfModel('credit-v1.0.0', 'credit-risk')).toBeUndefined();
    expect(versionOfModel('credit-v1.0.0', 'credit')?.version).toBe('1.0.0');
  });

  it('orders by semver precedence', () => {
    const v = (tag: string) => parseModelTag(tag)!;
    expect(compareVersions(v('m-v1.10.0'), v('m-v1.9.9'))).toBeGreaterThan(0);
    expect(compareVersions(v('m-v2.0.0'), v('m-v10.0.0'))).toBeLessThan(0);
  });
});

describe('parseModelVersion', () => {
  const parse = (text: string, exists: (t: string) => boolean = () => false) =>
    parseModelVersion(text, { what: 'baseline', accepts: ALL, model: 'credit-risk', exists });

  it('reads every form', () => {
    expect(parse('production')).toEqual({ kind: 'production' });
    expect(parse(' none ')).toEqual({ kind: 'none' });
    expect(parse('1.2.0')).toEqual({ kind: 'version', version: '1.2.0' });
    expect(parse('v1.2.0')).toEqual({ kind: 'version', version: '1.2.0' });
    expect(parse('credit-risk-v1.2.0')).toEqual({
      kind: 'tag',
      tag: 'credit-risk-v1.2.0',
      model: 'credit-risk',
      version: '1.2.0',
    });
    expect(parse('models/baseline.onnx')).toEqual({ kind: 'path', path: 'models/baseline.onnx' });
  });

  it('takes an existing file spelled like a tag or version as the path, never production', () => {
    const exists = () => true;
    expect(parse('credit-risk-v1.2.0', exists)).toEqual({
      kind: 'path',
      path: 'credit-risk-v1.2.0',
    });
    expect(parse('1.2.0', exists)).toEqual({ kind: 'path', path: '1.2.0' });
    expect(parse('production', exists)).toEqual({ kind: 'production' });
  });

  it('refuses a tag of another model, naming both models', () => {
    expect(() => parse('credit-v1.2.0')).toThrow(
      'baseline credit-v1.2.0 is a release of credit, not of credit-risk: name a release of credit-risk, such as credit-risk-v1.2.0.',
    );
    // Without a model to hold it to (the CLI without --model), any model's tag is taken.
    expect(parseModelVersion('credit-v1.2.0', { what: 'version', accepts: ['tag'] })).toMatchObject(
      { kind: 'tag', model: 'credit' },
    );
  });

  it('refuses text no accepted form matches, in one sentence listing the forms', () => {
    const release = { what: 'input version', accepts: ['production', 'version', 'tag'] } as const;
    for (const bad of ['latest', '1.2', 'v1.2.0-rc.1', 'Credit-v1.0.0', '', 'none', 'model.onnx'])
      expect(() => parseModelVersion(bad, { ...release, model: 'credit-risk' })).toThrow(
        `input version ${JSON.stringify(bad)} is not a model version: use production, a version such as 1.2.0 or a release tag such as credit-risk-v1.2.0.`,
      );
    expect(() =>
      parseModelVersion('1.2.0', { what: 'reference', accepts: ['production', 'path'] }),
    ).toThrow('reference "1.2.0" is not a model version: use production or a path.');
  });

  it('spells the tag a version names', () => {
    expect(tagOfQuery({ kind: 'version', version: '1.2.0' }, 'credit')).toBe('credit-v1.2.0');
    expect(tagOfQuery({ kind: 'tag', tag: 'm-v1.0.0', model: 'm', version: '1.0.0' }, 'm')).toBe(
      'm-v1.0.0',
    );
    expect(tagOfQuery({ kind: 'production' }, 'm')).toBeUndefined();
  });
});
