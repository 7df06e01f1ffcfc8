import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '@peftjs/core';

/** What a row-preparation function knows about the current layer and batch. */
export interface PrepareLayerInputsContext {
  /** Full module path of the layer. */
  readonly layer: string;
  /** The batch of this step. */
  readonly batch: Batch;
  /** int32 `[n_kept]`: kept positions among the batch's flattened positions (owned by the capture; do not dispose). */
  readonly keptRows: tf.Tensor1D;
  /** `n_kept`. */
  readonly kept: number;
  /** Positions in the batch: `B*T` (tokens) or `B` (features). */
  readonly positions: number;
  /** Leading shape of a layer input over the batch's positions: `[B, T]` or `[B]`. */
  readonly leadingShape: readonly number[];
}

/**
 * Turns a layer's input into the `[n_kept, d]` matrix of rows its statistics should see (PEFT's
 * `prepare_layer_inputs_fn`). Runs inside the forward pass under `tf.tidy`; the capture owns the result.
 */
export type PrepareLayerInputs = (input: tf.Tensor, context: PrepareLayerInputsContext) => tf.Tensor2D;

/**
 * The default preparation: `[B, T, d]` (or `[B*T, d]`; `[B, d]` for feature batches) reshaped to
 * `[positions, d]`, then the kept rows gathered (no gather when every row is kept).
 * Exported so a custom preparation can transform an input and then reuse the masking.
 */
export const gatherKeptRows: PrepareLayerInputs = (input, context) => {
  if (input.dtype !== 'float32') {
    throw new Error(
      `Layer "${context.layer}" received an input of dtype ${input.dtype} and shape [${input.shape.join(', ')}]; activation capture needs float32 activations. Remove this layer from targets (e.g. an Embedding takes token ids).`,
    );
  }
  const leading = input.shape.slice(0, -1);
  const width = input.shape[input.rank - 1] as number;
  const leadingSize = leading.reduce((a, b) => a * b, 1);
  if (input.rank < 2 || leadingSize !== context.positions) {
    throw new Error(
      `Layer "${context.layer}" received an input of shape [${input.shape.join(', ')}] but the batch has ${context.positions} positions ` +
        `[${context.leadingShape.join(', ')}]; the input must be [${context.leadingShape.join(', ')}, features] (or [${context.positions}, features]). ` +
        `Pass prepareLayerInputs for this layer to say which rows it sees.`,
    );
  }
  const flat = tf.reshape(input, [context.positions, width]) as tf.Tensor2D; // [B, T, d] -> [B*T, d]
  return context.kept === context.positions ? flat : tf.gather(flat, context.keptRows); // -> [n_kept, d]
};
