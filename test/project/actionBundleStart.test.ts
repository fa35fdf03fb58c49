// The bundled actions' start, counted: the action bundle built as the release builds it, and
// what each entry loads before its step (scripts/release/actionBundle.mjs's startProblems, which
// fails the release build). Counts, unlike timings, hold on a busy machine.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCliIfStale, ROOT } from '../support/cli.js';
import { useTempDir } from '../support/tempDir.js';

interface Metafile {
  inputs: Record<string, unknown>;
  outputs: Record<
    string,
    {
      entryPoint?: string;
      inputs: Record<string, { bytesInOutput: number }>;
      imports: { path: string; kind: string; external?: boolean }[];
    }
  >;
}
interface Bundler {
  bundleActions(dist: string, runtimeBuild: unknown, root: string): Promise<Metafile>;
  startProblems(metafile: Metafile): string[];
  staticInputs(metafile: Metafile, output: string): Set<string>;
  STEPS: string[];
  MOST_START_FILES: number;
}

const dir = useTempDir();
let bundler: Bundler;
let meta: Metafile;
const dist = join(dir, 'dist');

/** The output file of an entry and the source files it loads before its step. */
function start(entry: string): { output: string; loaded: string[] } {
  const output = Object.entries(meta.outputs).find(([, o]) => o.entryPoint === entry)![0];
  return { output, loaded: [...bundler.staticInputs(meta, output)] };
}

beforeAll(async () => {
  buildCliIfStale(); // actionBundle.mjs reads the step table from lib/
  bundler = (await import(join(ROOT, 'scripts/release/actionBundle.mjs'))) as Bundler;
  meta = await bundler.bundleActions(
    dist,
    { version: '0.0.0', repository: 'o/r', archives: {} },
    ROOT,
  );
}, 120_000);

describe('the bundled actions before their step', () => {
  it('load a step runner and @actions/core: no HTTP client, no artifact client, English alone', () => {
    expect(bundler.startProblems(meta)).toEqual([]);
    for (const step of bundler.STEPS) {
      const { loaded } = start(`src/actions/${step}/index.ts`);
      expect(loaded.length, step).toBeLessThanOrEqual(bundler.MOST_START_FILES);
      expect(
        loaded.filter((f) => /node_modules\/(undici|@actions\/http-client)\//.test(f)),
      ).toEqual([]);
    }
    expect(Object.keys(meta.inputs).filter((f) => /zod\/v4\/locales\//.test(f))).toEqual([
      'node_modules/zod/v4/locales/en.js',
    ]);
  });

  it('start with the compile cache, then import the step', () => {
    for (const step of ['.', ...bundler.STEPS]) {
      const index = readFileSync(join(dist, step, 'index.js'), 'utf8');
      expect(index).toMatch(
        /^import module from 'node:module';\nmodule\.enableCompileCache\?\.\(\);/,
      );
      expect(index).toContain("await import('./run.js');");
    }
  });

  it('names what grew: native code or an HTTP client at a step start, too many files, a second locale', () => {
    const { output } = start('src/actions/gate/index.ts');
    const grown = structuredClone(meta);
    const inputs = grown.outputs[output]!.inputs;
    inputs['node_modules/undici/index.js'] = { bytesInOutput: 1 };
    inputs['node_modules/@duckdb/node-api/lib/index.js'] = { bytesInOutput: 1 };
    for (let i = 0; i < bundler.MOST_START_FILES; i++)
      inputs[`src/padding/${i}.ts`] = { bytesInOutput: 1 };
    grown.inputs['node_modules/zod/v4/locales/fr.js'] = {};
    expect(bundler.startProblems(grown)).toEqual([
      expect.stringMatching(/^dist\/gate loads \d+ source files at start, more than 30$/),
      'dist/gate loads node_modules/@duckdb/node-api/lib/index.js at start, before its runtime is prepared',
      'dist/gate loads node_modules/undici/index.js at start; import it where it is used',
      'the action bundle holds a zod locale other than English: node_modules/zod/v4/locales/fr.js',
    ]);
  });
});
