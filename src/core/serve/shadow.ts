import { closeSync, openSync, writeSync } from 'node:fs';
import { ModelshipError, messageOf } from '../errors.js';
import { firstLine } from './inferRequest.js';
import { jsonLines } from './jsonLines.js';
import type { ModelMetrics } from './modelMetrics.js';
import { compareAnswers } from './shadowCompare.js';
import { inferAsPredict, type PredictReader } from './shadowPredict.js';

/** The shadow log's file when --shadow-log names none: in the working directory. */
export const DEFAULT_SHADOW_LOG = 'modelship-shadow.jsonl';
/** Requests waiting for the shadow at most; more are dropped (and counted). */
export const DEFAULT_SHADOW_QUEUE = 256;

/** One model's answer to a request, as the shadow log holds it. */
export interface LoggedAnswer {
  model: string;
  version: string;
  /** The model file's SHA-256, and the execution provider that ran it. */
  sha256: string;
  provider: string;
  /** Milliseconds the model took. */
  ms: number;
  /** The answer's body without model_name, model_version and id (those are beside it). */
  body: Record<string, unknown>;
  /** An infer answer's rows as /predict would have answered them (models with a modelship.yml). */
  predict?: Record<string, unknown>;
}

/** A request the primary answered, for the shadow to score the same way. */
export interface ShadowJob {
  id: string;
  route: 'predict' | 'infer';
  rows: number;
  primary: LoggedAnswer;
  /** The models that answered, to read an infer answer's rows as /predict would. */
  models?: Record<'primary' | 'shadow', PredictReader>;
  /** Scores the request on the shadow; throws what the shadow could not do. */
  score(): Promise<{ ms: number; sha256: string; provider: string; body: Record<string, unknown> }>;
}

/**
 * Scores requests on the shadow after the primary has answered them, one at a time from a bounded
 * queue, and writes each pair as one JSON line. A shadow failure is logged and counted; it never
 * reaches the client.
 */
export class ShadowScorer {
  private readonly queue: ShadowJob[] = [];
  private running: Promise<void> | undefined;
  private readonly fd: number;
  private readonly lines: ReturnType<typeof jsonLines>;

  constructor(
    private readonly shadow: { name: string; version: string },
    private readonly options: { logFile: string; queueSize: number; metrics: ModelMetrics },
  ) {
    try {
      this.fd = openSync(options.logFile, 'a');
    } catch (error) {
      throw new ModelshipError(
        `--shadow-log ${options.logFile}: cannot be opened for appending (${(error as NodeJS.ErrnoException).code ?? messageOf(error)}); pass a file in a writable directory.`,
      );
    }
    this.lines = jsonLines((text) => writeSync(this.fd, text));
  }

  /** Queues a request for the shadow; a full queue drops it. */
  submit(job: ShadowJob): void {
    if (this.queue.length >= this.options.queueSize) {
      this.options.metrics.shadowDropped();
      return;
    }
    this.queue.push(job);
    this.kick();
  }

  private kick(): void {
    if (this.running) return;
    this.running = this.work().finally(() => {
      this.running = undefined;
      if (this.queue.length) this.kick();
    });
  }

  /** Resolves once every queued request is scored and logged; then closes the log. */
  async close(): Promise<void> {
    while (this.running) await this.running;
    this.lines.flush();
    closeSync(this.fd);
  }

  private async work(): Promise<void> {
    // Off the answer's path: the first job starts on a later turn of the event loop.
    await new Promise<void>((resolve) => setImmediate(resolve));
    for (let job = this.queue.shift(); job; job = this.queue.shift()) await this.run(job);
  }

  private async run(job: ShadowJob): Promise<void> {
    const { metrics } = this.options;
    const entry = {
      time: new Date().toISOString(),
      id: job.id,
      route: job.route,
      rows: job.rows,
      primary: job.primary,
    };
    const shadow = { model: this.shadow.name, version: this.shadow.version };
    try {
      const scored = await job.score();
      metrics.observeModel('shadow', shadow.model, shadow.version, scored.ms / 1000);
      // An infer answer's rows, read as /predict reads them: compared (and reported) the same way.
      const primaryPredict =
        job.route === 'infer' && job.models
          ? await inferAsPredict(job.models.primary, job.primary.body)
          : undefined;
      const shadowPredict =
        job.route === 'infer' && job.models
          ? await inferAsPredict(job.models.shadow, scored.body)
          : undefined;
      const comparison =
        primaryPredict && shadowPredict
          ? compareAnswers('predict', primaryPredict, shadowPredict)
          : compareAnswers(job.route, job.primary.body, scored.body);
      metrics.observeComparison(comparison);
      this.lines.log({
        ...entry,
        primary: { ...job.primary, ...(primaryPredict ? { predict: primaryPredict } : {}) },
        shadow: { ...shadow, ...scored, ...(shadowPredict ? { predict: shadowPredict } : {}) },
        agreement: {
          labels: comparison.labels,
          agreed: comparison.agreed,
          max_score_difference: comparison.differences.length
            ? comparison.differences.reduce((a, b) => Math.max(a, b))
            : null,
        },
      });
    } catch (error) {
      metrics.shadowFailed();
      this.lines.log({ ...entry, shadow: { ...shadow, error: firstLine(messageOf(error)) } });
    }
  }
}
