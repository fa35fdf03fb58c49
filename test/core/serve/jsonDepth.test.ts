// jsonDepth guards JSON.parse against deep nesting before every request body is parsed; it jumps
// between structural bytes with Buffer.indexOf. Checked here against the plain byte-by-byte scan
// it replaced, on random texts of quotes, escapes, brackets and braces.
import { describe, expect, it } from 'vitest';
import { jsonDepth, jsonDepthByBytes, jsonDepthByJumps } from '../../../src/core/serve/httpBody.js';
import { pick, seededRandom } from '../../support/prng.js';

/** The byte-by-byte reference: a backslash inside a string escapes the next byte. */
function referenceDepth(body: Buffer, stopAbove = Infinity): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > stopAbove) return deepest;
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

describe('jsonDepth', () => {
  it('agrees with the byte-by-byte scan on 20,000 random texts', () => {
    const random = seededRandom(19);
    const alphabet = ['"', '\\', '[', ']', '{', '}', '1', ',', 'a', ' ', '\\\\', '\\"'];
    for (let n = 0; n < 20_000; n++) {
      const length = Math.floor(random() * 40);
      const text = Array.from({ length }, () => pick(random, alphabet)).join('');
      const body = Buffer.from(text);
      const stop = random() < 0.5 ? Infinity : Math.floor(random() * 4);
      const expected = referenceDepth(body, stop);
      const shown = JSON.stringify({ text, stop });
      expect(jsonDepth(body, stop), shown).toBe(expected);
      // Both ways of reading, whichever the body's quotes choose.
      expect(jsonDepthByBytes(body, stop), shown).toBe(expected);
      expect(jsonDepthByJumps(body, stop), shown).toBe(expected);
    }
  });

  it('reads a tensor body and stops past the limit', () => {
    const data = Array.from({ length: 26_000 }, (_, i) => i / 7);
    const body = Buffer.from(
      JSON.stringify({ id: 'a"[{', inputs: [{ name: 'x', shape: [1000, 26], data }] }),
    );
    expect(jsonDepth(body)).toBe(4);
    // A /predict body, dense in quotes, read byte by byte.
    const rows = Array.from({ length: 500 }, (_, i) => ({ a: 'x[', b: i, c: '{"' }));
    expect(jsonDepth(Buffer.from(JSON.stringify({ rows })))).toBe(3);
    expect(jsonDepth(Buffer.from(`${'['.repeat(100)}${']'.repeat(100)}`), 64)).toBe(65);
    expect(jsonDepth(Buffer.from('"[[[\\"[["'))).toBe(0);
    expect(jsonDepth(Buffer.from('["\\\\"]'))).toBe(1);
  });
});
