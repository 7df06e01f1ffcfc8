import type * as tf from '@tensorflow/tfjs-core';
import type { ScoredTargets } from './scored-targets';

/**
 * A batch of token sequences, the input of language models and of activation capture.
 * `inputIds` and `attentionMask` are int32 `[B, T]`; `labels` is int32 `[B, T]` with
 * `-100` (or a configured value) where no loss is taken (padding, prompts).
 */
export interface TokenBatch {
  readonly inputIds: tf.Tensor2D;
  readonly attentionMask?: tf.Tensor2D;
  readonly labels?: tf.Tensor2D;
}

/** A batch of feature vectors (images flattened, tabular rows) with int32 class labels `[B]`. */
export interface FeatureBatch {
  readonly inputs: tf.Tensor2D;
  readonly labels?: tf.Tensor1D;
}

export type Batch = TokenBatch | FeatureBatch;

export function isTokenBatch(batch: Batch): batch is TokenBatch {
  return 'inputIds' in batch;
}

/** Frees every tensor of a batch. */
export function disposeBatch(batch: Batch): void {
  for (const value of Object.values(batch)) {
    if (value !== undefined && typeof (value as tf.Tensor).dispose === 'function') (value as tf.Tensor).dispose();
  }
}

/**
 * A model the trainer and EVA can drive: a forward pass on a batch, and a scalar loss.
 *
 * `loss(batch)` is a mean over the predictions it scores. A model that says which ones through
 * `scoredTargets(batch)` lets the trainer weight every reduction over batches by their count
 * (gradient accumulation, evaluation, perplexity) and lets accuracy count exactly those predictions;
 * without it, a batch weighs its number of rows.
 */
export interface BatchModel<B extends Batch = Batch> {
  call(batch: B): tf.Tensor;
  loss(batch: B): tf.Scalar;
  /** The predictions `loss(batch)` averages over, flattened over the logits' leading axes of `call(batch)`. */
  scoredTargets?(batch: B): ScoredTargets;
}
