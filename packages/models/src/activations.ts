import * as tf from '@tensorflow/tfjs-core';
import { ModelConfigError } from './config-fields';

/** An elementwise activation by its Hugging Face name (`config.activation_function` / `hidden_act`). */
export type Activation = (x: tf.Tensor) => tf.Tensor;

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * GELU, tanh approximation (HF `gelu_new`, PyTorch `gelu(approximate="tanh")`):
 * `0.5 x (1 + tanh(z))` with `z = sqrt(2/pi) (x + 0.044715 x^3)`, written as the identical
 * `x * sigmoid(2z)` because `tanh` is ~4x slower than `sigmoid` on the wasm backend.
 */
export function geluTanh(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const z2 = tf.mul(tf.add(x, tf.mul(tf.mul(x, tf.square(x)), 0.044715)), 2 * SQRT_2_OVER_PI);
    return tf.mul(x, tf.sigmoid(z2));
  });
}

/** SiLU / swish: `x * sigmoid(x)` (Llama's `hidden_act: "silu"`). */
export function silu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(x, tf.sigmoid(x)));
}

export function relu(x: tf.Tensor): tf.Tensor {
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
    throw new ModelConfigError(`${where}: activation "${name}" is not supported; supported: ${Object.keys(ACTIVATIONS).join(', ')}`);
  }
  return fn;
}
