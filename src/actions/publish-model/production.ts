import { readFileSync } from 'node:fs';
import { BUNDLE_FILES } from '../../core/release/bundle.js';
import { ModelshipError } from '../../core/errors.js';
import type { PublishedContent, ReleaseContent } from '../../core/release/versionBump.js';
import type { ModelRelease } from '../../github/releases/apiRelease.js';

/**
 * What production holds, as far as versioning cares, read from its verified release assets
 * (`files`: name → downloaded path). A release without the bundle's files (published by
 * something else) has unknown content: with an explicit `version` it counts as different; with
 * `bump` it is an error.
 */
export function publishedContent(
  release: ModelRelease,
  files: ReadonlyMap<string, string>,
  fallback: { candidate: ReleaseContent; explicit: boolean; modelSha256: string | undefined },
): PublishedContent {
  const { version } = release;
  const modelSha256 = fallback.modelSha256;
  const config = files.get(BUNDLE_FILES.config);
  if (config === undefined || modelSha256 === undefined) {
    if (fallback.explicit) return { ...fallback.candidate, modelSha256: 'unknown', version };
    throw new ModelshipError(
      `Production ${release.tag} has no ${BUNDLE_FILES.config} or ${BUNDLE_FILES.model} asset, so what changed cannot be read: set the \`version\` input to publish this model.`,
    );
  }
  const read = (name: string): string | null => {
    const path = files.get(name);
    return path === undefined ? null : readFileSync(path, 'utf8');
  };
  return {
    version,
    config: readFileSync(config, 'utf8'),
    schema: read(BUNDLE_FILES.schema),
    card: read(BUNDLE_FILES.card) ?? '',
    modelSha256,
  };
}
