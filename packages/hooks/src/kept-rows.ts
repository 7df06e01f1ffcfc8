import * as tf from '@tensorflow/tfjs-core';
import { isTokenBatch, type Batch } from '@peftjs/core';

/** Options of {@link keptRowIndex}: whether and how labels mask rows. */
export interface RowMaskOptions {
  /** Also drop token rows whose label equals `labelMaskValue` (only when the batch has labels). Default true. */
  readonly useLabelMask?: boolean;
  /** The label of positions that take no loss. Default -100 (PyTorch's `ignore_index`). */
  readonly labelMaskValue?: number;
}

/** What {@link keptRowIndex} returns: which positions of a batch to keep. */
export interface KeptRows {
  /** int32 `[n_kept]`: indices into the batch's flattened positions (`[B*T]` for tokens, `[B]` for features). The caller disposes it. */
  readonly index: tf.Tensor1D;
  /** `n_kept`. */
  readonly kept: number;
  /** Positions in the batch: `B*T` for a token batch, `B` for a feature batch. */
  readonly positions: number;
  /** Leading shape of a layer input over those positions: `[B, T]` or `[B]`. */
  readonly leadingShape: readonly number[];
}

/**
 * The rows of a batch that activation statistics should see, as EVA/PEFT select them:
 * token batches keep positions where `attentionMask == 1` and, with `useLabelMask` and labels present,
 * `labels != labelMaskValue`; feature batches keep every row. One small read-back (`[B*T]` booleans).
 */
export function keptRowIndex(batch: Batch, options: RowMaskOptions = {}): KeptRows {
  const useLabelMask = options.useLabelMask ?? true;
  const labelMaskValue = options.labelMaskValue ?? -100;
  if (!isTokenBatch(batch)) {
    const rows = batch.inputs.shape[0];
    return { index: tf.range(0, rows, 1, 'int32') as tf.Tensor1D, kept: rows, positions: rows, leadingShape: [rows] };
  }
  const { inputIds, attentionMask, labels } = batch;
  if (inputIds.rank !== 2)
    throw new Error(`TokenBatch.inputIds must be [B, T], got shape [${inputIds.shape.join(', ')}]`);
  const [b, t] = inputIds.shape;
  for (const [field, value] of [
    ['attentionMask', attentionMask],
    ['labels', labels],
  ] as const) {
    if (value !== undefined && (value.rank !== 2 || value.shape[0] !== b || value.shape[1] !== t)) {
      throw new Error(
        `TokenBatch.${field} has shape [${value.shape.join(', ')}] but inputIds has [${b}, ${t}]; they must match`,
      );
    }
  }
  const applyLabels = useLabelMask && labels !== undefined;
  if (attentionMask === undefined && !applyLabels) {
    return {
      index: tf.range(0, b * t, 1, 'int32') as tf.Tensor1D,
      kept: b * t,
      positions: b * t,
      leadingShape: [b, t],
    };
  }
  const maskTensor = tf.tidy(() => {
    let mask = attentionMask === undefined ? tf.cast(tf.onesLike(inputIds), 'bool') : tf.equal(attentionMask, 1);
    if (applyLabels) mask = tf.logicalAnd(mask, tf.notEqual(labels, labelMaskValue));
    return tf.reshape(mask, [-1]);
  });
  const mask = maskTensor.dataSync();
  maskTensor.dispose();
  const index: number[] = [];
  for (let i = 0; i < mask.length; i++) if (mask[i]) index.push(i);
  return { index: tf.tensor1d(index, 'int32'), kept: index.length, positions: b * t, leadingShape: [b, t] };
}
