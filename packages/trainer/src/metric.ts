import * as tf from '@tensorflow/tfjs-core';
import { IGNORE_INDEX, PeftjsError, causalLmTargets } from '@peftjs/core';
import type { ScoredTargets } from '@peftjs/core';

/** What a metric sees for each held-out batch. */
export interface EvalBatchContext<B, M> {
  /** The model under evaluation, in eval mode. */
  readonly model: M;
  /** The held-out batch; disposed after every metric has seen it. */
  readonly batch: B;
  /** The batch's loss (the training loss function, model in eval mode). */
  readonly loss: number;
  /** The batch's weight in averages: the number of predictions its loss scored (else its rows). */
  readonly weight: number;
}

/** The running state of one metric during one evaluation. */
export interface MetricAccumulator<B, M> {
  /** Folds in one held-out batch. */
  update(context: EvalBatchContext<B, M>): void;
  /** The metric over every batch seen; `NaN` when they scored nothing. */
  result(): number;
}

/**
 * The metric plug point: `begin()` is called at the start of every evaluation, `update` on every
 * held-out batch, `result` once at the end. The result is logged under `name`.
 */
export interface Metric<B = unknown, M = unknown> {
  /** Key of the result in the evaluation record (`loss`, `accuracy`, ...). */
  readonly name: string;
  /** A fresh accumulator for one evaluation. */
  begin(): MetricAccumulator<B, M>;
}

/** Mean held-out loss over scored predictions: each batch's loss weighted by its weight (its scored count). */
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

/** `exp(mean loss)` with the token-weighted mean of {@link lossMetric}: perplexity when the loss is a mean token cross-entropy in nats. */
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

/** Options of {@link accuracyMetric}. */
export interface AccuracyMetricOptions<B, M> {
  /** Logits `[..., classes]` for a batch (default `model.call(batch)`). */
  logits?: (model: M, batch: B) => tf.Tensor;
  /**
   * Integer targets shaped like the logits without their last axis. Default: the predictions the
   * model's loss scores (`model.scoredTargets(batch)`, core's `BatchModel`) when the model says;
   * else `batch.labels`, else `batch.inputIds` when `shiftLabels`.
   */
  labels?: (batch: B) => tf.Tensor;
  /**
   * Causal LM: compare the prediction at position t with the label at t + 1, skipping predictions
   * made at padding (`batch.attentionMask == 0`) as core's `causalLmTargets` does (default false).
   */
  shiftLabels?: boolean;
  /** Targets equal to this are not counted (default -100, as PyTorch's cross-entropy). */
  ignoreIndex?: number;
  /** Key of the result (default `accuracy`). */
  name?: string;
}

/**
 * Fraction of counted targets where the arg-max of the logits equals the target. It counts exactly
 * the predictions the loss scores: the model's `scoredTargets(batch)` by default, so padding and
 * `-100` labels are skipped on left- and right-padded batches with or without `labels`.
 */
export function accuracyMetric<
  B extends object,
  M extends {
    /** Forward pass: logits `[..., classes]` for the batch. */
    call(batch: B): tf.Tensor;
  },
>(options: AccuracyMetricOptions<B, M> = {}): Metric<B, M> {
  const predict = classPredictions(options, 'accuracyMetric');
  return {
    name: options.name ?? 'accuracy',
    begin: () => {
      let correct = 0;
      let counted = 0;
      return {
        update: ({ model, batch }) => {
          const { predicted, targets, scored, count } = predict(model, batch);
          for (let i = 0; i < targets.length; i++) if (scored[i] === 1 && predicted[i] === targets[i]) correct++;
          counted += count;
        },
        result: () => (counted === 0 ? NaN : correct / counted),
      };
    },
  };
}

/** The arg-max class of every prediction a batch's targets count, next to those targets. */
export interface ClassPredictions extends ScoredTargets {
  /** Arg-max of the logits' last axis, one per target (read only where `scored[i] === 1`). */
  readonly predicted: ArrayLike<number>;
}

/**
 * How the classification metrics read a batch: arg-max predictions and the targets they are
 * counted against, chosen by {@link AccuracyMetricOptions} (the model's `scoredTargets` by default).
 * Leak-free; `where` names the metric in errors.
 */
