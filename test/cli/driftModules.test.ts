// What `modelship drift` loads, counted by the start-up tracer (a count, not a timing): two raw
// files need DuckDB and the drift code, not onnxruntime (its native library is for --model), nor
// zod and yaml (for --config and a profile.json reference). Together they had cost a drift run
// about 0.1 s of its start (docs/performance.md).
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCliIfStale, ROOT } from '../support/cli.js';
import { useTempDir } from '../support/tempDir.js';

const dir = useTempDir();
const TRACER = join(ROOT, 'test', 'support', 'moduleTracer.mjs');

/** Runs `node bin/modelship.js …args` with the tracer: its exit code and the modules it loaded. */
function traced(args: string[], name: string): { code: number | null; modules: string[] } {
  const out = join(dir, `${name}.trace`);
  const result = spawnSync(
    process.execPath,
    ['--import', TRACER, join(ROOT, 'bin', 'modelship.js'), ...args],
    {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, MODELSHIP_DEBUG: '', MODELSHIP_MODULE_TRACE: out },
      timeout: 60_000,
    },
  );
  expect(result.stderr).toBe('');
  return { code: result.status, modules: readFileSync(out, 'utf8').trimEnd().split('\n') };
}

const ONNXRUNTIME = /node_modules\/onnxruntime-(node|common)\//;
const ZOD_OR_YAML = /node_modules\/(zod|yaml)\//;

beforeAll(() => {
  buildCliIfStale();
  const rows = (shift: number) =>
    ['x,c', ...Array.from({ length: 50 }, (_, i) => `${i + shift},${'abc'[i % 3]}`)].join('\n');
  writeFileSync(join(dir, 'reference.csv'), `${rows(0)}\n`);
  writeFileSync(join(dir, 'current.csv'), `${rows(5)}\n`);
});

describe('modelship drift start-up', () => {
  it('against a raw reference loads DuckDB alone of the engines: no onnxruntime, zod or yaml', () => {
    const trace = traced(['drift', '-r', 'reference.csv', '--current', 'current.csv'], 'raw');
    expect(trace.code).toBe(0);
    expect(trace.modules.filter((m) => m.startsWith('native '))).toEqual([
      expect.stringMatching(/duckdb\.node$/),
    ]);
    expect(trace.modules.filter((m) => ONNXRUNTIME.test(m))).toEqual([]);
    expect(trace.modules.filter((m) => ZOD_OR_YAML.test(m))).toEqual([]);
  });

  it('against a profile loads zod to read it, and still no onnxruntime', () => {
    const profile = traced(['profile', 'reference.csv', '-o', 'profile.json'], 'profile');
    expect(profile.code).toBe(0);
    const trace = traced(['drift', '-r', 'profile.json', '--current', 'current.csv'], 'vsProfile');
    expect(trace.code).toBe(0);
    expect(trace.modules.some((m) => /node_modules\/zod\//.test(m))).toBe(true);
    expect(trace.modules.filter((m) => ONNXRUNTIME.test(m))).toEqual([]);
  });
});
