import * as tf from '@tensorflow/tfjs-core';
import { matmulTransposeBConstWeight } from '@peftjs/core';
import type { LoraAdapterState, LoraVariant } from '../lora-variant';
import { deltaWeight, loraUpdate } from '../lora-delta';
import { detach } from '../detach';

/** PEFT's module name for DoRA's magnitude (saved as `base_model.model.<path>.lora_magnitude_vector`). */
export const DORA_MAGNITUDE = 'lora_magnitude_vector';
const NORM_CACHE = 'dora-weight-norm';

/**
 * DoRA (Liu et al. 2024, arXiv 2402.09353; PEFT's `DoraLinearLayer` / `DoraLinearVariant`).
 *
 * `m` (`[out]`) starts as the row norms of `W + s B A` (norm over the input dimension). With
 * `n = ||W + s B A||_row` treated as a constant (detached, section 4.3 of the paper) and
 * `x_d = dropout(x)`:
 *
 *   y = base(x) + (m / n - 1) * (x_d @ W^T) + (m / n) * s * x_d @ A^T @ B^T
 *
 * which without dropout equals `(m / n) * (x @ (W + s B A)^T) + bias`.
 * Merge: `W' = (m / n) * (W + s B A)` row-wise, keeping `n` to undo it exactly.
 */
export const doraVariant: LoraVariant = {
  name: 'dora',
  peftConfigFlag: 'use_dora',
  parameterNames: [DORA_MAGNITUDE],
  createParameters(base, adapter) {
    return { [DORA_MAGNITUDE]: rowNorm(base.weight.value as tf.Tensor2D, adapter) };
  },
  forward(base, adapter, { x, dropped, baseOutput }) {
    const weight = base.weight.value as tf.Tensor2D;
    const norm = detach(rowNorm(weight, adapter)); // [out]
    const scale = tf.div(magnitude(adapter), norm); // [out], broadcast over rows of [n, out]
    // x_d @ W^T: reuse the base output when no dropout applied (it is that plus the bias).
    const bias = base.bias;
    const xw =
      dropped === x
        ? bias === null
          ? baseOutput
          : tf.sub(baseOutput, bias.value)
        : matmulTransposeBConstWeight(dropped, weight); // [n, in] @ [in, out]
    const lora = loraUpdate(adapter, dropped); // [n, out], scaling included
    return tf.add(baseOutput, tf.add(tf.mul(tf.sub(scale, 1), xw), tf.mul(scale, lora))) as tf.Tensor2D;
  },
  mergedWeight(_base, adapter, weight) {
    const norm = rowNorm(weight, adapter);
    const previous = adapter.cache.get(NORM_CACHE);
    if (previous !== undefined) previous.dispose();
    adapter.cache.set(NORM_CACHE, tf.keep(norm));
    return tf.tidy(() => {
      const factor = tf.reshape(tf.div(magnitude(adapter), norm), [-1, 1]); // [out, 1]
      return tf.mul(factor, tf.add(weight, deltaWeight(adapter))) as tf.Tensor2D;
    });
  },
  unmergedWeight(_base, adapter, merged) {
    const norm = adapter.cache.get(NORM_CACHE);
    if (norm === undefined)
      throw new Error(
        `DoRA unmerge: adapter "${adapter.name}" was not merged by this layer (no cached weight norm); call merge() first`,
      );
    const restored = tf.tidy(() => {
      const factor = tf.reshape(tf.div(magnitude(adapter), norm), [-1, 1]); // [out, 1]
      return tf.sub(tf.div(merged, factor), deltaWeight(adapter)) as tf.Tensor2D;
    });
    adapter.cache.delete(NORM_CACHE);
    norm.dispose();
    return restored;
  },
};

function magnitude(adapter: LoraAdapterState): tf.Tensor1D {
  const m = adapter.extra.get(DORA_MAGNITUDE);
  if (m === undefined)
    throw new Error(`DoRA adapter "${adapter.name}" has no ${DORA_MAGNITUDE}; it was not created by the DoRA variant`);
  return m.value as tf.Tensor1D;
}

/** `||W + s B A||` over the input dimension: `[out, in] -> [out]`. */
function rowNorm(weight: tf.Tensor2D, adapter: LoraAdapterState): tf.Tensor1D {
  return tf.tidy(() => tf.sqrt(tf.sum(tf.square(tf.add(weight, deltaWeight(adapter))), 1)) as tf.Tensor1D);
}
