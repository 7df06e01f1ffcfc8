import type * as tf from '@tensorflow/tfjs-core';
import type { TokenBatch } from '@peftjs/core';
import type { KvCache } from './kv-cache';

/** A {@link TokenBatch} that may also carry explicit position ids `[B, T]` (int32) and a key/value cache. */
export interface ModelInputs extends TokenBatch {
  /** Position of each token, int32 `[B, T]`; default: counted over real tokens from the attention mask. */
  readonly positionIds?: tf.Tensor2D;
  /**
   * Incremental decoding: the keys and values of the tokens before `inputIds` (which then holds only
   * new tokens, and `attentionMask` only their mask). The forward appends the new ones to it.
   */
  readonly cache?: KvCache;
}

/** Checks the shapes of a token batch and returns `[B, T]`. */
export function batchShape(batch: TokenBatch, where: string): [number, number] {
  const ids = batch.inputIds;
  if (ids.rank !== 2)
    throw new Error(`${where}: inputIds must be [batch, seqLen], got shape [${ids.shape.join(', ')}]`);
  const [b, t] = ids.shape;
  for (const [name, tensor] of [
    ['attentionMask', batch.attentionMask],
    ['labels', batch.labels],
    ['positionIds', (batch as ModelInputs).positionIds],
  ] as const) {
    if (tensor !== undefined && (tensor.shape[0] !== b || tensor.shape[1] !== t || tensor.rank !== 2)) {
      throw new Error(
        `${where}: ${name} has shape [${tensor.shape.join(', ')}] but inputIds has [${b}, ${t}]; they must match`,
      );
    }
  }
  if (t === 0) throw new Error(`${where}: the batch has sequence length 0`);
  return [b, t];
}
