import * as tf from '@tensorflow/tfjs-core';
import {
  Linear,
  Module,
  PeftjsError,
  Rng,
  classTargets,
  type BatchModel,
  type ScoredTargets,
  type TokenBatch,
} from '@peftjs/core';
import type { Gpt2Config } from './gpt2-config';
import { Gpt2Model, type ModelOptions } from './gpt2-model';
import { fillNormal } from './init';
import { tokenCrossEntropy } from './lm-loss';
import { batchShape, type ModelInputs } from './model-inputs';

/** A token batch with one class label per sequence (`classLabels: [B]` int32). */
export interface SequenceClassificationBatch extends ModelInputs {
  /** Class id per sequence, int32 `[B]` in `[0, num_labels)`; needed by `loss`. */
  readonly classLabels?: tf.Tensor1D;
}

/**
 * GPT-2 with a classification head (HF `GPT2ForSequenceClassification`): `score` (a bias-free
 * linear layer, `[num_labels, n_embd]`) applied to the hidden state of each row's last real token.
 * The last real token is found from `attentionMask` (the last position whose mask is 1, so left and
 * right padding both work); without a mask it is the last position. (HF finds it from
 * `pad_token_id` instead; with the mask the two agree on right-padded input.)
 * `call(batch)` returns logits `[B, num_labels]`; `loss(batch)` the mean cross-entropy against `classLabels`.
 */
export class Gpt2ForSequenceClassification
  extends Module<[SequenceClassificationBatch], tf.Tensor>
  implements BatchModel<TokenBatch>
{
  /** The Hugging Face architecture name written to `config.json`. */
  readonly architecture = 'GPT2ForSequenceClassification';

  constructor(
    /** The validated config the model was built from. */
    readonly config: Gpt2Config,
    options: ModelOptions = {},
  ) {
    super();
    this.registerModule('transformer', new Gpt2Model(config, options));
    const score = new Linear(config.nEmbd, config.numLabels, { bias: false });
    fillNormal(score.weight, config.initializerRange, Rng.derive(options.seed ?? 0, 'score'));
    this.registerModule('score', score);
  }

  forward(batch: SequenceClassificationBatch): tf.Tensor {
    const [b, t] = batchShape(batch, 'GPT2ForSequenceClassification');
    const last = lastTokenIndices(b, t, batch.attentionMask);
    return tf.tidy(() => {
      const hidden = this.child<Gpt2Model>('transformer').call(batch); // [B, T, d]
      const d = hidden.shape[2] as number;
      // Pick row b's hidden state at last[b] with a one-hot [B, T] weighting (gather has no wasm gradient).
      const pick = tf.reshape(tf.cast(tf.oneHot(tf.tensor1d(last, 'int32'), t), 'float32'), [b, t, 1]);
      const pooled = tf.reshape(tf.sum(tf.mul(hidden, pick), 1), [b, d]);
      return this.child('score').call(pooled);
    });
  }

  loss(batch: SequenceClassificationBatch): tf.Scalar {
    const labels = batch.classLabels;
    if (labels === undefined)
      throw new Error('GPT2ForSequenceClassification.loss: the batch has no classLabels ([B] int32 class ids)');
    const target = Int32Array.from(labels.dataSync());
    const n = this.config.numLabels;
    target.forEach((y, i) => {
      if (y < 0 || y >= n)
        throw new RangeError(
          `GPT2ForSequenceClassification.loss: classLabels[${i}] = ${y} is outside [0, ${n}) (num_labels = ${n})`,
        );
    });
    return tf.tidy(() =>
      tokenCrossEntropy(this.call(batch), target, new Float32Array(target.length).fill(1), target.length),
    );
  }

  /** The `[B]` rows {@link loss} averages over: every row, target `classLabels[b]`. */
  scoredTargets(batch: SequenceClassificationBatch): ScoredTargets {
    if (batch.classLabels === undefined)
      throw new PeftjsError(
        'E_NO_LABELS',
        'GPT2ForSequenceClassification.scoredTargets: the batch has no classLabels ([B] int32 class ids)',
      );
    return classTargets(batch.classLabels, this.config.numLabels);
  }
}

/** Index of the last position whose mask is 1, per row (the last position without a mask; 0 for an all-pad row). */
export function lastTokenIndices(batch: number, length: number, attentionMask?: tf.Tensor2D): Int32Array {
  const out = new Int32Array(batch).fill(length - 1);
  if (attentionMask === undefined) return out;
  const mask = attentionMask.dataSync();
  for (let b = 0; b < batch; b++) {
    let last = 0;
    for (let t = 0; t < length; t++) if (mask[b * length + t] !== 0) last = t;
    out[b] = last;
  }
  return out;
}
