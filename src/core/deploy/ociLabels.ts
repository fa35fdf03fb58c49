/**
 * OCI image labels of a serving image (the org.opencontainers.image.* annotation keys), plus the
 * model's own: which release, which model bytes. `created` is the release's time, not the build's,
 * so rebuilding a version gives the same labels.
 */
import type { ReleaseManifest } from '../release/bundle.js';

/** The label holding `sha256:<hex>` of model.onnx. */
export const MODEL_DIGEST_LABEL = 'io.modelship.model.digest';

export interface OciLabelInput {
  manifest: Pick<ReleaseManifest, 'name' | 'version' | 'tag' | 'created' | 'commit' | 'files'>;
  /** The repository URL, e.g. https://github.com/owner/repo. */
  source?: string;
  baseImage?: string;
  description?: string;
}

/** Labels for the Containerfile, by key. */
export function ociLabels(input: OciLabelInput): Record<string, string> {
  const { manifest } = input;
  const model = manifest.files['model.onnx'];
  const labels: Record<string, string> = {
    'org.opencontainers.image.title': manifest.name,
    'org.opencontainers.image.version': manifest.version,
    'org.opencontainers.image.created': manifest.created,
    'org.opencontainers.image.description':
      input.description ??
      `${manifest.name} ${manifest.version} served over the Open Inference Protocol v2 by Modelship`,
    'io.modelship.model.name': manifest.name,
    'io.modelship.model.tag': manifest.tag,
  };
  if (manifest.commit) labels['org.opencontainers.image.revision'] = manifest.commit;
  if (input.source) labels['org.opencontainers.image.source'] = input.source;
  if (input.baseImage) labels['org.opencontainers.image.base.name'] = input.baseImage;
  if (model) labels[MODEL_DIGEST_LABEL] = `sha256:${model.sha256}`;
  return labels;
}
