import * as tf from '@tensorflow/tfjs-core';
import { geluTanh } from '@peftjs/core';
import { ModelConfigError } from './config-fields';

/** An elementwise activation by its Hugging Face name (`config.activation_function` / `hidden_act`). */
export type Activation = (x: tf.Tensor) => tf.Tensor;

/** GELU, tanh approximation (HF `gelu_new`): core's {@link geluTanh}, fused where the backend has the kernel. */
export { geluTanh };

/** SiLU / swish: `x * sigmoid(x)` (Llama's `hidden_act: "silu"`). */
export function silu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(x, tf.sigmoid(x)));
}

function relu(x: tf.Tensor): tf.Tensor {
  return tf.relu(x);
}

/** Registry of supported activation names; add one entry to support another. */
export const ACTIVATIONS: Readonly<Record<string, Activation>> = Object.freeze({
  gelu_new: geluTanh,
  gelu_pytorch_tanh: geluTanh,
  gelu_fast: geluTanh,
  silu,
  swish: silu,
  relu,
});

export function getActivation(name: string, where: string): Activation {
  const fn = ACTIVATIONS[name];
  if (fn === undefined) {
    throw new ModelConfigError(
      `${where}: activation "${name}" is not supported; supported: ${Object.keys(ACTIVATIONS).join(', ')}`,
    );
  }
  return fn;
}
