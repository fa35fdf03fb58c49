import { describe, expect, it } from 'vitest';
import { compareVersions, parseModelTag, versionOfModel } from '../../src/github/modelTag.js';
import { parseSha256Sums } from '../../src/github/sha256sums.js';
import { trimLine, trimMarkdown } from '../../src/github/textLimits.js';

describe('trimMarkdown', () => {
  it('leaves text within the limit alone', () => {
    expect(trimMarkdown('short', 10, 'note')).toBe('short');
  });

  it('cuts at a line end and appends the note, within the limit', () => {
    const text = Array.from({ length: 200 }, (_, i) => `line ${i}`).join('\n');
    const trimmed = trimMarkdown(text, 500, '_trimmed_');
    expect(trimmed.length).toBeLessThanOrEqual(500);
    expect(trimmed).toMatch(/line \d+\n\n_trimmed_$/);
  });

  it('closes a code fence the cut left open, with the same fence', () => {
    const text = `intro\n~~~~\n${'code\n'.repeat(100)}~~~~\n`;
    expect(trimMarkdown(text, 200, 'N')).toMatch(/code\n~~~~\n\nN$/);
  });

  it('does not split a surrogate pair', () => {
    const trimmed = trimMarkdown('😀'.repeat(100), 60, 'N');
    expect(trimmed.length).toBeLessThanOrEqual(60);
    expect(trimmed).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });
});

describe('trimLine', () => {
  it('collapses whitespace and ends a cut line with an ellipsis', () => {
    expect(trimLine('a\n  b', 140)).toBe('a b');
    expect(trimLine('x'.repeat(200), 140)).toBe(`${'x'.repeat(139)}…`);
  });
});

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

describe('parseSha256Sums', () => {
  const hex = 'ab'.repeat(32);
  it('reads text and binary mode lines, and ./ prefixes', () => {
    const sums = parseSha256Sums(`${hex}  model.onnx\n${hex.toUpperCase()} *./card.md\n\n`, 'S');
    expect([...sums]).toEqual([
      ['model.onnx', hex],
      ['card.md', hex],
    ]);
  });

  it('refuses a name listed twice with different digests', () => {
    expect(() => parseSha256Sums(`${hex}  a\n${'cd'.repeat(32)}  a\n`, 'S')).toThrow(/twice/);
  });
});
