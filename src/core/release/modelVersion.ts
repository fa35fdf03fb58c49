/**
 * What a user may name a model version by, on the command line and in action inputs, and the one
 * grammar of release tags: `<model>-v<major>.<minor>.<patch>`, as publish-model makes them.
 *
 * - `production`: what the model's environment runs (see docs/releases.md);
 * - `1.2.0` or `v1.2.0`: that version of the model named elsewhere (its modelship.yml);
 * - `credit-risk-v1.2.0`: a release tag, which names its model itself;
 * - a path: a release bundle directory, an ONNX file, or data, as the caller reads it;
 * - `none`: nothing to compare with.
 */
import { ModelshipError } from '../errors.js';

export type ModelVersionQuery =
  | { kind: 'production' }
  | { kind: 'version'; version: string }
  | { kind: 'tag'; tag: string; model: string; version: string }
  | { kind: 'path'; path: string }
  | { kind: 'none' };

export type ModelVersionKind = ModelVersionQuery['kind'];

/** A query that names a release: what the registry resolves. */
export type ReleaseQuery = Extract<ModelVersionQuery, { kind: 'production' | 'version' | 'tag' }>;

/** A model version as its tag spells it. */
export interface ModelVersion {
  model: string;
  major: number;
  minor: number;
  patch: number;
  /** `major.minor.patch`. */
  version: string;
}

/** A model name: lower-case letters, digits and dashes, as model.name in modelship.yml. */
export const MODEL_NAME = /^[a-z0-9][a-z0-9-]*$/;

const NUMBER = '(0|[1-9]\\d*)';
const SEMVER = `${NUMBER}\\.${NUMBER}\\.${NUMBER}`;
const VERSION = new RegExp(`^v?${SEMVER}$`);
const TAG = new RegExp(`^(${MODEL_NAME.source.slice(1, -1)})-v${SEMVER}$`);

/** The tag of a model version. */
export function modelTag(model: string, version: string): string {
  return `${model}-v${version}`;
}

/** Model and version of a tag, or undefined when it is not a model version tag. */
export function parseModelTag(tag: string): ModelVersion | undefined {
  const match = TAG.exec(tag);
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

export interface ParseOptions {
  /** What the text is, for the error: `baseline`, `input version`, `--baseline`. */
  what: string;
  /** The forms the caller takes. */
  accepts: readonly ModelVersionKind[];
  /** The model the version must belong to; a tag of another model is refused. */
  model?: string;
  /**
   * Whether the text names an existing file or directory: such a path wins over a tag or version
   * spelled the same. Needed when `accepts` has `path`.
   */
  exists?: (text: string) => boolean;
}

const FORMS: Record<ModelVersionKind, (model: string) => string> = {
  production: () => 'production',
  version: () => 'a version such as 1.2.0',
  tag: (model) => `a release tag such as ${model}-v1.2.0`,
  path: () => 'a path',
  none: () => 'none',
};

/**
 * Parses what a user named a model version by. `production` and `none` are words, never paths;
 * a version or tag is a path when such a file exists and paths are taken; other text is a path
 * when paths are taken (the caller says when it does not exist), and refused otherwise.
 */
export function parseModelVersion(text: string, options: ParseOptions): ModelVersionQuery {
  const trimmed = text.trim();
  const takes = (kind: ModelVersionKind) => options.accepts.includes(kind);
  const query = parsed(trimmed, takes, options.exists);
  if (query && takes(query.kind)) {
    if (query.kind === 'tag' && options.model !== undefined && query.model !== options.model) {
      throw new ModelshipError(
        `${options.what} ${query.tag} is a release of ${query.model}, not of ${options.model}: name a release of ${options.model}, such as ${modelTag(options.model, query.version)}.`,
      );
    }
    return query;
  }
  const forms = options.accepts.map((kind) => FORMS[kind](options.model ?? 'credit-risk'));
  const list = forms.length > 1 ? `${forms.slice(0, -1).join(', ')} or ${forms.at(-1)}` : forms[0];
  throw new ModelshipError(
    `${options.what} ${JSON.stringify(text)} is not a model version: use ${list}.`,
  );
}

function parsed(
  text: string,
  takes: (kind: ModelVersionKind) => boolean,
  exists: ((text: string) => boolean) | undefined,
): ModelVersionQuery | undefined {
  if (text === 'production' || text === 'none') return { kind: text };
  if (text === '') return undefined;
  const isPath = takes('path') && (exists?.(text) ?? false);
  if (isPath) return { kind: 'path', path: text };
  const version = VERSION.exec(text);
  if (version) return { kind: 'version', version: `${version[1]}.${version[2]}.${version[3]}` };
  const tag = parseModelTag(text);
  if (tag) return { kind: 'tag', tag: text, model: tag.model, version: tag.version };
  return { kind: 'path', path: text };
}

/** The release tag a query names for `model`; undefined for `production`. */
export function tagOfQuery(query: ReleaseQuery, model: string): string | undefined {
  if (query.kind === 'production') return undefined;
  return query.kind === 'tag' ? query.tag : modelTag(model, query.version);
}
