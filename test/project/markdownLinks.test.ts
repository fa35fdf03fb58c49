/**
 * Every relative link in the repository's Markdown resolves to a file or folder of the
 * repository, so a user following the docs on GitHub or in the npm package never meets a dead
 * link, and no link points outside the repository.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';

const SKIP = new Set(['node_modules', 'build', 'lib', 'dist', 'coverage', 'scratch']);

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name.startsWith('.') || SKIP.has(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return markdownFiles(path);
    return entry.name.endsWith('.md') ? [path] : [];
  });
}

/** Link targets of inline links and images, outside code spans and fenced blocks. */
function linkTargets(markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map(
    (m) => m[1]!,
  );
}

const files = markdownFiles(ROOT);

describe('Markdown links', () => {
  it('finds the docs', () => {
    const names = files.map((f) => relative(ROOT, f));
    expect(names).toContain('README.md');
    expect(names).toContain(join('docs', 'architecture.md'));
  });

  it('resolves every relative link inside the repository', () => {
    const dead: string[] = [];
    for (const file of files) {
      for (const target of linkTargets(readFileSync(file, 'utf8'))) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue;
        const path = resolve(dirname(file), decodeURIComponent(target.split('#')[0]!));
        const inside = !relative(ROOT, path).startsWith('..');
        if (!inside || !existsSync(path)) dead.push(`${relative(ROOT, file)}: ${target}`);
      }
    }
    expect(dead).toEqual([]);
  });

  it('never cites notes that are not in the repository', () => {
    const citing = files
      .filter((f) => /\b(DESIGN|REFERENCE)\.md\b|\.\.\/shared\//.test(readFileSync(f, 'utf8')))
      .map((f) => relative(ROOT, f));
    expect(citing).toEqual([]);
  });
});
