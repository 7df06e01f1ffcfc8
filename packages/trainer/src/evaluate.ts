import * as tf from '@tensorflow/tfjs';
import { Rng } from '@peftjs/core';
import type { AnyModule } from '@peftjs/core';
import { disposeTensors } from './batch-utils';
import type { DataSource } from './data-source';
import { lossMetric, perplexityMetric } from './metric';
import type { Metric } from './metric';
import type { LossFunction } from './train-options';

export interface EvaluateOptions<M extends AnyModule, B extends object> {
  model: M;
  /** Held-out batches, read in full as `data.batches(0, 0, rng)`; each batch is disposed after use. */
  data: DataSource<B>;
  /** Default: `model.loss(batch)`. */
  loss?: LossFunction<M, B>;
  /** Default `[lossMetric(), perplexityMetric()]`. */
  metrics?: readonly Metric<B, M>[];
  /** Default: the batch's number of rows. */
  batchWeight?: (batch: B) => number;
  /** Seeds the generator passed to the loss and the data (default 0). */
  seed?: number | string;
  /** Reported to the loss function as `context.step` (default 0). */
  step?: number;
}

/**
 * Runs every held-out batch through the loss in eval mode (dropout off, no gradients) and returns
 * each metric's result by name. The model's train/eval mode is restored afterwards. Leak-free.
 */
export async function evaluate<M extends AnyModule, B extends object>(options: EvaluateOptions<M, B>): Promise<Record<string, number>> {
  const { model, data } = options;
  const lossFn = options.loss ?? defaultLoss<M, B>(model);
  const metrics = options.metrics ?? ([lossMetric(), perplexityMetric()] as Metric<B, M>[]);
  const names = new Set<string>();
  for (const m of metrics) {
    if (names.has(m.name)) throw new Error(`Two evaluation metrics are named "${m.name}"; give one a different name`);
    names.add(m.name);
  }
  const weightOf = options.batchWeight ?? rowsOf;
  const rng = Rng.derive(options.seed ?? 0, 'eval');
  const wasTraining = model.training;
  model.eval();
  try {
    const accumulators = metrics.map((m) => m.begin());
    let batches = 0;
    const context = { step: options.step ?? 0, epoch: 0, rng, training: false };
    for await (const batch of data.batches(0, 0, rng)) {
      try {
        const lossTensor = tf.tidy(() => lossFn(model, batch, context));
        const loss = lossTensor.dataSync()[0] as number;
        lossTensor.dispose();
        const weight = weightOf(batch);
        for (const a of accumulators) a.update({ model, batch, loss, weight });
        batches++;
      } finally {
        disposeTensors(batch);
      }
    }
    if (batches === 0) throw new Error('evaluate: the held-out data yielded no batches for data.batches(0, 0, rng)');
    const out: Record<string, number> = {};
    metrics.forEach((m, i) => (out[m.name] = (accumulators[i] as { result(): number }).result()));
    return out;
  } finally {
    model.train(wasTraining);
  }
}

/** `model.loss(batch)` for models that have one (core's `BatchModel`); a clear error otherwise. */
export function defaultLoss<M extends AnyModule, B>(model: M): LossFunction<M, B> {
  if (typeof (model as { loss?: unknown }).loss !== 'function') {
    throw new Error(`${model.typeName} has no loss(batch) method; pass options.loss = (model, batch) => scalar loss`);
  }
  return (m, batch) => (m as { loss?: (b: B) => tf.Scalar }).loss?.(batch) as tf.Scalar;
}

function rowsOf(batch: object): number {
  for (const key of ['inputIds', 'inputs']) {
    const t = (batch as Record<string, unknown>)[key];
    if (t instanceof tf.Tensor && t.rank >= 1) return t.shape[0] as number;
  }
  return 1;
}
