/** Image references: the repository a user names, the tags Modelship gives it, its registry. */
import { ModelshipError } from '../errors.js';

const REPOSITORY =
  /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

/** An image repository: lowercase, no tag or digest (the version becomes the tag). */
export function checkRepository(image: string, input = 'image'): string {
  if (!REPOSITORY.test(image))
    throw new ModelshipError(
      `${input} ${JSON.stringify(image)} is not an image repository; write it lowercase without a tag, like ghcr.io/owner/credit-risk or 127.0.0.1:5000/credit-risk.`,
    );
  return image;
}

/** Image tags allow [A-Za-z0-9_.-]; semver's `+build` becomes `-`. */
export function versionTag(version: string): string {
  return version.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 128);
}

/** The registry host of a repository (docker.io when the first part is not a host). */
export function registryOf(repository: string): string {
  const first = repository.split('/')[0] ?? '';
  return repository.includes('/') && (/[.:]/.test(first) || first === 'localhost')
    ? first
    : 'docker.io';
}
