import type * as tf from '@tensorflow/tfjs-core';
import { PeftjsError } from '@peftjs/core';
import { classPredictions, type AccuracyMetricOptions, type Metric } from './metric';

export interface F1MetricOptions<B, M> extends AccuracyMetricOptions<B, M> {
  /** The class whose F1 is reported (scikit-learn's `pos_label`; default 1). */
  positiveLabel?: number;
}

/**
 * F1 score of one class over the counted targets of a whole evaluation: `2 TP / (2 TP + FP + FN)`,
 * the harmonic mean of precision and recall for `positiveLabel`, as scikit-learn's
 * `f1_score(y_true, y_pred, average="binary", pos_label=positiveLabel)`. When the class is neither
 * predicted nor present the score is 0 (scikit-learn's default `zero_division`); with no counted
 * target at all it is NaN, as `accuracyMetric`'s. Predictions are the
 * arg-max of the logits and the targets are chosen as in `accuracyMetric` (the model's
 * `scoredTargets(batch)` by default), so padding and `-100` labels are not counted.
 *
 * @throws PeftjsError (`E_METRIC_INPUT`) when `positiveLabel` is not an integer >= 0, or when a
 *   batch's logits and targets disagree in count.
 */
export function f1Metric<
  B extends object,
  M extends {
    /** Forward pass: logits `[..., classes]` for the batch. */
    call(batch: B): tf.Tensor;
  },
>(options: F1MetricOptions<B, M> = {}): Metric<B, M> {
  const positive = options.positiveLabel ?? 1;
  if (!(Number.isInteger(positive) && positive >= 0))
    throw new PeftjsError('E_METRIC_INPUT', `f1Metric: positiveLabel must be an integer >= 0, got ${positive}`);
  const predict = classPredictions(options, 'f1Metric');
  return {
    name: options.name ?? 'f1',
    begin: () => {
      let truePositives = 0;
      let falsePositives = 0;
      let falseNegatives = 0;
      let counted = 0;
      return {
        update: ({ model, batch }) => {
          const { predicted, targets, scored, count } = predict(model, batch);
          counted += count;
          for (let i = 0; i < targets.length; i++) {
            if (scored[i] !== 1) continue;
            const p = predicted[i] === positive;
            const t = targets[i] === positive;
            if (p && t) truePositives++;
            else if (p) falsePositives++;
            else if (t) falseNegatives++;
          }
        },
        result: () => {
          if (counted === 0) return NaN;
          const denominator = 2 * truePositives + falsePositives + falseNegatives;
          return denominator === 0 ? 0 : (2 * truePositives) / denominator;
        },
      };
    },
  };
}
