import type { RuntimePlatform } from '../../core/runtime/platform.js';

/** What the release build writes into the action bundle: the archives its natives must come from. */
export interface RuntimeBuild {
  /** Modelship's version: the release (`v<version>`) holding the archives. */
  version: string;
  /** owner/name of the repository whose releases hold the archives. */
  repository: string;
  /** SHA-256 (hex) of each platform's runtime archive, fixed when the bundle was built. */
  archives: Partial<Record<RuntimePlatform, string>>;
}

// Replaced by the release build (esbuild `define`); undefined when running from source, where
// the natives come from node_modules as in any Node program.
declare const MODELSHIP_RUNTIME_BUILD: RuntimeBuild | undefined;

/** The bundle's runtime build, or undefined when this code does not run from a release bundle. */
export function runtimeBuild(): RuntimeBuild | undefined {
  return typeof MODELSHIP_RUNTIME_BUILD === 'undefined' ? undefined : MODELSHIP_RUNTIME_BUILD;
}
