// modelship image manifests with a candidate image: shadow.yaml and inferenceservice-canary.yaml.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCliIfStale, expectOneSentence, runCli } from '../support/cli.js';
import { writeManifestOnlyBundle } from '../support/minimalBundle.js';
import { useTempDir } from '../support/tempDir.js';

const dir = useTempDir();
const IMAGE = `ghcr.io/o/m@sha256:${'a'.repeat(64)}`;
const CANDIDATE = `ghcr.io/o/m@sha256:${'b'.repeat(64)}`;

beforeAll(() => {
  buildCliIfStale();
  writeManifestOnlyBundle(join(dir, 'bundle'));
});

describe('image manifests --shadow-image / --canary-image', () => {
  it('writes the shadow Deployment and the canary InferenceService beside the others', () => {
    const args = ['image', 'manifests', 'bundle', '--image', IMAGE, '-o', 'k8s'];
    const result = runCli(
      [...args, '--shadow-image', CANDIDATE, '--canary-image', CANDIDATE, '--canary-percent', '5'],
      dir,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(readdirSync(join(dir, 'k8s')).sort()).toEqual([
      'deployment.yaml',
      'inferenceservice-canary.yaml',
      'inferenceservice.yaml',
      'shadow.yaml',
    ]);
    expect(readFileSync(join(dir, 'k8s', 'inferenceservice-canary.yaml'), 'utf8')).toMatch(
      /canaryTrafficPercent: 5\n/,
    );
    expect(readFileSync(join(dir, 'k8s', 'shadow.yaml'), 'utf8')).toContain(CANDIDATE);
    // A second run replaces its own files.
    expect(runCli([...args, '--shadow-image', CANDIDATE], dir).code).toBe(0);
  });

  it('refuses a candidate without a digest, and a canary without its percentage', () => {
    const args = ['image', 'manifests', 'bundle', '--image', IMAGE, '-o', 'other'];
    expectOneSentence(
      runCli([...args, '--shadow-image', 'ghcr.io/o/m:2'], dir),
      /--shadow-image ghcr\.io\/o\/m:2 is not pinned by digest/,
    );
    expectOneSentence(
      runCli([...args, '--canary-image', CANDIDATE], dir),
      /--canary-image and --canary-percent go together/,
    );
    expectOneSentence(
      runCli([...args, '--canary-image', CANDIDATE, '--canary-percent', '150'], dir),
      /--canary-image and --canary-percent go together, the percentage from 0 to 100/,
    );
  });
});
