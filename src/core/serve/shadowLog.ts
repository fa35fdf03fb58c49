import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { ModelshipError, messageOf } from '../errors.js';

/** What the shadow log says of one model. */
export interface LoggedModel {
  name: string;
  version: string;
  sha256: string;
  provider: string;
}

/** The task a /predict answer reveals, and what it needs to score the rows. */
export type LoggedTask =
  | { kind: 'binary'; threshold: number; positive: string; negative: string }
  | { kind: 'multiclass'; classes: string[] }
  | { kind: 'regression' };

/** One row both models scored: its key, and each model's label and score(s). */
export interface ShadowRow {
  /** The request id, or `<id>/<row>` (from 0) for a request of several rows. */
  key: string;
  primary: RowAnswer;
  shadow: RowAnswer;
}

export interface RowAnswer {
  label?: string;
  /** P(positive) for binary, the prediction for regression. */
  score?: number;
  /** P(class) in the task's class order (multiclass). */
  probabilities?: number[];
}

/** The /predict pairs of a shadow log, and what else it held. */
export interface ShadowPairs {
  primary: LoggedModel;
  shadow: LoggedModel;
  task: LoggedTask;
  rows: ShadowRow[];
  /**
   * Requests logged; of those, the shadow's failures, and infer requests without each model's
   * rows as /predict reads them (logs of older servers, models served without modelship.yml).
   */
  requests: number;
  failed: number;
  infer: number;
  /** Per request, milliseconds each model took. */
  primaryMs: number[];
  shadowMs: number[];
}

interface Half {
  model?: unknown;
  version?: unknown;
  sha256?: unknown;
  provider?: unknown;
  ms?: unknown;
  error?: unknown;
  body?: Record<string, unknown>;
  /** An infer answer's rows as /predict would have answered them (absent from older logs). */
  predict?: Record<string, unknown>;
}

interface Line {
  id?: unknown;
  route?: unknown;
  primary?: Half;
  shadow?: Half;
}

/** The task of a /predict answer body, from the fields it carries. */
function taskOf(body: Record<string, unknown>): LoggedTask | undefined {
  if (Array.isArray(body.predictions)) return { kind: 'regression' };
  if (Array.isArray(body.classes)) return { kind: 'multiclass', classes: body.classes.map(String) };
  if (typeof body.threshold === 'number' && body.positive !== undefined)
    return {
      kind: 'binary',
      threshold: body.threshold,
      positive: String(body.positive),
      negative: String(body.negative),
    };
  return undefined;
}

function rowsOf(body: Record<string, unknown>, task: LoggedTask): RowAnswer[] {
  if (task.kind === 'regression')
    return (body.predictions as unknown[]).map((p) => ({ score: Number(p) }));
  const labels = Array.isArray(body.labels) ? body.labels.map(String) : [];
  const probabilities = Array.isArray(body.probabilities) ? body.probabilities : [];
  return labels.map((label, i) =>
    task.kind === 'binary'
      ? { label, score: Number(probabilities[i]) }
      : { label, probabilities: (probabilities[i] as unknown[]).map(Number) },
  );
}

const modelOf = (half: Half): LoggedModel => ({
  name: String(half.model),
  version: String(half.version),
  sha256: String(half.sha256 ?? ''),
  provider: String(half.provider ?? ''),
});

/**
 * Reads a shadow log (serve --shadow-log) line by line: the /predict and infer requests both
 * models answered become rows; failures, and infer lines without `predict`, are counted. A line that is not JSON names
 * its line number; models or tasks that change within the log are refused (one log, one pair).
 */
export async function readShadowLog(file: string): Promise<ShadowPairs> {
  let stream;
  try {
    stream = createReadStream(file);
    await new Promise<void>((resolve, reject) => {
      stream!.once('open', () => resolve());
      stream!.once('error', reject);
    });
  } catch (error) {
    throw new ModelshipError(
      `${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? messageOf(error)}); pass the file modelship serve --shadow-log wrote.`,
    );
  }
  const out: Partial<ShadowPairs> & { rows: ShadowRow[]; primaryMs: number[]; shadowMs: number[] } =
    { rows: [], requests: 0, failed: 0, infer: 0, primaryMs: [], shadowMs: [] };
  let number = 0;
  for await (const text of createInterface({ input: stream, crlfDelay: Infinity })) {
    number++;
    if (!text.trim()) continue;
    let line: Line;
    try {
      line = JSON.parse(text) as Line;
    } catch {
      throw new ModelshipError(
        `${file}: line ${number} is not JSON; pass the file modelship serve --shadow-log wrote.`,
      );
    }
    if (typeof line.id !== 'string' || !line.primary || !line.shadow)
      throw new ModelshipError(
        `${file}: line ${number} has no id, primary and shadow; pass the file modelship serve --shadow-log wrote.`,
      );
    out.requests!++;
    const primary = modelOf(line.primary);
    const shadow = modelOf(line.shadow);
    out.primary ??= primary;
    out.shadow ??= shadow;
    for (const [seen, now, role] of [
      [out.primary, primary, 'primary'],
      [out.shadow, shadow, 'shadow'],
    ] as const) {
      if (seen.name !== now.name || seen.version !== now.version)
        throw new ModelshipError(
          `${file}: line ${number}'s ${role} is ${now.name} ${now.version}, but earlier lines' is ${seen.name} ${seen.version}; report on one pair of models at a time (split the log by model version).`,
        );
    }
    if (line.shadow.error !== undefined || !line.shadow.body || !line.primary.body) {
      out.failed!++;
      continue;
    }
    // An infer line's rows: each model's `predict`, its outputs read as /predict reads them.
    const [primaryBody, shadowBody] =
      line.route === 'infer'
        ? [line.primary.predict, line.shadow.predict]
        : [line.primary.body, line.shadow.body];
    if (!primaryBody || !shadowBody) {
      out.infer!++;
      continue;
    }
    const task = taskOf(primaryBody);
    if (!task)
      throw new ModelshipError(
        `${file}: line ${number} is a ${line.route === 'infer' ? 'infer line whose predict has' : '/predict answer'} without labels or predictions; pass the file modelship serve --shadow-log wrote.`,
      );
    out.task ??= task;
    if (out.task.kind !== task.kind)
      throw new ModelshipError(
        `${file}: line ${number} is a ${task.kind} answer, but earlier lines' are ${out.task.kind}; report on one model's log at a time.`,
      );
    const a = rowsOf(primaryBody, task);
    const b = rowsOf(shadowBody, taskOf(shadowBody) ?? task);
    if (a.length !== b.length) {
      out.failed!++;
      continue;
    }
    out.primaryMs.push(Number(line.primary.ms));
    out.shadowMs.push(Number(line.shadow.ms));
    const id = line.id;
    a.forEach((row, i) =>
      out.rows.push({ key: a.length === 1 ? id : `${id}/${i}`, primary: row, shadow: b[i]! }),
    );
  }
  if (!out.primary || !out.shadow)
    throw new ModelshipError(
      `${file}: holds no requests; serve with --shadow and send requests before reporting.`,
    );
  return {
    ...(out as ShadowPairs),
    task: out.task ?? { kind: 'regression' },
  };
}
