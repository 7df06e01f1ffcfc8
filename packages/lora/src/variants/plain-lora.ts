import * as tf from '@tensorflow/tfjs-core';
import type { LoraVariant } from '../lora-variant';
import { deltaWeight, loraUpdate } from '../lora-delta';

/** Plain LoRA (Hu et al. 2021): `y = base(x) + scaling * dropout(x) @ A^T @ B^T`; merging adds `scaling * B @ A`. */
export const plainLoraVariant: LoraVariant = {
  name: 'lora',
  peftConfigFlag: null,
  parameterNames: [],
  createParameters: () => ({}),
  forward: (_base, adapter, { dropped, baseOutput }) => tf.add(baseOutput, loraUpdate(adapter, dropped)),
  mergedWeight: (_base, adapter, weight) => tf.tidy(() => tf.add(weight, deltaWeight(adapter))),
  unmergedWeight: (_base, adapter, merged) => tf.tidy(() => tf.sub(merged, deltaWeight(adapter))),
};
