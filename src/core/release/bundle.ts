import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { stringify } from 'yaml';
import { loadDataContract } from '../config/dataContract.js';
import type { LoadedConfig, ModelshipConfig } from '../config/modelshipConfig.js';
import { openDataSource } from '../data/dataSource.js';
import { withDatabase } from '../data/duckdb.js';
import { ModelshipError, messageOf } from '../errors.js';
import { checkOutputDirectory } from '../files/outputFiles.js';
import { evaluate } from '../evaluation/evaluate.js';
import type { EvaluationReport } from '../evaluation/evaluationReport.js';
import type { ExecutionProvider } from '../model/onnxModel.js';
import type { RunManifest } from '../train/runManifest.js';
import { BUNDLE_FILES } from './bundleFiles.js';
import { hashFile } from '../files/fileDigest.js';
import { sha256sums, type BundleFile } from './checksums.js';
import { buildSmokeTestData } from './smokeTestData.js';
import { isRunManifest } from './runManifestBesideModel.js';
import { buildModelCard, type DataDigest } from './modelCard.js';
import type { InputLayout, ModelInput } from '../model/modelInputs.js';
import { loadOnnxModel } from '../model/onnxModel.js';
import { buildProfile } from '../data/profile.js';
import { predictionProfile } from '../drift/modelDrift.js';

/** Bumped when a key of the release manifest changes meaning or goes away. */
export const RELEASE_MANIFEST_VERSION = 1;

/** The version a bundle gets when none is given. */
export const DEV_VERSION = '0.0.0-dev';

export { BUNDLE_FILES };

/** manifest.json of a release bundle. */
export interface ReleaseManifest {
  manifest_version: number;
  name: string;
  version: string;
  /** The release tag this bundle is published under: `<name>-v<version>`. */
  tag: string;
  task: string;
  created: string;
  commit: string | null;
  /** Digests of the data the model was trained and evaluated on (paths config-relative). */
  data: Partial<Record<'train' | 'eval' | 'schema', DataDigest>>;
  /** The evaluation gate's verdict as recorded in metrics.json. */
  gate: { passed: boolean };
  /** The training run's manifest (modelship train), when one was given. */
  training_run: RunManifest | null;
  /** Every other file of the bundle, by name (SHA256SUMS and this file excepted). */
  files: Record<string, { sha256: string; size_bytes: number }>;
}

export interface ReleaseBundleOptions {
  loaded: LoadedConfig;
  /** The bundle directory to create. */
  out: string;
  /** The ONNX model (default: model.path of the config). */
  model?: string;
  /** The evaluation report of this model (default: evaluate() on data.eval, no baseline). */
  report?: EvaluationReport;
  trainManifest?: RunManifest | null;
  /** Semantic version (default 0.0.0-dev). */
  version?: string;
  commit?: string | null;
  /** Replace an existing non-empty `out`. */
  force?: boolean;
  now?: Date;
  executionProviders?: ExecutionProvider[];
}

export interface ReleaseBundle {
  dir: string;
  manifest: ReleaseManifest;
  /** Every file of the bundle but SHA256SUMS, sorted by name. */
  files: BundleFile[];
}

const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/**
 * Writes the release bundle that publish-model uploads: the model, the resolved config, the data
 * contract, the evaluation report, the training data's reference profile, the model card, the
 * smoke-test rows (data.eval's first rows with their predictions), the manifest and SHA256SUMS. Files are written to a temporary directory beside `out` and renamed
 * into place, so `out` is either absent or complete.
 */
