import type * as tf from '@tensorflow/tfjs-core';
import type { ScoredTargets } from './scored-targets';

/**
 * A batch of token sequences, the input of language models and of activation capture.
 * `inputIds` and `attentionMask` are int32 `[B, T]`; `labels` is int32 `[B, T]` with
 * `-100` (or a configured value) where no loss is taken (padding, prompts).
 */
export interface TokenBatch {
  /** Token ids, int32 `[B, T]`. */
  readonly inputIds: tf.Tensor2D;
  /** 1 for real tokens, 0 for padding, int32 `[B, T]`; absent: every token is real. */
  readonly attentionMask?: tf.Tensor2D;
  /** Target ids, int32 `[B, T]`, not yet shifted; the ignore value (`-100`) marks positions without loss. */
  readonly labels?: tf.Tensor2D;
}

/** A batch of feature vectors (images flattened, tabular rows) with int32 class labels `[B]`. */
export interface FeatureBatch {
  /** Feature rows, float32 `[B, F]`. */
  readonly inputs: tf.Tensor2D;
  /** Class index per row, int32 `[B]`; absent for unlabelled data. */
  readonly labels?: tf.Tensor1D;
}

/** Either batch kind; {@link isTokenBatch} tells them apart. */
export type Batch = TokenBatch | FeatureBatch;

/** True for a {@link TokenBatch} (it has `inputIds`). */
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
  /** Forward pass: logits, e.g. `[B, T, V]` for a language model, `[B, C]` for a classifier. */
  call(batch: B): tf.Tensor;
  /** Scalar mean loss over the predictions the batch scores (cross-entropy for the bundled models). */
  loss(batch: B): tf.Scalar;
  /** The predictions `loss(batch)` averages over, flattened over the logits' leading axes of `call(batch)`. */
  scoredTargets?(batch: B): ScoredTargets;
}
