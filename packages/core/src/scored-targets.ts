import type * as tf from '@tensorflow/tfjs-core';
import { PeftjsError } from './peftjs-error';
import type { TokenBatch } from './batch';

/** The label value that takes no loss (PyTorch's `ignore_index`, Hugging Face's convention). */
export const IGNORE_INDEX = -100;

/**
 * What a loss scores in one batch: one target class per prediction, flattened over the logits'
 * leading axes (`[B*T]` for a causal LM's `[B, T, V]` logits, `[B]` for a classifier's `[B, C]`),
 * which of those predictions count, and how many do.
 *
 * A loss that is "the mean over scored predictions" averages over exactly {@link ScoredTargets.count}
 * items, so reductions over several batches (gradient accumulation, evaluation, metrics) weight each
 * batch by its count, as Hugging Face's Trainer does with `num_items_in_batch`.
 */
export interface ScoredTargets {
  /** int32 target class per prediction; 0 where the prediction is not scored. */
  readonly targets: Int32Array;
  /** 1 where the loss scores the prediction, 0 elsewhere; same length as `targets`. */
  readonly scored: Uint8Array;
  /** Number of scored predictions (the sum of `scored`): what the loss averages over. */
  readonly count: number;
}

/** A vocabulary-range error for a label; code `E_LABEL_RANGE`. */
export class LabelRangeError extends PeftjsError {
  constructor(message: string) {
    super('E_LABEL_RANGE', message);
    this.name = 'LabelRangeError';
  }
}

/**
 * The predictions a causal LM's next-token loss scores, shifted as Hugging Face does: the
 * prediction at `[b, t]` targets `labels[b, t + 1]`. It is scored when that label is not
 * {@link IGNORE_INDEX} and, with an `attentionMask`, when position `[b, t]` itself is not padding
 * (a prediction made at a pad position has no context). Without `labels`, the labels are
 * `inputIds` with padding (`attentionMask == 0`) set to {@link IGNORE_INDEX}.
 *
 * `inputIds`, `attentionMask`, `labels`: int `[B, T]`. Reads them on the host (small int tensors).
 * @param vocabSize - when given, a scored label outside `[0, vocabSize)` throws {@link LabelRangeError}.
 * @returns targets and flags of length `B*T` (the last position of each row is never scored).
 */
export function causalLmTargets(batch: TokenBatch, vocabSize?: number): ScoredTargets {
  const source = batch.labels ?? batch.inputIds;
  const [b, t] = source.shape as [number, number];
  const mask = batch.attentionMask;
  if (mask !== undefined && (mask.shape[0] !== b || mask.shape[1] !== t)) {
    throw new PeftjsError(
      'E_BATCH_SHAPE',
      `causalLmTargets: attentionMask shape [${mask.shape.join(', ')}] does not match labels [${b}, ${t}]; pad both to the same [B, T]`,
    );
  }
  const raw = source.dataSync();
  const m = mask?.dataSync();
  const labelsGiven = batch.labels !== undefined;
  const targets = new Int32Array(b * t);
  const scored = new Uint8Array(b * t);
  let count = 0;
  for (let row = 0; row < b; row++) {
    for (let col = 0; col + 1 < t; col++) {
      const i = row * t + col;
      if (m !== undefined && (m[i] === 0 || (!labelsGiven && m[i + 1] === 0))) continue;
      const next = raw[i + 1] as number;
      if (next === IGNORE_INDEX) continue;
      if (vocabSize !== undefined && !(Number.isInteger(next) && next >= 0 && next < vocabSize)) {
        throw new LabelRangeError(
          `label ${next} at [${row}, ${col + 1}] is outside the vocabulary [0, ${vocabSize}) and is not ${IGNORE_INDEX}; fix the labels or set it to ${IGNORE_INDEX}`,
        );
      }
      targets[i] = next;
      scored[i] = 1;
      count++;
    }
  }
  return { targets, scored, count };
}

/**
 * The predictions a classifier's loss scores: one per row, target `labels[b]`, every row scored
 * unless its label is {@link IGNORE_INDEX}. `labels`: int `[B]`.
 * @param numClasses - when given, a scored label outside `[0, numClasses)` throws {@link LabelRangeError}.
 */
export function classTargets(labels: tf.Tensor, numClasses?: number): ScoredTargets {
  const raw = labels.dataSync();
  const targets = new Int32Array(raw.length);
  const scored = new Uint8Array(raw.length);
  let count = 0;
  raw.forEach((y, i) => {
    if (y === IGNORE_INDEX) return;
    if (numClasses !== undefined && !(Number.isInteger(y) && y >= 0 && y < numClasses)) {
      throw new LabelRangeError(
        `label ${y} at [${i}] is outside the classes [0, ${numClasses}) and is not ${IGNORE_INDEX}; fix the labels`,
      );
    }
    targets[i] = y;
    scored[i] = 1;
    count++;
  });
  return { targets, scored, count };
}
