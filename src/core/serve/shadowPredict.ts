import type { ModelshipConfig } from '../config/modelshipConfig.js';
import { outputOptions, predict } from '../model/predict.js';
import { predictAnswer } from './predictAnswer.js';
import type { ServedModel } from './servedModel.js';

/** What reads a model's answers as /predict does: a serving model (routes/route.ts) fits it. */
export interface PredictReader {
  readonly config: ModelshipConfig | undefined;
  readonly negativeLabel: string | undefined;
  readonly classes: string[] | undefined;
  loaded(): { served: Pick<ServedModel, 'rows'> };
}

interface OutputTensor {
  name?: unknown;
  shape?: unknown;
  data?: unknown;
}

/**
 * What /predict would have answered for the rows of an infer answer: the model's score output
 * read through modelship.yml's task, positive column and class names, as /predict reads it. Undefined
 * when the model has no modelship.yml, or the answer lacks that output's data (not asked for,
 * or sent as binary): the shadow log then keeps the raw outputs only.
 */
export async function inferAsPredict(
  model: PredictReader,
  body: Record<string, unknown>,
): Promise<Record<string, unknown> | undefined> {
  const rows = model.loaded().served.rows;
  const config = model.config;
  if (!rows || !config || !Array.isArray(body.outputs)) return undefined;
  const tensor = (body.outputs as OutputTensor[]).find((o) => o.name === rows.outputName);
  const { shape, data } = tensor ?? {};
  if (!Array.isArray(shape) || !Array.isArray(data) || !data.every((v) => typeof v === 'number'))
    return undefined;
  const dims = shape.map(Number);
  const n = dims[0] ?? 0;
  try {
    const out = await predict(
      {
        path: rows.path,
        runTensor: () => Promise.resolve({ data: Float64Array.from(data), dims }),
      },
      new Float32Array(0),
      n,
      config.model.task,
      { ...outputOptions(rows, config.model), batchSize: Math.max(n, 1) },
    );
    return predictAnswer(out, n, {
      config,
      modelClasses: rows.classes,
      negativeLabel: model.negativeLabel,
      classes: model.classes,
    });
  } catch {
    // An output that does not fit the task: /predict refuses it too; the raw outputs stay logged.
    return undefined;
  }
}
