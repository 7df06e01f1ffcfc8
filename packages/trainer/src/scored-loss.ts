import * as tf from '@tensorflow/tfjs-core';
import { PeftjsError } from '@peftjs/core';
import { batchRows } from './batch-utils';

/**
 * A loss together with the number of predictions it is the mean over (scored tokens for a language
 * model, rows for a classifier). Every reduction over batches weights a batch by `count`.
 */
export interface ScoredLoss {
  /** The mean loss over the `count` scored predictions (0 when `count` is 0). */
  readonly loss: tf.Scalar;
  /** Predictions scored; a finite number >= 0 (0: the batch contributes nothing). */
  readonly count: number;
}

/** A loss function returned something the trainer cannot use (not a scalar, or a bad count); code `E_LOSS_OUTPUT`. */
export class LossOutputError extends PeftjsError {
  constructor(message: string) {
    super('E_LOSS_OUTPUT', message);
    this.name = 'LossOutputError';
  }
}

/**
 * The loss tensor of a loss function's output and the batch's weight in reductions: the count a
 * {@link ScoredLoss} reports, else the batch's rows (`inputIds` or `inputs`, else 1).
 */
export function lossAndWeight(output: tf.Tensor | ScoredLoss, batch: object): { loss: tf.Scalar; weight: number } {
  const scored = !(output instanceof tf.Tensor);
  const loss = scored ? output.loss : output;
  if (!(loss instanceof tf.Tensor) || loss.rank !== 0) {
    const shape = loss instanceof tf.Tensor ? `shape [${loss.shape.join(', ')}]` : typeof loss;
    throw new LossOutputError(
      `The loss function must return a scalar tensor or { loss: scalar, count }, got ${shape}; reduce the loss to a mean (tf.mean)`,
    );
  }
  if (!scored) return { loss: loss as tf.Scalar, weight: batchRows(batch) };
  const { count } = output;
  if (!(Number.isFinite(count) && count >= 0)) {
    throw new LossOutputError(
      `The loss function reported count ${count}; it must be the finite number (>= 0) of predictions the loss is the mean over`,
    );
  }
  return { loss: loss as tf.Scalar, weight: count };
}
