// Directory outputs: image manifests and demo write only where they may, never over a user's files.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCliIfStale, expectOneSentence, runCli } from '../support/cli.js';
import { writeManifestOnlyBundle } from '../support/minimalBundle.js';
import { useTempDir } from '../support/tempDir.js';

const dir = useTempDir();
const IMAGE = `ghcr.io/o/m@sha256:${'a'.repeat(64)}`;

beforeAll(() => {
  buildCliIfStale();
  writeManifestOnlyBundle(join(dir, 'bundle'));
});

describe('image manifests -o', () => {
  it('refuses the bundle itself, and a deployment.yaml it did not write', () => {
    expectOneSentence(
      runCli(['image', 'manifests', 'bundle', '--image', IMAGE, '-o', 'bundle'], dir),
      /^modelship: --out bundle: is inside the release bundle bundle, an input of this command/,
    );
    expect(readdirSync(join(dir, 'bundle')).sort()).toEqual(['manifest.json', 'model.onnx']);
    const project = join(dir, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'deployment.yaml'), 'kind: Deployment # mine\n');
    expectOneSentence(
      runCli(['image', 'manifests', 'bundle', '--image', IMAGE, '-o', 'project'], dir),
      /^modelship: --out project: already holds deployment\.yaml, not written by modelship image manifests/,
    );
    expect(readFileSync(join(project, 'deployment.yaml'), 'utf8')).toBe(
      'kind: Deployment # mine\n',
    );
    // Its own earlier output is replaced.
    const k8s = join(dir, 'k8s');
    for (let i = 0; i < 2; i++)
      expect(
        runCli(['image', 'manifests', 'bundle', '--image', IMAGE, '-o', 'k8s'], dir).code,
      ).toBe(0);
    expect(readdirSync(k8s).sort()).toEqual(['deployment.yaml', 'inferenceservice.yaml']);
  });
});

describe('demo --out', () => {
  it('refuses a non-empty directory an earlier demo did not make, and the current directory', () => {
    const project = join(dir, 'mine');
    mkdirSync(project);
    writeFileSync(join(project, 'evaluate.json'), '{"mine": true}');
    expectOneSentence(
      runCli(['demo', '--out', 'mine'], dir),
      /^modelship: --out \S*mine: exists, is not empty and is not an earlier output of modelship demo/,
    );
    expectOneSentence(
      runCli(['demo', '--out', '.'], project),
      /^modelship: --out \S+: is or holds the current directory; choose a new directory/,
    );
    expect(readdirSync(project)).toEqual(['evaluate.json']);
  });
});

describe('train --output-dir', () => {
  it('refuses a directory whose manifest.json is not an earlier run manifest (a bundle)', () => {
    writeFileSync(
      join(dir, 'modelship.yml'),
      'model:\n  name: m\n  task: regression\n  path: m.onnx\n  target: y\n  features: [a]\ntrain:\n  command: "true"\n  gpu: none\n',
    );
    const before = readFileSync(join(dir, 'bundle', 'manifest.json'), 'utf8');
    expectOneSentence(
      runCli(['train', '--output-dir', 'bundle'], dir),
      /^modelship: \S*bundle\/manifest\.json: exists and is not the manifest of an earlier training run; choose another --output-dir/,
    );
    expect(readFileSync(join(dir, 'bundle', 'manifest.json'), 'utf8')).toBe(before);
  });

  it('train --command true beside an old model fails, and records no manifest', () => {
    writeFileSync(join(dir, 'm.onnx'), 'an old model');
    const result = runCli(['train', '--command', 'true'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^modelship: train command "true" exited 0 but did not write a new model: \S*m\.onnx is the file that was there before the run, unchanged/,
    );
    expect(existsSync(join(dir, 'manifest.json'))).toBe(false);
  });
});
