/**
 * The version publish-model gives a candidate: an explicit one, or a bump over production.
 *
 * `auto` reads what changed against production:
 * - major: the model's contract with its callers, i.e. `model.features`, `model.task`,
 *   `model.target`, `model.positive` or `model.classes`, or the data contract;
 * - minor: the model's bytes, or another setting that changes its answers (`model.threshold`);
 * - patch: anything else, such as the model card or settings that do not reach the model;
 * - none: nothing changed, so the version is production's own and publishing it is a no-op (a
 *   re-run after a successful publish must not mint another version).
 */
import { parse as parseYaml } from 'yaml';
import { ModelshipError } from '../errors.js';
import {
  compareSemver,
  formatSemver,
  incrementSemver,
  requireSemver,
  type ReleaseType,
} from './semver.js';

/** What a release of a model holds, as far as versioning cares. */
export interface ReleaseContent {
  /** The resolved modelship.yml: YAML or JSON text, or the parsed object. */
  config: string | object;
  /** The data contract: YAML or JSON text, the parsed object, or null when there is none. */
  schema: string | object | null;
  /** The model card (markdown). */
  card: string;
  /** SHA-256 (hex) of the ONNX model file. */
  modelSha256: string;
}

export interface PublishedContent extends ReleaseContent {
  /** `major.minor.patch` of the production release. */
  version: string;
}

export type BumpRule = 'auto' | ReleaseType;

export interface NextVersionInput {
  /** A version the user chose (the action's `version` input); wins over `bump`. */
  explicit?: string;
  bump: BumpRule;
  /** The production release, or null before the first one. */
  production: PublishedContent | null;
  candidate: ReleaseContent;
}

export interface NextVersion {
  /** `major.minor.patch`. */
  version: string;
  /** How it was chosen; `none` means production's version, already published. */
  change: 'initial' | 'explicit' | ReleaseType | 'none';
  /** One sentence for the job summary. */
  reason: string;
}

/** Fields of `model` whose change breaks callers: their input rows or how they read outputs. */
const CONTRACT_FIELDS = ['features', 'task', 'target', 'positive', 'classes'] as const;
/** Fields of `model` that are where the model lives, not what it does. */
const LOCATION_FIELDS = new Set(['name', 'path']);

/** What changed from production to the candidate, most significant first. */
export interface ContentChanges {
  contract: string[];
  model: string[];
  other: string[];
}

export function contentChanges(
  production: ReleaseContent,
  candidate: ReleaseContent,
): ContentChanges {
  const before = modelSection(production.config, 'production');
  const after = modelSection(candidate.config, 'candidate');
  const contract: string[] = [];
  for (const field of CONTRACT_FIELDS) {
    if (canonical(before.model[field]) !== canonical(after.model[field])) {
      contract.push(`model.${field}`);
    }
  }
  if (
    canonical(parseDocument(production.schema, 'production data contract')) !==
    canonical(parseDocument(candidate.schema, 'candidate data contract'))
  ) {
    contract.push('the data contract');
  }
  const model: string[] = [];
  if (production.modelSha256.toLowerCase() !== candidate.modelSha256.toLowerCase()) {
    model.push('the model file');
  }
  const settings = new Set([...Object.keys(before.model), ...Object.keys(after.model)]);
  for (const field of [...settings].sort()) {
    if ((CONTRACT_FIELDS as readonly string[]).includes(field) || LOCATION_FIELDS.has(field)) {
      continue;
    }
    if (canonical(before.model[field]) !== canonical(after.model[field])) {
      model.push(`model.${field}`);
    }
  }
  const other: string[] = [];
  if (normalizeText(production.card) !== normalizeText(candidate.card))
    other.push('the model card');
  if (canonical(before.rest) !== canonical(after.rest)) other.push('modelship.yml outside `model`');
  return { contract, model, other };
}

