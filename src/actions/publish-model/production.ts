import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUNDLE_FILES } from '../../core/release/bundle.js';
import { ModelshipError } from '../../core/errors.js';
import type { PublishedContent, ReleaseContent } from '../../core/release/versionBump.js';
import type { ModelRegistry, ModelRelease } from '../../github/modelRegistry.js';

/**
 * What production holds, as far as versioning cares, read from its verified release assets. A
 * release without the bundle's files (published by something else) has unknown content: with an
 * explicit `version` it counts as different; with `bump` it is an error.
 */
export async function publishedContent(
  registry: ModelRegistry,
  release: ModelRelease,
  dir: string,
  fallback: { candidate: ReleaseContent; explicit: boolean; modelSha256: string | undefined },
): Promise<PublishedContent> {
  const has = (name: string) => release.assets.some((a) => a.name === name);
  const version = `${release.major}.${release.minor}.${release.patch}`;
  const modelSha256 = fallback.modelSha256;
  if (!has(BUNDLE_FILES.config) || modelSha256 === undefined) {
    if (fallback.explicit) return { ...fallback.candidate, modelSha256: 'unknown', version };
    throw new ModelshipError(
      `Production ${release.tag} has no ${BUNDLE_FILES.config} or ${BUNDLE_FILES.model} asset, so what changed cannot be read: set the \`version\` input to publish this model.`,
    );
  }
  const read = async (name: string): Promise<string> => {
    const path = join(dir, name);
    await registry.downloadVerified(release, name, path);
    return readFileSync(path, 'utf8');
  };
  return {
    version,
    config: await read(BUNDLE_FILES.config),
    schema: has(BUNDLE_FILES.schema) ? await read(BUNDLE_FILES.schema) : null,
    card: has(BUNDLE_FILES.card) ? await read(BUNDLE_FILES.card) : '',
    modelSha256,
  };
}
