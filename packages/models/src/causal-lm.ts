import * as tf from '@tensorflow/tfjs-core';
import { Module, causalLmTargets, type BatchModel, type ScoredTargets, type TokenBatch } from '@peftjs/core';
import { causalLmLoss, defaultLabels } from './lm-loss';
import type { ModelInputs } from './model-inputs';

/**
 * A causal language model: `call(batch)` returns logits `[B, T, V]`, `loss(batch)` the shifted
 * next-token cross-entropy over labelled positions (labels default to `inputIds` with padding
 * set to -100; predictions made at padded positions are not scored, see {@link causalLmLoss}).
 */
export abstract class CausalLanguageModel extends Module<[ModelInputs], tf.Tensor> implements BatchModel<TokenBatch> {
  /** Width `V` of the logits: the token vocabulary size. */
  abstract readonly vocabSize: number;
  /** The Hugging Face architecture name written to `config.json` (`GPT2LMHeadModel`, ...). */
  abstract readonly architecture: string;

  loss(batch: TokenBatch): tf.Scalar {
    return tf.tidy(() => {
      const logits = this.call(batch);
      const labels = batch.labels ?? defaultLabels(batch.inputIds, batch.attentionMask);
      return causalLmLoss(logits, labels, batch.attentionMask);
    });
  }

  /** The `[B*T]` predictions {@link loss} averages over (core's `causalLmTargets`). */
  scoredTargets(batch: TokenBatch): ScoredTargets {
    return causalLmTargets(batch, this.vocabSize);
  }
}