/** The version to publish the candidate as, and why. */
export function nextVersion(input: NextVersionInput): NextVersion {
  const { production, candidate, bump } = input;
  const explicit = input.explicit?.trim() ? input.explicit.trim() : undefined;
  const productionVersion = production
    ? requireSemver(production.version, 'The production version')
    : undefined;
  const changes = production ? contentChanges(production, candidate) : undefined;
  const unchanged =
    changes !== undefined &&
    changes.contract.length + changes.model.length + changes.other.length === 0;

  if (explicit !== undefined) {
    const version = requireSemver(explicit, 'The `version` input');
    if (version.prerelease.length > 0 || version.build.length > 0) {
      throw new ModelshipError(
        `The \`version\` input "${explicit}" has a prerelease or build part, but model release tags are <model>-v<major>.<minor>.<patch>: give major.minor.patch, e.g. ${version.major}.${version.minor}.${version.patch}.`,
      );
    }
    const text = formatSemver(version);
    if (!productionVersion) {
      return { version: text, change: 'explicit', reason: `version ${text} given; first release` };
    }
    const order = compareSemver(version, productionVersion);
    if (order === 0 && unchanged) {
      return {
        version: text,
        change: 'none',
        reason: `version ${text} given, and production ${text} already holds this content`,
      };
    }
    if (order <= 0) {
      const auto = autoBump(changes);
      const suggestion = formatSemver(incrementSemver(productionVersion, auto?.type ?? 'patch'));
      throw new ModelshipError(
        `The \`version\` input ${text} is ${order === 0 ? 'production’s own version, with other content' : 'lower than production'} (${formatSemver(productionVersion)}): a published version never changes, so give a higher one, e.g. ${suggestion}, or drop \`version\` and use \`bump: auto\`.`,
      );
    }
    return {
      version: text,
      change: 'explicit',
      reason: `version ${text} given; production is ${formatSemver(productionVersion)}`,
    };
  }

  if (!productionVersion || !changes) {
    return { version: '1.0.0', change: 'initial', reason: 'first release of the model' };
  }
  const current = formatSemver(productionVersion);
  if (unchanged) {
    return {
      version: current,
      change: 'none',
      reason: `nothing changed since production ${current}`,
    };
  }
  const auto = autoBump(changes);
  if (!auto) throw new Error('unreachable: changes without a bump');
  const type = bump === 'auto' ? auto.type : bump;
  const next = formatSemver(incrementSemver(productionVersion, type));
  const note =
    bump === 'auto' || bump === auto.type
      ? ''
      : ` (bump: ${bump} asked; auto would be ${auto.type})`;
  return {
    version: next,
    change: type,
    reason: `${type} over production ${current}: ${auto.why}${note}`,
  };
}

function autoBump(
  changes: ContentChanges | undefined,
): { type: ReleaseType; why: string } | undefined {
  if (!changes) return undefined;
  const list = (items: string[]) => `${items.join(', ')} changed`;
  if (changes.contract.length > 0) return { type: 'major', why: list(changes.contract) };
  if (changes.model.length > 0) return { type: 'minor', why: list(changes.model) };
  if (changes.other.length > 0) return { type: 'patch', why: list(changes.other) };
  return undefined;
}

function parseDocument(value: string | object | null, what: string): unknown {
  if (value === null || typeof value !== 'string') return value;
  try {
    return parseYaml(value) as unknown;
  } catch (error) {
    throw new ModelshipError(
      `The ${what} is not valid YAML or JSON (${error instanceof Error ? error.message.split('\n')[0] : String(error)}): fix it, or publish with an explicit \`version\`.`,
    );
  }
}

function modelSection(
  config: string | object,
  which: string,
): { model: Record<string, unknown>; rest: Record<string, unknown> } {
  const parsed = parseDocument(config, `${which} modelship.yml`);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ModelshipError(
      `The ${which} modelship.yml is not a mapping: it needs a \`model\` section.`,
    );
  }
  const { model, $schema: _schema, ...rest } = parsed as Record<string, unknown>;
  if (typeof model !== 'object' || model === null || Array.isArray(model)) {
    throw new ModelshipError(`The ${which} modelship.yml has no \`model\` section.`);
  }
  return { model: model as Record<string, unknown>, rest };
}

/** JSON with object keys sorted, so that key order and YAML-versus-JSON do not count as change. */
function canonical(value: unknown): string {
  return (
    JSON.stringify(value, (_key, v: unknown) => {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, (v as Record<string, unknown>)[k]]),
      );
    }) ?? 'undefined'
  );
}

function normalizeText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+$/gm, '')
    .trimEnd();
}
