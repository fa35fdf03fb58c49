import type { DataContract } from '../config/dataContract.js';
import type { LoadedConfig } from '../config/modelshipConfig.js';
import { openAnySource } from '../data/anySource.js';
import { readDistributions } from '../data/columnDistributions.js';
import { declaredKinds, type ColumnKindInfo } from '../data/columnKinds.js';
import type { DataSource } from '../data/dataSource.js';
import { withDatabase, type Database } from '../data/duckdb.js';
import { isProfilePath } from '../data/profilePath.js';
import type { DataProfile } from '../data/profile.js';
import { ModelshipError } from '../errors.js';
import { columnDrift } from './columnDrift.js';
import type { DriftColumn, DriftMethod, DriftReport } from './driftReport.js';
import { sideOfDistribution, sideOfProfile, type Side } from './driftSides.js';

export interface DriftOptions {
  /** Data path/glob, or a profile.json path (detected by its .json extension). */
  reference: string;
  /** Data path/glob (DuckDB; http(s)/s3 URLs pass through to DuckDB). */
  current: string;
  /** drift.method/share/columns, model, data.schema. */
  config?: LoadedConfig;
  /** Prediction drift when given. */
  modelPath?: string;
  /** Path of a release metrics.json: performance now vs at release. */
  referenceMetrics?: string;
  /** How to name the inputs in the report. */
  display?: { reference?: string; current?: string };
  now?: Date;
}

interface Reference {
  kind: 'data' | 'profile';
  columns: string[];
  /** The named columns' kinds (raw data: decided by reading them) and sides (not of times). */
  read(columns: string[]): Promise<{
    rows: number;
    kinds: Map<string, ColumnKindInfo>;
    sides: Map<string, Side>;
  }>;
  profile?: DataProfile;
  source?: DataSource;
}

/**
 * Compares current data with reference data or a reference profile (docs/drift.md):
 * Evidently's method per column, PSI for every column, the dataset verdict by drift.share; with a
 * model, the drift of its scores and (when the current data has the target) its metrics now.
 */
export async function computeDrift(options: DriftOptions): Promise<DriftReport> {
  const loaded = options.config;
  const drift = loaded?.config.drift ?? { method: 'auto' as const, share: 0.5 };
  const schema = loaded?.config.data.schema;
  // zod, yaml, onnxruntime and the profile reader load only when a run needs them: drift of two
  // raw files loaded 190 module files (onnxruntime's native library among them) it never used.
  const contract: DataContract | undefined = schema
    ? (await import('../config/dataContract.js')).loadDataContract(loaded.resolve(schema)).contract
    : undefined;
  const refName = options.display?.reference ?? options.reference;
  const curName = options.display?.current ?? options.current;
  // Raw files' whole-file checks run beside DuckDB's scans (deferScan); stopped on the way out.
  const opened: DataSource[] = [];
  try {
    return await withDatabase(async (db) => compare(db, opened));
  } finally {
    for (const source of opened) source.stopScan?.();
  }

  async function compare(db: Database, opened: DataSource[]): Promise<DriftReport> {
    const reference = await openReference(db, options.reference, contract, opened);
    const current = await openAnySource(db, options.current, { deferScan: true });
    opened.push(current);
    const notes: string[] = [];
    const columns = chooseColumns(reference, current, drift.columns, refName, curName);
    // Each side is read once: the reference's scan decides its text columns' kinds too.
    const { rows: refRows, kinds, sides: refSides } = await reference.read(columns);
    const times = columns.filter((c) => kinds.get(c)!.kind === 'datetime');
    if (times.length)
      notes.push(`Left out as time columns (their ranges move by design): ${times.join(', ')}.`);
    const tested = columns.filter((c) => kinds.get(c)!.kind !== 'datetime');
    const curData = await readDistributions(
      db,
      current,
      tested.map((name) => ({ name, info: kinds.get(name)! })),
    );
    // Nothing on one side is no evidence either way: "no drift" would close the question wrongly.
    for (const [name, rows] of [
      [curName, curData.rows],
      [refName, refRows],
    ] as const) {
      if (rows === 0)
        throw new ModelshipError(
          `${name}: has no data rows, so there is nothing to compare; check that the export or query behind it produced data.`,
        );
    }
    const out: Record<string, DriftColumn> = {};
    const empty: string[] = [];
    for (const name of tested) {
      const ref = refSides.get(name)!;
      if (ref.kind === 'datetime') continue;
      const column = columnDrift(ref, sideOfDistribution(curData.columns.get(name)!), {
        method: drift.method as DriftMethod | 'auto',
        ...(drift.threshold !== undefined ? { threshold: drift.threshold } : {}),
        referenceRows: refRows,
        currentRows: curData.rows,
      });
      if (column.score === null) empty.push(name);
      out[name] = column;
    }
    if (empty.length)
      notes.push(
        `No values to compare on one side (all null or not numbers), so not counted: ${empty.join(', ')}.`,
      );
    const counted = Object.entries(out).filter(([, c]) => c.score !== null);
    if (counted.length === 0)
      throw new ModelshipError(
        tested.length === 0
          ? `${curName}: every column to compare with ${refName} is a time column (${times.join(', ')}), which drift leaves out because its range moves by design; compare other columns (drift.columns in modelship.yml names them).`
          : `${curName}: no column has values on both sides to compare with ${refName} (${empty.join(', ')} are all null or not numbers on one side).`,
      );
    const drifted = counted.filter(([, c]) => c.drifted).length;
    const total = counted.length;
    const share = total ? drifted / total : 0;
    const approximateColumns = Object.entries(out).filter(([, c]) => c.approximate);
    if (approximateColumns.length)
      notes.push(
        `Approximate (read from the profile's quantile sketch or pooled 'other' categories, not raw values): ${approximateColumns.map(([n]) => n).join(', ')}; see each column's error_bound.`,
      );
    const report: DriftReport = {
      dataset_drift: total > 0 && share >= drift.share,
      drift_share: share,
      share_threshold: drift.share,
      drifted_columns: drifted,
      total_columns: total,
      approximate: approximateColumns.length > 0,
      reference: { kind: reference.kind, source: refName, rows: refRows },
      current: { source: curName, rows: curData.rows },
      columns: out,
      notes,
      created: (options.now ?? new Date()).toISOString(),
    };
    if (options.modelPath && loaded) {
      const { modelDrift } = await import('./modelDrift.js');
      const model = await modelDrift({
        loaded,
        modelPath: options.modelPath,
        reference:
          reference.kind === 'data' ? { path: options.reference } : { profile: reference.profile! },
        current: options.current,
        currentColumns: current.columns,
        referenceMetrics: options.referenceMetrics,
        threshold: drift.threshold,
        method: drift.method as DriftMethod | 'auto',
      });
      if (model.prediction) report.prediction = model.prediction;
      if (model.performance) report.performance = model.performance;
      notes.push(...model.notes);
    } else if (options.modelPath) {
      notes.push(
        'Prediction drift needs the config (model.features) beside --model; pass --config.',
      );
    }
    return report;
  }
}

