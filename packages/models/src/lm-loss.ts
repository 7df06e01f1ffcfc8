import * as tf from '@tensorflow/tfjs-core';
import { IGNORE_INDEX, causalLmTargets, softmaxCrossEntropy } from '@peftjs/core';

export { IGNORE_INDEX };

/** Labels for causal LM training: `inputIds` where `attentionMask` is 1, {@link IGNORE_INDEX} at padding. */
export function defaultLabels(inputIds: tf.Tensor2D, attentionMask?: tf.Tensor2D): tf.Tensor2D {
  if (attentionMask === undefined) return tf.clone(inputIds);
  return tf.tidy(
    () =>
      tf.where(
        tf.equal(attentionMask, 0),
        tf.fill(inputIds.shape, IGNORE_INDEX, 'int32'),
        tf.cast(inputIds, 'int32'),
      ) as tf.Tensor2D,
  );
}

/**
 * Mean token cross-entropy of a causal LM, shifted as Hugging Face does: position `t` predicts
 * `labels[t + 1]`; labels equal to {@link IGNORE_INDEX} take no loss. `logits: [B, T, V]`,
 * `labels: [B, T]` int. With `attentionMask`, predictions made at padded positions are not scored
 * either (Hugging Face scores the last left-pad position's prediction of the first real token,
 * though that position has no context and its logits are meaningless). The scored predictions are
 * exactly core's `causalLmTargets` (their count is what the mean divides by).
 * Returns 0 when no position has a label.
 */
export function causalLmLoss(logits: tf.Tensor, labels: tf.Tensor2D, attentionMask?: tf.Tensor2D): tf.Scalar {
  const [b, t, v] = logits.shape as [number, number, number];
  if (logits.rank !== 3 || labels.shape[0] !== b || labels.shape[1] !== t) {
    throw new Error(
      `causalLmLoss: labels shape [${labels.shape.join(', ')}] does not match logits [${logits.shape.join(', ')}] (need [B, T] and [B, T, V])`,
    );
  }
  if (attentionMask !== undefined && (attentionMask.shape[0] !== b || attentionMask.shape[1] !== t)) {
    throw new Error(
      `causalLmLoss: attentionMask shape [${attentionMask.shape.join(', ')}] does not match logits [${logits.shape.join(', ')}]`,
    );
  }
  const { targets, scored, count } = causalLmTargets(
    { inputIds: labels, labels, ...(attentionMask === undefined ? {} : { attentionMask }) },
    v,
  );
  return tokenCrossEntropy(logits, targets, Float32Array.from(scored), count);
}

/** `sum_i weight_i * -log softmax(logits_i)[target_i] / count` over the flattened leading axes (core's {@link softmaxCrossEntropy}). */
export function tokenCrossEntropy(
  logits: tf.Tensor,
  target: Int32Array,
  weight: Float32Array,
  count: number,
): tf.Scalar {
  return softmaxCrossEntropy(logits, target, weight, count);
}
