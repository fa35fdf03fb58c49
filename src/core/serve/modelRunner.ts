import { Tensor, type InferenceSession } from 'onnxruntime-node';
import { countCopy } from './copyCount.js';
import { BadRequest, inferenceFailed } from './inferRequest.js';
import type { OutputTensor } from './oipTensors.js';

export interface MicroBatchOptions {
  /** How long the first request of a batch waits for others; 0 merges what arrived together. */
  windowMs: number;
  /** Requests of more rows than this run alone (default 16). */
  maxRequestRows?: number;
  /** Rows of one merged run at most (default 1024). */
  maxBatchRows?: number;
}

type Outputs = Record<string, OutputTensor>;

interface Queued {
  tensor: Tensor;
  fetches: readonly string[];
  rows: number;
  deadline: number;
  resolve(outputs: Outputs): void;
  reject(error: unknown): void;
}

/**
 * Runs the served model. A run past its deadline is not started (504): onnxruntime-node runs on
 * the event loop and cannot be interrupted, so a queue of stale requests would only grow. With
 * micro-batching, small requests to a single-input model that arrive together are concatenated
 * along the batch dimension into one session.run and its outputs sliced back per request.
 */
export class ModelRunner {
  private queue: Queued[] = [];
  private scheduled = false;
  /** Set when the model's outputs do not follow its rows: merging would only run twice. */
  private unmergeable = false;

  constructor(
    private readonly session: InferenceSession,
    private readonly microBatch?: MicroBatchOptions,
  ) {}

  /** Whether requests are merged (micro-batching on, and a model it can merge for). */
  get batching(): boolean {
    const input = this.session.inputMetadata;
    return (
      this.microBatch !== undefined &&
      !this.unmergeable &&
      input.length === 1 &&
      input[0]!.isTensor &&
      typeof input[0]!.shape[0] !== 'number'
    );
  }