async function openReference(
  db: Database,
  path: string,
  contract: DataContract | undefined,
  opened: DataSource[],
): Promise<Reference> {
  if (isProfilePath(path)) {
    const profile = (await import('../data/profileFile.js')).readProfile(path);
    const byName = new Map(profile.columns.map((c) => [c.name, c]));
    return {
      kind: 'profile',
      columns: profile.columns.map((c) => c.name),
      profile,
      read: async (columns) => ({
        rows: profile.rows,
        kinds: new Map(
          columns.map((c) => {
            const column = byName.get(c)!;
            return [c, { kind: column.kind, declared: column.declared }];
          }),
        ),
        sides: new Map(columns.map((c) => [c, sideOfProfile(byName.get(c)!)])),
      }),
    };
  }
  const source = await openAnySource(db, path, { deferScan: true });
  opened.push(source);
  const declared = declaredKinds(source, contract);
  const byName = new Map(source.columns.map((c, i) => [c, declared[i]!]));
  return {
    kind: 'data',
    columns: source.columns,
    source,
    read: async (columns) => {
      // A time column by its type or the contract is left out unread: only an untyped text
      // column's values say whether it is one.
      const timed = (c: string) => byName.get(c)!.kind === 'datetime' && !byName.get(c)!.undecided;
      const data = await readDistributions(
        db,
        source,
        columns.filter((c) => !timed(c)).map((name) => ({ name, info: byName.get(name)! })),
      );
      const kinds = new Map(
        columns.map((c): [string, ColumnKindInfo] => [
          c,
          {
            kind: timed(c) ? 'datetime' : data.columns.get(c)!.kind,
            declared: byName.get(c)!.declared,
          },
        ]),
      );
      return {
        rows: data.rows,
        kinds,
        sides: new Map([...data.columns].map(([c, dist]) => [c, sideOfDistribution(dist)])),
      };
    },
  };
}

/**
 * drift.columns when set (each must be on both sides), else every column both sides have. The
 * target is one of them, as in Evidently: a shift in the labels is worth knowing.
 */
function chooseColumns(
  reference: Reference,
  current: DataSource,
  configured: string[] | undefined,
  refName: string,
  curName: string,
): string[] {
  if (configured) {
    for (const column of configured) {
      if (!reference.columns.includes(column))
        throw new ModelshipError(
          `${refName}: has no column ${column} (drift.columns); its columns are ${reference.columns.join(', ')}.`,
        );
      if (!current.columns.includes(column))
        throw new ModelshipError(
          `${curName}: has no column ${column} (drift.columns); its columns are ${current.columns.join(', ')}.`,
        );
    }
    return configured;
  }
  const shared = reference.columns.filter((c) => current.columns.includes(c));
  if (shared.length === 0)
    throw new ModelshipError(
      `${curName}: shares no column with the reference ${refName} (current: ${current.columns.slice(0, 8).join(', ')}; reference: ${reference.columns.slice(0, 8).join(', ')}); compare data of the same table.`,
    );
  return shared;
}
