// package.json's engines.node is what the installed package's dependency tree needs: the highest
// lower bound of the engines.node ranges of every production package in package-lock.json (the
// ones npm installs for a user: not `dev`). A dependency update that raises it fails here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';

type Version = [number, number, number];

interface LockEntry {
  version?: string;
  dev?: boolean;
  link?: boolean;
  engines?: { node?: string } | string[];
}

/** "20", "20.1", "0.8.x", "v14.17.0" → [major, minor, patch], wildcards as 0. */
function parseVersion(text: string): Version {
  const parts = text
    .replace(/^v/, '')
    .split('-')[0]!
    .split('.')
    .map((p) => (/^\d+$/.test(p) ? Number(p) : 0));
  return [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0];
}

function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/**
 * The lowest version a semver range admits: the lowest of its `||` alternatives, each the highest
 * of its lower-bounding comparators (>=, >, ^, ~, =, a bare or x-range version); `<` and `<=` only
 * cap a range, and `*` or an empty range admits anything.
 */
function lowerBound(range: string): Version {
  const alternatives = range.split('||').map((alternative) => {
    const comparators = alternative
      .trim()
      .replace(/([<>=~^]+)\s+/g, '$1')
      .split(/\s+/);
    let bound: Version = [0, 0, 0];
    for (const comparator of comparators.filter(Boolean)) {
      const match = /^(>=|>|\^|~|=)?v?(\d[\w.*-]*|\*|x)$/i.exec(comparator);
      if (!match || /^[*x]$/i.test(match[2]!)) continue; // <, <=, *
      const version = parseVersion(match[2]!);
      if (compare(version, bound) > 0) bound = version;
    }
    return bound;
  });
  return alternatives.reduce((low, v) => (compare(v, low) < 0 ? v : low));
}

const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
  dependencies: Record<string, string>;
};
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, LockEntry>;
};

describe('engines.node', () => {
  it('reads semver lower bounds', () => {
    expect(lowerBound('>=22')).toEqual([22, 0, 0]);
    expect(lowerBound('>= 20')).toEqual([20, 0, 0]);
    expect(lowerBound('20 || >=22')).toEqual([20, 0, 0]);
    expect(lowerBound('^12.22.0 || ^14.17.0 || >=16.0.0')).toEqual([12, 22, 0]);
    expect(lowerBound('>=16 || 14 >=14.17')).toEqual([14, 17, 0]);
    expect(lowerBound('>=0.6.11 <=0.7.0 || >=0.7.3')).toEqual([0, 6, 11]);
    expect(lowerBound('>=0.8.x')).toEqual([0, 8, 0]);
    expect(lowerBound('*')).toEqual([0, 0, 0]);
  });

  it("is the highest lower bound of the production dependencies' engines.node ranges", () => {
    const production = Object.entries(lock.packages).filter(
      ([path, entry]) => path.startsWith('node_modules/') && !entry.dev && !entry.link,
    );
    // The CLI's own dependencies are all there, and the action tree's are not.
    const names = new Set(production.map(([path]) => path.replace(/^.*node_modules\//, '')));
    for (const name of Object.keys(packageJson.dependencies)) expect(names).toContain(name);
    expect([...names].filter((n) => n.startsWith('@actions/'))).toEqual([]);

    let highest: Version = [0, 0, 0];
    const needs: string[] = [];
    for (const [path, entry] of production) {
      const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      if (!range) continue;
      const bound = lowerBound(range);
      const order = compare(bound, highest);
      const who = `${path.replace(/^.*node_modules\//, '')}@${entry.version} (${range})`;
      if (order > 0) {
        highest = bound;
        needs.length = 0;
      }
      if (order >= 0) needs.push(who);
    }
    const claimed = packageJson.engines.node;
    const expected = `>=${highest[0]}${highest[1] || highest[2] ? `.${highest[1]}.${highest[2]}` : ''}`;
    expect(claimed, `the production tree needs ${expected}, for ${needs.join(', ')}`).toBe(
      expected,
    );
  });
});
