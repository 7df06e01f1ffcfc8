import * as tf from '@tensorflow/tfjs-core';

/** Disposes every tensor among an object's own property values (a batch from a data source). */
export function disposeTensors(batch: object): void {
  if (batch instanceof tf.Tensor) {
    batch.dispose();
    return;
  }
  for (const value of Object.values(batch)) if (value instanceof tf.Tensor) value.dispose();
}

/** Default token count: `inputIds.size`, else the rows of `inputs`, else 0. */
export function defaultTokenCount(batch: object): number {
  const ids = (batch as { inputIds?: unknown }).inputIds;
  if (ids instanceof tf.Tensor) return ids.size;
  const inputs = (batch as { inputs?: unknown }).inputs;
  if (inputs instanceof tf.Tensor && inputs.rank >= 1) return inputs.shape[0] as number;
  return 0;
}

/** Rows of a batch: the first axis of `inputIds`, else of `inputs`, else 1. */
export function batchRows(batch: object): number {
  for (const key of ['inputIds', 'inputs']) {
    const t = (batch as Record<string, unknown>)[key];
    if (t instanceof tf.Tensor && t.rank >= 1) return t.shape[0] as number;
  }
  return 1;
}