  async run(
    feeds: Record<string, Tensor>,
    fetches: readonly string[],
    rows: number,
    deadline: number,
  ): Promise<Outputs> {
    const only = Object.values(feeds);
    const batch = this.microBatch;
    if (!batch || !this.batching || only.length !== 1 || rows > (batch.maxRequestRows ?? 16)) {
      checkDeadline(deadline);
      return this.runNow(feeds, fetches);
    }
    return new Promise<Outputs>((resolve, reject) => {
      this.queue.push({ tensor: only[0]!, fetches, rows, deadline, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      const flush = () => void this.flush();
      if (batch.windowMs > 0) setTimeout(flush, batch.windowMs);
      else setImmediate(flush);
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const queued = this.queue;
    this.queue = [];
    const live: Queued[] = [];
    for (const q of queued) {
      if (performance.now() > q.deadline) q.reject(expired());
      else live.push(q);
    }
    // Only tensors of one element type and row width concatenate.
    const groups = new Map<string, Queued[]>();
    for (const q of live) {
      const key = `${q.tensor.type}:${q.tensor.dims.slice(1).join('x')}`;
      const group = groups.get(key);
      if (group) group.push(q);
      else groups.set(key, [q]);
    }
    const maxRows = this.microBatch?.maxBatchRows ?? 1024;
    for (const group of groups.values()) {
      let part: Queued[] = [];
      let rows = 0;
      for (const q of group) {
        if (rows + q.rows > maxRows && part.length) {
          await this.runMerged(part);
          part = [];
          rows = 0;
        }
        part.push(q);
        rows += q.rows;
      }
      if (part.length) await this.runMerged(part);
    }
  }

  private async runMerged(part: Queued[]): Promise<void> {
    if (part.length === 1) return this.runAlone(part[0]!);
    const first = part[0]!.tensor;
    const rows = part.reduce((sum, q) => sum + q.rows, 0);
    const fetches = [...new Set(part.flatMap((q) => q.fetches))];
    let merged: Outputs;
    try {
      const data = concat(part.map((q) => q.tensor.data as ArrayLike<unknown>));
      const tensor = new Tensor(first.type as 'float32', data as Float32Array, [
        rows,
        ...first.dims.slice(1),
      ]);
      merged = await this.runNow({ [this.session.inputNames[0]!]: tensor }, fetches);
    } catch {
      // One bad request must not fail the others: run each alone to find it.
      for (const q of part) await this.runAlone(q);
      return;
    }
    if (fetches.some((name) => merged[name]!.dims[0] !== rows)) {
      this.unmergeable = true;
      for (const q of part) await this.runAlone(q);
      return;
    }
    let offset = 0;
    for (const q of part) {
      const outputs: Outputs = {};
      for (const name of q.fetches) outputs[name] = slice(merged[name]!, offset, q.rows, rows);
      offset += q.rows;
      q.resolve(outputs);
    }
  }

  private async runAlone(q: Queued): Promise<void> {
    try {
      q.resolve(await this.runNow({ [this.session.inputNames[0]!]: q.tensor }, q.fetches));
    } catch (error) {
      q.reject(error);
    }
  }

  /** The fixed batch size of a single-input model exported without a dynamic batch axis. */
  private get fixedBatch(): number | undefined {
    const input = this.session.inputMetadata;
    if (input.length !== 1 || !input[0]!.isTensor) return undefined;
    const first = input[0]!.shape[0];
    return typeof first === 'number' && first > 0 ? first : undefined;
  }

  private async runNow(
    feeds: Record<string, Tensor>,
    fetches: readonly string[],
  ): Promise<Outputs> {
    const fixed = this.fixedBatch;
    const only = Object.values(feeds);
    if (fixed !== undefined && only.length === 1 && only[0]!.dims[0] !== fixed) {
      return this.runFixed(only[0]!, fixed, fetches);
    }
    return this.runOnce(feeds, fetches);
  }

  /**
   * Runs a fixed-batch model (torch.onnx.export without dynamic axes) in batches of exactly its
   * size; the last batch is padded with zeros and the padded rows' outputs are dropped.
   */
  private async runFixed(
    tensor: Tensor,
    fixed: number,
    fetches: readonly string[],
  ): Promise<Outputs> {
    const rows = tensor.dims[0] ?? 0;
    const inner = tensor.dims.slice(1);
    const per = inner.reduce((a, b) => a * b, 1);
    const data = tensor.data as Float32Array | string[];
    const pad = (part: Float32Array | string[]): Float32Array | string[] => {
      if (Array.isArray(part))
        return [...part, ...new Array<string>(fixed * per - part.length).fill('')];
      const Typed = part.constructor as new (n: number) => Float32Array;
      const padded = new Typed(fixed * per);
      padded.set(part);
      countCopy(part.byteLength);
      return padded;
    };
    const name = this.session.inputNames[0]!;
    const parts: Outputs[] = [];
    for (let start = 0; start < rows; start += fixed) {
      const end = Math.min(rows, start + fixed);
      let batch = Array.isArray(data)
        ? data.slice(start * per, end * per)
        : data.subarray(start * per, end * per);
      if (end - start < fixed) batch = pad(batch);
      const input = new Tensor(tensor.type as 'float32', batch as Float32Array, [fixed, ...inner]);
      const out = await this.runOnce({ [name]: input }, fetches);
      const trimmed: Outputs = {};
      for (const f of fetches) {
        const o = out[f]!;
        if (o.dims[0] !== fixed) {
          throw new BadRequest(
            `inference failed: output ${f} has shape [${o.dims.join(', ')}], not one row per input row, so the model cannot run in batches of ${fixed}.`,
            500,
          );
        }
        trimmed[f] = slice(o, 0, end - start, fixed);
      }
      parts.push(trimmed);
    }
    const outputs: Outputs = {};
    for (const f of fetches) {
      const pieces = parts.map((p) => p[f]!);
      const first = pieces[0];
      outputs[f] = first
        ? {
            type: first.type,
            dims: [rows, ...first.dims.slice(1)],
            data: concat(pieces.map((p) => p.data as ArrayLike<unknown>)) as OutputTensor['data'],
          }
        : { type: 'float32', dims: [0], data: new Float32Array(0) };
    }
    return outputs;
  }

  private async runOnce(
    feeds: Record<string, Tensor>,
    fetches: readonly string[],
  ): Promise<Outputs> {
    let result: InferenceSession.ReturnType;
    try {
      result = await this.session.run(feeds, fetches);
    } catch (error) {
      throw inferenceFailed(error);
    }
    const outputs: Outputs = {};
    for (const name of fetches) {
      const tensor = result[name] as Tensor | undefined;
      if (!tensor) throw new BadRequest(`inference failed: the model returned no ${name}.`, 500);
      outputs[name] = {
        type: tensor.type,
        dims: tensor.dims,
        data: tensor.data as OutputTensor['data'],
      };
    }
    return outputs;
  }
}

/** 504 for a request whose deadline passed before its run started. */
export function checkDeadline(deadline: number): void {
  if (performance.now() > deadline) throw expired();
}

function expired(): BadRequest {
  return new BadRequest(
    'the request timed out before inference started; the server is busy, retry later.',
    504,
  );
}

function concat(parts: ArrayLike<unknown>[]): ArrayLike<unknown> {
  const total = parts.reduce((sum, p) => sum + p.length, 0);
  const first = parts[0]!;
  if (Array.isArray(first)) return (parts as unknown[][]).flat();
  const Typed = (first as Float32Array).constructor as new (n: number) => Float32Array;
  const out = new Typed(total);
  let offset = 0;
  for (const p of parts as Float32Array[]) {
    out.set(p, offset);
    offset += p.length;
  }
  countCopy(out.byteLength);
  return out;
}

function slice(tensor: OutputTensor, offset: number, rows: number, total: number): OutputTensor {
  const per = tensor.data.length / total;
  const data = tensor.data as Float32Array | string[];
  const part =
    data instanceof Array
      ? data.slice(offset * per, (offset + rows) * per)
      : data.subarray(offset * per, (offset + rows) * per);
  return { type: tensor.type, dims: [rows, ...tensor.dims.slice(1)], data: part };
}
