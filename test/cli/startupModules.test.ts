// The start-up guard: which modules a command loads, counted by a tracer preloaded into the real
// CLI process. Counts, unlike timings, do not move on a busy machine: `modelship --help` and
// `modelship gate` must not load DuckDB or onnxruntime (their native addons alone cost more than
// the 150 ms start-up budget), and a command loads only the engines it uses.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCliIfStale, ROOT } from '../support/cli.js';
import { node24 } from '../support/node24.js';
import { useTempDir } from '../support/tempDir.js';

const dir = useTempDir();
const TRACER = join(ROOT, 'test', 'support', 'moduleTracer.mjs');

interface Trace {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Every module file and native addon the process loaded. */
  modules: string[];
}

/** Runs `node bin/modelship.js …args` with the tracer; the modules it loaded, in order. */
function traced(args: string[], node = process.execPath): Trace {
  const out = join(dir, 'trace.txt');
  rmSync(out, { force: true });
  const result = spawnSync(node, ['--import', TRACER, join(ROOT, 'bin', 'modelship.js'), ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, MODELSHIP_DEBUG: '', MODELSHIP_MODULE_TRACE: out },
    timeout: 60_000,
  });
  let modules: string[] = [];
  try {
    modules = readFileSync(out, 'utf8').trimEnd().split('\n');
  } catch {
    // nothing loaded at all: the assertions below say so
  }
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, modules };
}

const DUCKDB = /node_modules\/@duckdb\//;
const ONNXRUNTIME = /node_modules\/onnxruntime-(node|common)\//;
const OCTOKIT = /node_modules\/@octokit\//;
const natives = (trace: Trace) => trace.modules.filter((m) => m.startsWith('native '));
const matching = (trace: Trace, pattern: RegExp) => trace.modules.filter((m) => pattern.test(m));

beforeAll(() => {
  buildCliIfStale();
  writeFileSync(
    join(dir, 'modelship.yml'),
    'model:\n  name: m\n  task: regression\n  path: model.onnx\n  target: y\nmetrics:\n  mae: { max: 1 }\n',
  );
  writeFileSync(join(dir, 'report.json'), '{"metrics": {"mae": 0.5}}');
  writeFileSync(join(dir, 'schema.yml'), 'columns:\n  a: { type: integer, min: 0 }\n');
  writeFileSync(join(dir, 'data.csv'), 'a\n1\n2\n');
});

describe('start-up', () => {
  it('modelship --help loads commander and the command definitions: no engine, no addon', () => {
    const trace = traced(['--help']);
    expect(trace.code).toBe(0);
    expect(trace.stdout).toMatch(/validate/);
    expect(natives(trace)).toEqual([]);
    expect(matching(trace, DUCKDB)).toEqual([]);
    expect(matching(trace, ONNXRUNTIME)).toEqual([]);
    expect(matching(trace, OCTOKIT)).toEqual([]);
    // zod and yaml are for commands that read a config, not for help.
    expect(matching(trace, /node_modules\/(zod|yaml)\//)).toEqual([]);
  });

  it('modelship gate reads the config and the report: no DuckDB, no onnxruntime', () => {
    const trace = traced(['gate', '-r', 'report.json']);
    expect(trace.stderr).toBe('');
    expect(trace.stdout).toMatch(/^gate PASSED/);
    expect(trace.code).toBe(0);
    expect(natives(trace)).toEqual([]);
    expect(matching(trace, DUCKDB)).toEqual([]);
    expect(matching(trace, ONNXRUNTIME)).toEqual([]);
    expect(matching(trace, OCTOKIT)).toEqual([]);
  });

  it('modelship gate loads, beyond what --help loads, only the config, gate and report code', () => {
    const help = new Set(traced(['--help']).modules);
    const gate = traced(['gate', '-r', 'report.json']);
    expect(gate.code).toBe(0);
    const extra = gate.modules.filter((m) => !help.has(m));
    // zod and yaml read modelship.yml; the rest is the gate's own code and what it computes with.
    const GATE_CODE =
      /node_modules\/(zod|yaml)\/|\/lib\/core\/(errors\.js|config|gate|report|stats|metrics|fairness|files)\//;
    expect(extra.filter((m) => !GATE_CODE.test(m))).toEqual([]);
    // 250 files (zod 95 of them, 62 its locales; yaml 73); Node 22.15+ drops the locales below.
    expect(gate.modules.length).toBeLessThanOrEqual(255);
  });

  it('on Node 24 (what package.json asks for) gate loads zod with English alone: 188 files', () => {
    const gate = traced(['gate', '-r', 'report.json'], node24());
    expect(gate.stderr).toBe('');
    expect(gate.code).toBe(0);
    expect(matching(gate, /node_modules\/zod\/v4\/locales\//)).toEqual([
      expect.stringMatching(/\/locales\/en\.js$/),
    ]);
    expect(gate.modules.length).toBeLessThanOrEqual(190);
  });

  it('modelship validate loads DuckDB (the tracer sees it) and nothing of the model or GitHub', () => {
    const trace = traced(['validate', 'data.csv', '--schema', 'schema.yml']);
    expect(trace.stdout).toMatch(/PASS|passed/i);
    expect(trace.code).toBe(0);
    expect(natives(trace)).toEqual([expect.stringMatching(/duckdb\.node$/)]);
    expect(matching(trace, ONNXRUNTIME)).toEqual([]);
    expect(matching(trace, OCTOKIT)).toEqual([]);
  });

  it('a subcommand help (serve --help) loads no engine either', () => {
    const trace = traced(['serve', '--help']);
    expect(trace.code).toBe(0);
    expect(natives(trace)).toEqual([]);
    expect(matching(trace, DUCKDB)).toEqual([]);
    expect(matching(trace, ONNXRUNTIME)).toEqual([]);
  });
});
