import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DefaultArtifactClient } from '@actions/artifact';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultArtifactName, uploadArtifact } from '../../src/actions/artifact.js';
import { ModelshipError } from '../../src/core/errors.js';
import { useTempDir } from '../support/tempDir.js';
import { captureActionsLog, setActionsEnv } from '../support/cache/actionsEnv.js';
import { ResultsService } from '../support/cache/resultsService.js';
import { readZip } from '../support/cache/zip.js';

const root = useTempDir();
let service: ResultsService;
let restoreEnv: () => void = () => {};
let log: ReturnType<typeof captureActionsLog>;
let outDir: string;

const OUTPUT = {
  'model.onnx': randomBytes(200_000),
  'manifest.json': Buffer.from('{"model":"churn","version":"0.1.0"}\n'),
  'metrics/metrics.json': Buffer.from('{"auc":0.91}\n'),
};

function writeOutput(dir: string, files: Record<string, Buffer>): string[] {
  return Object.entries(files).map(([name, bytes]) => {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), bytes);
    return join(dir, name);
  });
}

beforeAll(async () => {
  service = await ResultsService.start();
  restoreEnv = setActionsEnv(service.env(), root);
  log = captureActionsLog();
  outDir = join(root, 'out');
});

afterAll(async () => {
  log?.restore();
  restoreEnv();
  await service?.stop();
});

describe('uploadArtifact against the results-service stand-in and Azurite', () => {
  const name = defaultArtifactName('churn');

  it('uploads model, manifest and metrics as one zip that lands in blob storage', async () => {
    const files = writeOutput(outDir, OUTPUT);
    const uploaded = await uploadArtifact({
      name,
      files,
      rootDirectory: outDir,
      retentionDays: 5,
    });
    expect(name).toBe('candidate-churn');
    expect(uploaded).toMatchObject({ name, id: expect.any(Number), size: expect.any(Number) });
    expect(uploaded.size).toBeGreaterThan(0);

    const stored = service.artifacts.find((artifact) => artifact.id === uploaded.id)!;
    expect(stored).toMatchObject({ name, finalized: true, size: uploaded.size });
    expect(stored.digest).toBe(`sha256:${uploaded.digest}`);
    expect(Date.parse(stored.expiresAt!) - Date.now()).toBeGreaterThan(4 * 24 * 3600 * 1000);

    const zip = readZip(await service.artifactBlob(stored));
    expect([...zip.keys()].sort()).toEqual(Object.keys(OUTPUT).sort());
    for (const [path, bytes] of Object.entries(OUTPUT)) {
      expect(zip.get(path)!.equals(bytes), path).toBe(true);
    }
  });

  it('is what the evaluate job downloads with the artifact client', async () => {
    const client = new DefaultArtifactClient();
    const { artifact } = await client.getArtifact(name);
    const target = join(root, 'downloaded');
    await client.downloadArtifact(artifact.id, { path: target });
    for (const [path, bytes] of Object.entries(OUTPUT)) {
      expect(readFileSync(join(target, path)).equals(bytes), path).toBe(true);
    }
  });

  it('refuses a second upload with the same name in the run, saying what to do', async () => {
    const files = writeOutput(outDir, OUTPUT);
    const upload = uploadArtifact({ name, files, rootDirectory: outDir });
    await expect(upload).rejects.toThrow(ModelshipError);
    await expect(upload).rejects.toThrow(
      'An artifact named "candidate-churn" already exists in this workflow run; set a different `artifact-name`',
    );
    expect(service.callsTo('CreateArtifact').at(-1)).toMatchObject({
      status: 409,
      code: 'already_exists',
    });
    expect(service.artifacts.filter((artifact) => artifact.name === name)).toHaveLength(1);
  });

  it('replaces the earlier artifact with overwrite', async () => {
    const earlier = service.artifacts.find((artifact) => artifact.name === name)!;
    const retrained = { ...OUTPUT, 'model.onnx': randomBytes(1000) };
    const files = writeOutput(outDir, retrained);
    const uploaded = await uploadArtifact({
      name,
      files,
      rootDirectory: outDir,
      overwrite: true,
    });
    expect(uploaded.replacedId).toBe(earlier.id);
    expect(uploaded.id).not.toBe(earlier.id);
    expect(await service.artifactBlobExists(earlier)).toBe(false);
    const current = service.artifacts.filter((artifact) => artifact.name === name);
    expect(current.map((artifact) => artifact.id)).toEqual([uploaded.id]);
    const zip = readZip(await service.artifactBlob(current[0]!));
    expect(zip.get('model.onnx')!.equals(retrained['model.onnx'])).toBe(true);
  });

  it('uploads with overwrite when there is nothing to replace', async () => {
    const files = writeOutput(outDir, OUTPUT);
    const uploaded = await uploadArtifact({
      name: 'candidate-other',
      files,
      rootDirectory: outDir,
      overwrite: true,
    });
    expect(uploaded.replacedId).toBeUndefined();
    expect(uploaded.id).toBeGreaterThan(0);
  });

  it('names a bad artifact name, a missing file and a file outside the root', async () => {
    const files = writeOutput(outDir, OUTPUT);
    await expect(uploadArtifact({ name: 'a/b', files, rootDirectory: outDir })).rejects.toThrow(
      /artifact-name "a\/b" contains "\/"/,
    );
    await expect(
      uploadArtifact({
        name: 'x',
        files: [join(outDir, 'nope.onnx')],
        rootDirectory: outDir,
      }),
    ).rejects.toThrow(/nope\.onnx: no such file/);
    await expect(
      uploadArtifact({ name: 'x', files, rootDirectory: join(outDir, 'metrics') }),
    ).rejects.toThrow(/not below the artifact's root directory/);
    expect(defaultArtifactName('team/churn: v2')).toBe('candidate-team-churn- v2');
  });

  it('saw only well-formed requests', () => {
    expect(service.violations).toEqual([]);
  });
});
