import { describe, expect, it } from 'vitest';
import {
  parseSha256Sums,
  sha256sums,
  sumsDifferences,
} from '../../../src/core/release/checksums.js';

const hex = 'ab'.repeat(32);
const other = 'cd'.repeat(32);

describe('SHA256SUMS', () => {
  it('reads text and binary mode lines, and ./ prefixes', () => {
    const sums = parseSha256Sums(`${hex}  model.onnx\n${hex.toUpperCase()} *./card.md\n\n`, 'S');
    expect([...sums]).toEqual([
      ['model.onnx', hex],
      ['card.md', hex],
    ]);
  });

  it('refuses a name listed twice with different digests, and a malformed line', () => {
    expect(() => parseSha256Sums(`${hex}  a\n${other}  a\n`, 'S')).toThrow(/twice/);
    expect(() => parseSha256Sums(`${hex} a\n`, 'S')).toThrow(
      'S line 1 is not "<sha256>  <file>" as sha256sum writes it: republish the release with a valid SHA256SUMS.',
    );
  });

  it('reads back what it writes, sorted by name as sha256sum -c expects', () => {
    const text = sha256sums([
      { name: 'model.onnx', sha256: other },
      { name: 'MODEL_CARD.md', sha256: hex },
    ]);
    expect(text).toBe(`${hex}  MODEL_CARD.md\n${other}  model.onnx\n`);
    expect(parseSha256Sums(text, 'S')).toEqual(
      new Map([
        ['MODEL_CARD.md', hex],
        ['model.onnx', other],
      ]),
    );
  });

  it('says how two lists differ, one phrase per file', () => {
    const ours = new Map([
      ['a', hex],
      ['b', hex],
    ]);
    const theirs = new Map([
      ['a', other],
      ['c', hex],
    ]);
    expect(sumsDifferences(ours, theirs)).toEqual([
      'a differs',
      'b is not listed',
      'c is listed but not published',
    ]);
    expect(sumsDifferences(ours, new Map(ours))).toEqual([]);
  });
});

describe('sha256sums with paths', () => {
  const digest = 'a'.repeat(64);
  it('lists relative paths an archive holds, and still refuses what could leave it', () => {
    expect(sha256sums([{ name: 'bin/node', sha256: digest }], { paths: true })).toBe(
      `${digest}  bin/node\n`,
    );
    expect(() => sha256sums([{ name: 'bin/node', sha256: digest }])).toThrow(
      'bin/node: not a plain file name for SHA256SUMS.',
    );
    for (const name of ['../x', 'a/../b', '/etc/passwd', 'a//b', './a', 'a/'])
      expect(() => sha256sums([{ name, sha256: digest }], { paths: true }), name).toThrow(
        `${name}: not a plain file name for SHA256SUMS.`,
      );
  });
});