export async function writeReleaseBundle(options: ReleaseBundleOptions): Promise<ReleaseBundle> {
  const { loaded } = options;
  const { config } = loaded;
  const version = options.version ?? DEV_VERSION;
  if (!SEMVER.test(version))
    throw new ModelshipError(
      `--version ${JSON.stringify(version)} is not a semantic version; write it like 1.4.0 or 1.4.0-rc.1.`,
    );
  const out = resolve(options.out);
  const modelPath = options.model ?? loaded.resolve(config.model.path);
  const inputs = [
    loaded.file,
    loaded.dir,
    modelPath,
    ...[config.data.schema, config.data.train, config.data.eval].map((p) =>
      p ? loaded.resolve(p) : undefined,
    ),
  ];
  // Replacing --out must never take the project, its data or the current directory with it.
  checkOutputDirectory('--out', out, inputs);
  checkOut(out, options.force ?? false);
  checkModel(modelPath, options.model !== undefined);
  if (!config.data.train)
    throw new ModelshipError(
      `${loaded.file}: data.train is not set; the release bundle profiles the training data for drift checks, so name it there.`,
    );
  const now = options.now ?? new Date();
  const model = await hashFile(modelPath);
  if (options.trainManifest && options.trainManifest.model.sha256 !== model.sha256) {
    throw new ModelshipError(
      `${modelPath}: the training run manifest describes a model with sha256 ${options.trainManifest.model.sha256}, not this one (${model.sha256}); package the model that run trained, or leave --manifest out.`,
    );
  }
  const report =
    options.report ??
    (await evaluate({
      config: loaded,
      model: modelPath,
      baseline: null,
      now,
      executionProviders: options.executionProviders,
    }));
  if (report.candidate.sha256 !== model.sha256) {
    throw new ModelshipError(
      `${modelPath}: the evaluation report is about a model with sha256 ${report.candidate.sha256}, not this one (${model.sha256}); package the model that was evaluated.`,
    );
  }
  if (report.name !== config.model.name) {
    throw new ModelshipError(
      `the evaluation report is for model ${JSON.stringify(report.name)}, but ${loaded.file} names ${JSON.stringify(config.model.name)}.`,
    );
  }
  const schemaPath = config.data.schema ? loaded.resolve(config.data.schema) : undefined;
  const contract = schemaPath ? loadDataContract(schemaPath).contract : undefined;
  const profile = await buildProfile(loaded.resolve(config.data.train), {
    contract,
    display: config.data.train,
    now,
  });
  // The model's scores on its training data: the reference of prediction drift checks.
  profile.prediction = await predictionProfile(
    loaded,
    modelPath,
    loaded.resolve(config.data.train),
  );
  const data = await dataDigests(loaded);
  const smokeTest = await buildSmokeTestData({
    loaded,
    model: modelPath,
    ...(options.executionProviders ? { executionProviders: options.executionProviders } : {}),
  });
  if (data.train) data.train.rows = profile.rows;
  if (data.eval && report.data === config.data.eval) data.eval.rows = report.rows;
  const modelInputs = await describeInputs(modelPath);
  const card = buildModelCard({
    config,
    version,
    created: now,
    report,
    model: { sha256: model.sha256, size_bytes: model.bytes },
    data,
    profile,
    trainManifest: options.trainManifest ?? null,
    commit: options.commit ?? null,
    modelInputs,
  });

  mkdirSync(dirname(out), { recursive: true });
  const temporary = mkdtempSync(join(dirname(out), `.${basename(out)}.modelship-`));
  try {
    const write = (name: string, content: string) => writeFileSync(join(temporary, name), content);
    copyFileSync(modelPath, join(temporary, BUNDLE_FILES.model));
    write(BUNDLE_FILES.config, resolvedConfigYaml(config, loaded.file, report));
    if (schemaPath) copyFileSync(schemaPath, join(temporary, BUNDLE_FILES.schema));
    write(BUNDLE_FILES.metrics, json(report));
    write(BUNDLE_FILES.profile, json(profile));
    write(BUNDLE_FILES.card, card);
    if (smokeTest) write(BUNDLE_FILES.smokeTest, json(smokeTest));
    const files = await hashAll(temporary);
    const manifest: ReleaseManifest = {
      manifest_version: RELEASE_MANIFEST_VERSION,
      name: config.model.name,
      version,
      tag: `${config.model.name}-v${version}`,
      task: config.model.task,
      created: now.toISOString(),
      commit: options.commit ?? null,
      data,
      gate: { passed: report.gate.passed },
      training_run: options.trainManifest ?? null,
      files: Object.fromEntries(
        files.map((f) => [f.name, { sha256: f.sha256, size_bytes: f.size_bytes }]),
      ),
    };
    write(BUNDLE_FILES.manifest, json(manifest));
    const all = await hashAll(temporary);
    write(BUNDLE_FILES.sums, sha256sums(all));
    // Checked again: --out may have been filled while the bundle was being made.
    checkOut(out, options.force ?? false);
    moveIntoPlace(temporary, out);
    return { dir: out, manifest, files: all };
  } catch (error) {
    rmSync(temporary, { recursive: true, force: true });
    if (error instanceof ModelshipError) throw error;
    throw new ModelshipError(`${out}: cannot write the release bundle (${messageOf(error)}).`);
  }
}

