import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { ModelshipConfig } from '../../config/modelshipConfig.js';
import { isModelshipError } from '../../errors.js';
import { buildFeatureMatrix, featureColumns } from '../../model/featureMatrix.js';
import type { ModelOutput, OnnxModel } from '../../model/onnxModel.js';
import type { ResolvedFeature } from '../../model/modelFeatures.js';
import { outputOptions, predict } from '../../model/predict.js';
import { TextCodes } from '../../model/textCodes.js';
import { predictAnswer } from '../predictAnswer.js';
import { idOf, readPredictBody } from '../httpBody.js';
import { BadRequest, inferenceFailed, zodMessage } from '../inferRequest.js';
import { checkDeadline, type ModelRunner } from '../modelRunner.js';
import { objectRows, type RowColumns } from '../rowColumns.js';
import { answeringModel, modelAnswer } from './answering.js';
import { exactPath, timed, type Route, type ServingModel } from './route.js';

export const predictSchema = z.object({
  id: z.string().optional(),
  // A row is checked to be an object, not copied key by key as z.record would (4 ms a 1,000 rows).
  rows: z.array(
    z.custom<Record<string, unknown>>(
      (row) => typeof row === 'object' && row !== null && !Array.isArray(row),
      { message: 'expected a row object of column → value' },
    ),
  ),
});

export interface PredictContext {
  config: ModelshipConfig;
  model: OnnxModel;
  /** What the model reads: modelship.yml's features, or its column-named inputs. */
  features: readonly ResolvedFeature[];
  runner: ModelRunner;
  /** Below the threshold (binary); default `not <positive>`. */
  negativeLabel?: string;
  /** Multiclass class order when modelship.yml has no model.classes. */
  classes?: string[];
  deadline: number;
}

/**
 * POST /predict: rows as JSON objects → the feature matrix evaluate builds → labels and
 * probabilities (binary, multiclass) or predictions (regression).
 */
export async function predictRows(
  rows: RowColumns,
  ctx: PredictContext,
): Promise<Record<string, unknown>> {
  const { config, model, features } = ctx;
  const columns: Record<string, ArrayLike<unknown>> = {};
  const text = new TextCodes();
  for (const column of featureColumns(features)) columns[column] = rows.column(column);
  let matrix: Float32Array;
  try {
    matrix = buildFeatureMatrix(columns, rows.length, features, {
      text,
      source: 'request',
    });
    model.checkValues(matrix, rows.length);
  } catch (error) {
    if (isModelshipError(error)) throw new BadRequest(error.message);
    throw error;
  }
  const runTensor = async (batch: Float32Array, n: number): Promise<ModelOutput> => {
    if (!ctx.runner.batching || n === 0) {
      checkDeadline(ctx.deadline);
      return model.runTensor(batch, n, text.values);
    }
    const out = await ctx.runner.run(
      model.feeds(batch, n, text.values),
      [model.outputName],
      n,
      ctx.deadline,
    );
    const { data, dims } = out[model.outputName]!;
    if (!(data instanceof Float32Array || data instanceof Float64Array)) {
      throw new BadRequest(
        `inference failed: output ${model.outputName} is not float scores.`,
        500,
      );
    }
    return { data, dims };
  };
  let out;
  try {
    out = await predict(
      { path: model.path, runTensor },
      matrix,
      rows.length,
      config.model.task,
      outputOptions(model, config.model),
    );
  } catch (error) {
    if (error instanceof BadRequest) throw error;
    throw inferenceFailed(error);
  }
  return predictAnswer(out, rows.length, {
    config,
    modelClasses: model.classes,
    negativeLabel: ctx.negativeLabel,
    classes: ctx.classes,
  });
}

/** POST /predict: rows of modelship.yml's columns, answered with labels and probabilities. */
export const predictRoute: Route = {
  name: 'predict',
  method: 'POST',
  match: exactPath('/predict'),
  inference: true,
  handle: async ({ req, ctx }, server) => {
    const { json: body, rows: scanned } = await readPredictBody(
      req,
      server.maxPredictBytes,
      server.maxJsonDepth,
    );
    ctx.id = idOf(body) ?? ctx.id;
    const { served } = server.loadedModel();
    if (!server.config || !served.rows || !served.features) {
      throw new BadRequest(
        '/predict needs the modelship.yml features; serve a release bundle or pass --config.',
      );
    }
    // Scanned rows are row objects by construction: the schema checks the rest of the body.
    const parsed = predictSchema.safeParse(scanned ? { ...(body as object), rows: [] } : body);
    if (!parsed.success) {
      throw new BadRequest(
        `invalid predict request: ${zodMessage(parsed.error)}; send {"rows": [{…}]}.`,
      );
    }
    const rows = scanned ?? objectRows(parsed.data.rows);
    const id = parsed.data.id ?? randomUUID();
    const model = answeringModel(server, req, id, undefined);
    const { ms, body: out } = await timed(server, model, () =>
      predictWith(model, rows, ctx.deadline),
    );
    return modelAnswer(
      server,
      model,
      {
        route: 'predict',
        id,
        rows: rows.length,
        ms,
        reply: {
          status: 200,
          body: { model_name: model.name, model_version: model.version, id, ...out },
        },
        logged: out,
      },
      (shadow, deadline) => predictWith(shadow, rows, deadline),
    );
  },
};

/** One model's /predict answer to these rows. */
function predictWith(
  model: ServingModel,
  rows: RowColumns,
  deadline: number,
): Promise<Record<string, unknown>> {
  const { served, runner } = model.loaded();
  if (!model.config || !served.rows || !served.features) {
    throw new BadRequest(
      `the ${model.role} model ${model.name} ${model.version} has no modelship.yml features, so it cannot answer /predict; serve a release bundle.`,
      500,
    );
  }
  return predictRows(rows, {
    config: model.config,
    model: served.rows,
    features: served.features,
    runner,
    ...(model.negativeLabel !== undefined ? { negativeLabel: model.negativeLabel } : {}),
    ...(model.classes ? { classes: model.classes } : {}),
    deadline,
  });
}
