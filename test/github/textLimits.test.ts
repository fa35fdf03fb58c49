import { describe, expect, it } from 'vitest';
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
