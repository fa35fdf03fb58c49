/**
 * manifest.json of a release bundle on disk, checked against the files beside it: an image is
 * built only from a bundle whose every file has the digest its manifest records.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelshipError, messageOf } from '../errors.js';
import type { ReleaseManifest } from '../release/bundle.js';
import { BUNDLE_FILES } from '../release/bundleFiles.js';
import { hashFile } from '../files/fileDigest.js';

/** Reads the bundle's manifest and verifies model.onnx and every file it lists. */
export async function readReleaseManifest(bundle: string): Promise<ReleaseManifest> {
  const path = join(bundle, BUNDLE_FILES.manifest);
  let manifest: ReleaseManifest;
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8')) as ReleaseManifest;
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new ModelshipError(
      missing
        ? `${bundle}: has no ${BUNDLE_FILES.manifest}, so it is not a release bundle; pass the directory modelship package wrote (or modelship registry download fetched).`
        : `${path}: cannot be read as JSON (${messageOf(error)}).`,
    );
  }
  if (
    typeof manifest?.name !== 'string' ||
    typeof manifest.version !== 'string' ||
    typeof manifest.files !== 'object' ||
    !manifest.files?.[BUNDLE_FILES.model]
  ) {
    throw new ModelshipError(
      `${path}: not a release manifest with name, version and files including ${BUNDLE_FILES.model}; repackage the bundle.`,
    );
  }
  for (const [name, recorded] of Object.entries(manifest.files)) {
    const { sha256 } = await hashFile(join(bundle, name));
    if (sha256 !== recorded.sha256)
      throw new ModelshipError(
        `${join(bundle, name)}: its SHA-256 ${sha256} differs from ${recorded.sha256} in ${BUNDLE_FILES.manifest}; the bundle was altered, so repackage or download it again.`,
      );
  }
  return manifest;
}
