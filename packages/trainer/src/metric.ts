import * as tf from '@tensorflow/tfjs';

/** What a metric sees for each held-out batch. */
export interface EvalBatchContext<B, M> {
  readonly model: M;
  readonly batch: B;
  /** The batch's loss (the training loss function, model in eval mode). */
  readonly loss: number;
  /** The batch's weight in averages (by default its number of rows). */
  readonly weight: number;
}

/** The running state of one metric during one evaluation. */
export interface MetricAccumulator<B, M> {
  update(context: EvalBatchContext<B, M>): void;
  result(): number;
}

/**
 * The metric plug point: `begin()` is called at the start of every evaluation, `update` on every
 * held-out batch, `result` once at the end. The result is logged under `name`.
 */
export interface Metric<B = unknown, M = unknown> {
  readonly name: string;
  begin(): MetricAccumulator<B, M>;
}

/** Mean held-out loss, weighted by each batch's weight. */
export function lossMetric(name = 'loss'): Metric {
  return {
    name,
    begin: () => {
      let sum = 0;
      let weight = 0;
      return {
        update: (c) => {
          sum += c.loss * c.weight;
          weight += c.weight;
        },
        result: () => (weight === 0 ? NaN : sum / weight),
      };
    },
  };
}

/** `exp(mean loss)`: perplexity when the loss is a mean token cross-entropy in nats. */
export function perplexityMetric(name = 'perplexity'): Metric {
  const loss = lossMetric();
  return {
    name,
    begin: () => {
      const inner = loss.begin();
      return { update: (c) => inner.update(c), result: () => Math.exp(inner.result()) };
    },
  };
}

export interface AccuracyMetricOptions<B, M> {
  /** Logits `[..., classes]` for a batch (default `model.call(batch)`). */
  logits?: (model: M, batch: B) => tf.Tensor;
  /**
   * Integer targets shaped like the logits without their last axis (default: `batch.labels`,
   * else `batch.inputIds` when `shiftLabels`).
   */
  labels?: (batch: B) => tf.Tensor;
  /** Causal LM: compare the prediction at position t with the label at t + 1 (default false). */
  shiftLabels?: boolean;
  /** Targets equal to this are not counted (default -100, as PyTorch's cross-entropy). */
  ignoreIndex?: number;
  name?: string;
}

/** Fraction of counted targets where the arg-max of the logits equals the target. */
export function accuracyMetric<B extends object, M extends { call(batch: B): tf.Tensor }>(
  options: AccuracyMetricOptions<B, M> = {},
): Metric<B, M> {
  const ignoreIndex = options.ignoreIndex ?? -100;
  const shift = options.shiftLabels ?? false;
  const labelsOf = options.labels ?? ((batch: B) => defaultLabels(batch, shift));
  const logitsOf = options.logits ?? ((model: M, batch: B) => model.call(batch));
  return {
    name: options.name ?? 'accuracy',
    begin: () => {
      let correct = 0;
      let counted = 0;
      return {
        update: ({ model, batch }) => {
          const counts = tf.tidy(() => {
            const logits = logitsOf(model, batch);
            let predicted: tf.Tensor = tf.argMax(logits, -1);
            let labels: tf.Tensor = tf.cast(labelsOf(batch), 'int32');
            if (!shapesMatch(predicted.shape, labels.shape)) {
              throw new Error(`accuracyMetric: logits [${logits.shape.join(', ')}] need labels shaped [${predicted.shape.join(', ')}], got [${labels.shape.join(', ')}]`);
            }
            if (shift) {
              const t = predicted.shape[predicted.rank - 1] as number;
              predicted = tf.slice(predicted, Array(predicted.rank).fill(0), [...predicted.shape.slice(0, -1), t - 1]);
              labels = tf.slice(labels, [...Array(labels.rank - 1).fill(0), 1], [...labels.shape.slice(0, -1), t - 1]);
            }
            const keep = tf.notEqual(labels, tf.scalar(ignoreIndex, 'int32'));
            const hit = tf.logicalAnd(keep, tf.equal(predicted, labels));
            return tf.stack([tf.sum(tf.cast(hit, 'float32')), tf.sum(tf.cast(keep, 'float32'))]);
          });
          const [c, n] = counts.dataSync();
          counts.dispose();
          correct += c as number;
          counted += n as number;
        },
        result: () => (counted === 0 ? NaN : correct / counted),
      };
    },
  };
}

function defaultLabels(batch: object, shift: boolean): tf.Tensor {
  const labels = (batch as { labels?: unknown }).labels;
  if (labels instanceof tf.Tensor) return labels;
  const ids = (batch as { inputIds?: unknown }).inputIds;
  if (shift && ids instanceof tf.Tensor) return ids;
  throw new Error('accuracyMetric: the batch has no `labels` tensor (and no `inputIds` with shiftLabels); pass options.labels');
}

function shapesMatch(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
