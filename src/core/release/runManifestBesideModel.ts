/**
 * The training run manifest `modelship train` leaves beside the model (manifest.json in the
 * model's directory, its default output directory), which `modelship package` includes without
 * --manifest when it describes that very model.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RunManifest } from '../train/runManifest.js';
import { hashFile } from '../files/fileDigest.js';

/** The file name `modelship train` gives the run manifest in its output directory. */
export const RUN_MANIFEST_FILE = 'manifest.json';

export type RunManifestBesideModel =
  | { kind: 'none' }
  | { kind: 'found'; path: string; manifest: RunManifest }
  /** A manifest.json that is not this model's run: why, in a clause. */
  | { kind: 'skipped'; path: string; reason: string };

/** Looks for the run manifest of `modelPath` beside it; never throws for what it finds there. */
export async function runManifestBesideModel(modelPath: string): Promise<RunManifestBesideModel> {
  const path = join(dirname(modelPath), RUN_MANIFEST_FILE);
  // Without the model, packaging fails on the model itself, with its own message.
  if (!existsSync(path) || !existsSync(modelPath)) return { kind: 'none' };
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    value = undefined;
  }
  // A release bundle's manifest.json, say, when --model points into a bundle.
  if (!isRunManifest(value))
    return { kind: 'skipped', path, reason: 'it is not a training run manifest' };
  const model = await hashFile(modelPath);
  if (value.model.sha256 !== model.sha256)
    return {
      kind: 'skipped',
      path,
      reason: `it describes another model (sha256 ${value.model.sha256.slice(0, 12)}…, this one ${model.sha256.slice(0, 12)}…), an earlier training run's`,
    };
  return { kind: 'found', path, manifest: value };
}

/** Whether JSON has what packaging reads of a training run manifest: model.sha256, run.command. */
export function isRunManifest(value: unknown): value is RunManifest {
  const manifest = value as Partial<RunManifest> | null;
  return (
    typeof manifest === 'object' &&
    manifest !== null &&
    typeof manifest.model?.sha256 === 'string' &&
    typeof manifest.run?.command === 'string'
  );
}