/**
 * The config as validated, defaults filled in, as YAML: what a server needs to rebuild the model's
 * features exactly. model.path and data.schema point into the bundle; the other data paths are as
 * in the source repository (their digests are in manifest.json).
 */
export function resolvedConfigYaml(
  config: ModelshipConfig,
  source?: string,
  report?: Pick<EvaluationReport, 'confusion'>,
): string {
  const { $schema: _schema, ...rest } = config;
  const resolved: ModelshipConfig = {
    ...rest,
    model: { ...rest.model, path: BUNDLE_FILES.model, ...negativeOf(config, report) },
    data: { ...rest.data, ...(rest.data.schema ? { schema: BUNDLE_FILES.schema } : {}) },
  };
  const header = [
    `# Resolved by modelship package${source ? ` from ${basename(source)}` : ''}: validated, defaults filled in.`,
    '# model.path and data.schema point into this bundle; other data paths are as in the source repository.',
  ].join('\n');
  // YAML 1.1 quoting keeps yes/no/on strings for every YAML reader.
  return `${header}\n${stringify(resolved, { version: '1.1', lineWidth: 0 })}`;
}

/**
 * A binary model's negative label as the holdout showed it, so that a served bundle answers with
 * the data's own label below the threshold, not `not <positive>`; model.negative wins.
 */
function negativeOf(
  config: ModelshipConfig,
  report: Pick<EvaluationReport, 'confusion'> | undefined,
): { negative?: string } {
  const { task, negative, positive } = config.model;
  const seen = report?.confusion?.labels[0];
  if (task !== 'binary-classification' || negative !== undefined || seen === undefined) return {};
  return seen === `not ${String(positive)}` ? {} : { negative: seen };
}

/** Reads an evaluation report (modelship evaluate --json) for packaging. */
export function readEvaluationReport(path: string): EvaluationReport {
  const value = readJsonFile(path, 'evaluation report');
  const report = value as Partial<EvaluationReport> | null;
  if (
    !report ||
    typeof report !== 'object' ||
    typeof report.name !== 'string' ||
    typeof report.metrics !== 'object' ||
    report.metrics === null ||
    typeof report.candidate?.sha256 !== 'string' ||
    typeof report.gate?.passed !== 'boolean'
  ) {
    throw new ModelshipError(
      `${path}: not an evaluation report (expected name, candidate, metrics and gate); write one with modelship evaluate --json.`,
    );
  }
  // JSON.parse reads 1e400 as Infinity, which the bundle's metrics.json would then write as null.
  for (const [name, metric] of Object.entries(report.metrics))
    if (typeof metric === 'number' && !Number.isFinite(metric))
      throw new ModelshipError(
        `${path}: metrics.${name} is not a finite number (read as ${metric}); write the report again with modelship evaluate --json.`,
      );
  return value as EvaluationReport;
}

/** Reads a training run manifest (modelship train's manifest.json) for packaging. */
export function readRunManifest(path: string): RunManifest {
  const value = readJsonFile(path, 'training run manifest');
  if (!isRunManifest(value)) {
    throw new ModelshipError(
      `${path}: not a training run manifest (expected model.sha256 and run.command); pass the manifest.json modelship train wrote.`,
    );
  }
  return value;
}

