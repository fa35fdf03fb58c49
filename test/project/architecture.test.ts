/**
 * The layers of src/, checked on every import (docs/architecture.md explains them): core knows
 * nothing of GitHub, the actions or the CLI; github knows nothing of the actions or the CLI; the
 * two fronts do not import each other; inside core an area imports only areas below it; and no
 * file imports itself through a circle of others.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';

const SRC = join(ROOT, 'src');

/** Core's areas from the bottom up: an area may import its own files and those of lower ranks. */
export const CORE_RANKS: Record<string, number> = {
  'errors.ts': 0,
  'numberText.ts': 0,
  files: 0,
  config: 1,
  data: 2,
  metrics: 3,
  fairness: 3,
  model: 3,
  stats: 3,
  gate: 4,
  evaluation: 5,
  workspace: 5,
  report: 6,
  train: 7,
  drift: 7,
  serve: 7,
  release: 8,
  deploy: 9,
  runtime: 10,
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The relative modules a file imports, exports from or loads with import(), as source paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [
    ...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'/g),
    ...text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g),
  ].map((m) => m[1]!);
  return specifiers
    .filter((s) => s.startsWith('.'))
    .map((s) => resolve(dirname(file), s).replace(/\.js$/, '.ts'));
}

/** core:<area>, github, actions, cli, or root (src/index.ts and the serving entry). */
function layerOf(file: string): string {
  const parts = relative(SRC, file).split(/[\\/]/);
  if (parts[0] === 'core') return `core:${parts.length === 2 ? parts[1] : parts[1]}`;
  return parts.length === 1 ? 'root' : parts[0]!;
}

const FRONT_LAYERS: Record<string, readonly string[]> = {
  github: ['actions', 'cli', 'root'],
  actions: ['cli', 'root'],
  cli: ['actions', 'root'],
};

const files = sourceFiles(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f)]));

describe('the layers of src/', () => {
  it('has a rank for every core area', () => {
    const areas = new Set(
      files.filter((f) => layerOf(f).startsWith('core:')).map((f) => layerOf(f).slice(5)),
    );
    expect([...areas].filter((a) => CORE_RANKS[a] === undefined)).toEqual([]);
  });

  it('never imports up a layer', () => {
    const upward: string[] = [];
    for (const [file, imports] of graph) {
      const from = layerOf(file);
      for (const target of imports) {
        const to = layerOf(target);
        const name = `${relative(SRC, file)} → ${relative(SRC, target)}`;
        if (from.startsWith('core:')) {
          if (!to.startsWith('core:')) upward.push(name);
          else if (CORE_RANKS[to.slice(5)]! > CORE_RANKS[from.slice(5)]!) upward.push(name);
        } else if (FRONT_LAYERS[from]?.includes(to)) upward.push(name);
      }
    }
    expect(upward).toEqual([]);
  });

  it('has no circle of imports', () => {
    // Tarjan's strongly connected components: any component of two or more files is a circle.
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const circles: string[][] = [];
    let next = 0;
    const visit = (file: string): void => {
      index.set(file, next);
      low.set(file, next++);
      stack.push(file);
      onStack.add(file);
      for (const target of graph.get(file) ?? []) {
        if (!graph.has(target)) continue;
        if (!index.has(target)) {
          visit(target);
          low.set(file, Math.min(low.get(file)!, low.get(target)!));
        } else if (onStack.has(target)) low.set(file, Math.min(low.get(file)!, index.get(target)!));
      }
      if (low.get(file) !== index.get(file)) return;
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(relative(SRC, member));
      } while (member !== file);
      if (component.length > 1) circles.push(component.sort());
    };
    for (const file of files) if (!index.has(file)) visit(file);
    expect(circles).toEqual([]);
  });

  it('reads every import it checks', () => {
    // A sanity check of the parser: the layers above are only as good as the imports it finds.
    const evaluate = graph.get(join(SRC, 'core', 'evaluation', 'evaluate.ts'))!;
    expect(evaluate).toContain(join(SRC, 'core', 'metrics', 'binary.ts'));
    const unresolved = [...graph.values()].flat().filter((t) => !graph.has(t));
    expect(unresolved).toEqual([]);
  });
});
