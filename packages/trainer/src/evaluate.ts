import * as tf from '@tensorflow/tfjs-core';
import { NonFiniteError, Rng } from '@peftjs/core';
import type { AnyModule } from '@peftjs/core';
import { disposeTensors } from './batch-utils';
import { lossAndWeight } from './scored-loss';
import type { ScoredLoss } from './scored-loss';
import type { DataSource } from './data-source';
import { lossMetric, perplexityMetric } from './metric';
import type { Metric } from './metric';
import type { LossFunction } from './train-options';

/** Options of {@link evaluate}. */
export interface EvaluateOptions<M extends AnyModule, B extends object> {
  /** The model to evaluate; put in eval mode for the run and restored after. */
  model: M;
  /** Held-out batches, read in full as `data.batches(0, 0, rng)`; each batch is disposed after use. */
  data: DataSource<B>;
  /** Default: `model.loss(batch)`. */
  loss?: LossFunction<M, B>;
  /** Default `[lossMetric(), perplexityMetric()]`. */
  metrics?: readonly Metric<B, M>[];
  /** A batch's weight in averaged metrics (default: the count its loss reports, else its number of rows). */
  batchWeight?: (batch: B) => number;
  /** Seeds the generator passed to the loss and the data (default 0). */
  seed?: number | string;
  /** Reported to the loss function as `context.step` (default 0). */
  step?: number;
}

/**
 * Runs every held-out batch through the loss in eval mode (dropout off, no gradients) and returns
 * each metric's result by name. The model's train/eval mode is restored afterwards. Leak-free.
 *
 * Averages are over scored predictions, not batches: a batch weighs the count its loss reports
 * (`{ loss, count }`, or the model's `scoredTargets(batch).count` for the default loss), else its
 * rows, so the result does not depend on how the held-out rows are cut into batches (Hugging Face's
 * `num_items_in_batch` rule). A batch that scores nothing is skipped by every metric.
 */
export async function evaluate<M extends AnyModule, B extends object>(
  options: EvaluateOptions<M, B>,
): Promise<Record<string, number>> {
  const { model, data } = options;
  const lossFn = options.loss ?? defaultLoss<M, B>(model);
  const metrics = options.metrics ?? ([lossMetric(), perplexityMetric()] as Metric<B, M>[]);
  const names = new Set<string>();
  for (const m of metrics) {
    if (names.has(m.name)) throw new Error(`Two evaluation metrics are named "${m.name}"; give one a different name`);
    names.add(m.name);
  }
  const rng = Rng.derive(options.seed ?? 0, 'eval');
  const wasTraining = model.training;
  model.eval();
  try {
    const accumulators = metrics.map((m) => m.begin());
    let batches = 0;
    const context = { step: options.step ?? 0, epoch: 0, rng, training: false };
    for await (const batch of data.batches(0, 0, rng)) {
      try {
        const scored = tf.tidy(() => {
          const { loss, weight } = lossAndWeight(lossFn(model, batch, context), batch);
          return { loss, weight };
        });
        const loss = scored.loss.dataSync()[0] as number;
        scored.loss.dispose();
        const weight = options.batchWeight?.(batch) ?? scored.weight;
        if (weight > 0 && !Number.isFinite(loss)) {
          throw new NonFiniteError(
            `held-out batch ${batches + 1}`,
            `Non-finite held-out loss (${loss}) on evaluation batch ${batches + 1} at step ${context.step}; the model's outputs or the batch hold NaN/Inf (check the weights, the learning rate and that batch)`,
          );
        }
        if (weight > 0) for (const a of accumulators) a.update({ model, batch, loss, weight });
        batches++;
      } finally {
        disposeTensors(batch);
      }
    }
    if (batches === 0) throw new Error('evaluate: the held-out data yielded no batches for data.batches(0, 0, rng)');
    const out: Record<string, number> = {};
    metrics.forEach((m, i) => {
      out[m.name] = (accumulators[i] as { result(): number }).result();
    });
    return out;
  } finally {
    model.train(wasTraining);
  }
}

/**
 * `model.loss(batch)` for models that have one (core's `BatchModel`), with the count of
 * `model.scoredTargets(batch)` when the model has that method; a clear error otherwise.
 */
export function defaultLoss<M extends AnyModule, B>(model: M): LossFunction<M, B> {
  if (typeof (model as { loss?: unknown }).loss !== 'function') {
    throw new Error(`${model.typeName} has no loss(batch) method; pass options.loss = (model, batch) => scalar loss`);
  }
  return (m, batch): tf.Scalar | ScoredLoss => {
    const lm = m as { loss?: (b: B) => tf.Scalar; scoredTargets?: (b: B) => { count: number } };
    const count = typeof lm.scoredTargets === 'function' ? lm.scoredTargets(batch).count : undefined;
    const loss = lm.loss?.(batch) as tf.Scalar;
    return count === undefined ? loss : { loss, count };
  };
}