function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ModelshipError(
      code === 'ENOENT'
        ? `${path}: ${what} not found; check the path.`
        : `${path}: cannot read the ${what} (${messageOf(error)}).`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ModelshipError(`${path}: the ${what} is not valid JSON (${messageOf(error)}).`);
  }
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * An existing `out` must be an empty directory, or, with force, an earlier release bundle: a
 * directory holding manifest.json and nothing but bundle files. Any other directory is not
 * replaced, forced or not.
 */
function checkOut(out: string, force: boolean): void {
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory())
    throw new ModelshipError(`${out}: exists and is not a directory; choose another --out.`);
  if (readdirSync(out).length === 0) return;
  if (!force)
    throw new ModelshipError(
      `${out}: the output directory exists and is not empty; choose another --out, or pass --force to replace it.`,
    );
  if (!isReleaseBundle(out))
    throw new ModelshipError(
      `${out}: --force only replaces an earlier release bundle (manifest.json and bundle files only), and this directory holds other files; choose another --out, or empty it yourself.`,
    );
}

const BUNDLE_NAMES: ReadonlySet<string> = new Set(Object.values(BUNDLE_FILES));

/** Whether `dir` is what modelship package wrote: manifest.json and bundle files, nothing else. */
function isReleaseBundle(dir: string): boolean {
  const entries = readdirSync(dir, { withFileTypes: true });
  return (
    entries.some((e) => e.name === BUNDLE_FILES.manifest) &&
    entries.every((e) => e.isFile() && BUNDLE_NAMES.has(e.name))
  );
}

function checkModel(path: string, given: boolean): void {
  const where = given ? 'check --model' : 'train it first (modelship train) or pass --model';
  if (!existsSync(path)) throw new ModelshipError(`${path}: model not found; ${where}.`);
  if (!statSync(path).isFile()) throw new ModelshipError(`${path}: not a file; ${where}.`);
}

async function hashAll(dir: string): Promise<BundleFile[]> {
  const names = readdirSync(dir).sort();
  const files: BundleFile[] = [];
  for (const name of names) {
    const { sha256, bytes } = await hashFile(join(dir, name));
    files.push({ name, sha256, size_bytes: bytes });
  }
  return files;
}

/** Renames the finished bundle onto `out`, replacing an existing directory there. */
function moveIntoPlace(temporary: string, out: string): void {
  if (!existsSync(out)) {
    renameSync(temporary, out);
    return;
  }
  const old = `${temporary}.old`;
  renameSync(out, old);
  try {
    renameSync(temporary, out);
  } catch (error) {
    renameSync(old, out);
    throw error;
  }
  rmSync(old, { recursive: true, force: true });
}

/** Digests of data.train, data.eval (every file a glob matches) and data.schema. */
async function dataDigests(loaded: LoadedConfig): Promise<ReleaseManifest['data']> {
  const shown = (path: string) => relative(loaded.dir, path).split(sep).join('/') || '.';
  const { data } = loaded.config;
  const out: ReleaseManifest['data'] = {};
  const digest = async (configured: string, files: string[]): Promise<DataDigest> => ({
    path: configured,
    files: await Promise.all(
      files.map(async (file) => {
        const { sha256, bytes } = await hashFile(file);
        return { path: shown(file), sha256, bytes };
      }),
    ),
  });
  if (data.schema) out.schema = await digest(data.schema, [loaded.resolve(data.schema)]);
  await withDatabase(async (db) => {
    for (const key of ['train', 'eval'] as const) {
      const configured = data[key];
      if (!configured) continue;
      const source = await openDataSource(db, loaded.resolve(configured));
      out[key] = await digest(configured, source.files);
    }
  });
  return out;
}

/** How the model reads a row (one [batch, F] input, or one per column), for the model card. */
async function describeInputs(
  modelPath: string,
): Promise<{ layout: InputLayout; inputs: ModelInput[] }> {
  const model = await loadOnnxModel(modelPath);
  try {
    return { layout: model.layout, inputs: model.inputs };
  } finally {
    await model.release();
  }
}
