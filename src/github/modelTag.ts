/** Release tags of model versions: `<model>-v<major>.<minor>.<patch>`, as publish-model makes them. */

export interface ModelVersion {
  model: string;
  major: number;
  minor: number;
  patch: number;
  /** `major.minor.patch`. */
  version: string;
}

const NUMBER = '(0|[1-9]\\d*)';
const ANY_MODEL_TAG = new RegExp(`^([a-z0-9][a-z0-9-]*)-v${NUMBER}\\.${NUMBER}\\.${NUMBER}$`);

/** The tag of a model version. */
export function modelTag(model: string, version: string): string {
  return `${model}-v${version}`;
}

/** Model and version of a tag, or undefined when it is not a model version tag. */
export function parseModelTag(tag: string): ModelVersion | undefined {
  const match = ANY_MODEL_TAG.exec(tag);
  if (!match) return undefined;
  const [, model = '', major = '', minor = '', patch = ''] = match;
  return {
    model,
    major: Number(major),
    minor: Number(minor),
    patch: Number(patch),
    version: `${major}.${minor}.${patch}`,
  };
}

/**
 * The version of `model` a tag names, or undefined: `credit-risk-v1.0.0` is not a version of
 * `credit`, whose tags start `credit-v`.
 */
export function versionOfModel(tag: string, model: string): ModelVersion | undefined {
  const parsed = parseModelTag(tag);
  return parsed?.model === model ? parsed : undefined;
}

/** Orders versions ascending by semver precedence. */
export function compareVersions(a: ModelVersion, b: ModelVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}