export function classPredictions<B extends object, M extends { call(batch: B): tf.Tensor }>(
  options: Omit<AccuracyMetricOptions<B, M>, 'name'>,
  where: string,
): (model: M, batch: B) => ClassPredictions {
  const ignoreIndex = options.ignoreIndex ?? IGNORE_INDEX;
  const shift = options.shiftLabels ?? false;
  const logitsOf = options.logits ?? ((model: M, batch: B) => model.call(batch));
  const targetsOf = (model: M, batch: B): ScoredTargets => {
    const own = (model as { scoredTargets?: (b: B) => ScoredTargets }).scoredTargets;
    if (options.labels === undefined && typeof own === 'function') return own.call(model, batch);
    return labelTargets(
      batch,
      options.labels?.(batch) ?? defaultLabels(batch, shift, where),
      shift,
      ignoreIndex,
      where,
    );
  };
  return (model, batch) => {
    const targets = targetsOf(model, batch);
    const predictedTensor = tf.tidy(() => {
      const logits = logitsOf(model, batch);
      const v = logits.shape[logits.rank - 1] as number;
      if (logits.size / v !== targets.targets.length) {
        throw new PeftjsError(
          'E_METRIC_INPUT',
          `${where}: logits [${logits.shape.join(', ')}] make ${logits.size / v} predictions but the targets number ${targets.targets.length}; pass labels shaped like the logits without their last axis`,
        );
      }
      return tf.argMax(tf.reshape(logits, [-1, v]), -1); // [N, V] -> [N]
    });
    const predicted = predictedTensor.dataSync();
    predictedTensor.dispose();
    return { ...targets, predicted };
  };
}

/** Targets from a label tensor: as they are, or shifted one position left (causal LM). */
function labelTargets(
  batch: object,
  labelTensor: tf.Tensor,
  shift: boolean,
  ignoreIndex: number,
  where: string,
): ScoredTargets {
  if (shift) {
    if (labelTensor.rank !== 2)
      throw new PeftjsError(
        'E_METRIC_INPUT',
        `${where}: shiftLabels needs [B, T] labels, got [${labelTensor.shape.join(', ')}]`,
      );
    const mask = (batch as { attentionMask?: unknown }).attentionMask;
    // Labels taken from inputIds carry no -100 at padding: then padded targets are skipped too.
    const ownLabels = labelTensor !== (batch as { inputIds?: unknown }).inputIds;
    const labels =
      ignoreIndex === IGNORE_INDEX
        ? labelTensor
        : tf.tidy(() =>
            tf.where(
              tf.equal(labelTensor, ignoreIndex),
              tf.fill(labelTensor.shape, IGNORE_INDEX, 'int32'),
              tf.cast(labelTensor, 'int32'),
            ),
          );
    try {
      return causalLmTargets({
        inputIds: labels as tf.Tensor2D,
        ...(ownLabels ? { labels: labels as tf.Tensor2D } : {}),
        ...(mask instanceof tf.Tensor ? { attentionMask: mask as tf.Tensor2D } : {}),
      });
    } finally {
      if (labels !== labelTensor) labels.dispose();
    }
  }
  const raw = labelTensor.dataSync();
  const targets = new Int32Array(raw.length);
  const scored = new Uint8Array(raw.length);
  let count = 0;
  raw.forEach((y, i) => {
    if (y === ignoreIndex) return;
    targets[i] = y;
    scored[i] = 1;
    count++;
  });
  return { targets, scored, count };
}

function defaultLabels(batch: object, shift: boolean, where: string): tf.Tensor {
  const labels = (batch as { labels?: unknown }).labels;
  if (labels instanceof tf.Tensor) return labels;
  const ids = (batch as { inputIds?: unknown }).inputIds;
  if (shift && ids instanceof tf.Tensor) return ids;
  throw new PeftjsError(
    'E_METRIC_INPUT',
    `${where}: the batch has no \`labels\` tensor (and no \`inputIds\` with shiftLabels); pass options.labels`,
  );
}
