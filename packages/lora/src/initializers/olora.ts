import * as tf from '@tensorflow/tfjs-core';
import type { LoraInitializer } from '../lora-initializer';
import { leadingQr, matrixToTensor } from '../linalg';
import { assertKnownOptions, exactPeftValue } from './options';

/**
 * OLoRA (Büyükakyüz 2024; PEFT's `olora_init`): `W = Q R`, `A = R[:r]`, `B = Q[:, :r]`, and the base
 * weight becomes `W - scaling * B @ A`. Signs follow `diag(R) >= 0`.
 */
export const oloraInitializer: LoraInitializer = {
  mutatesBaseWeight: true,
  peftInitValue: () => 'olora',
  fromPeftInitValue: exactPeftValue('olora'),
  validateOptions: (options) => assertKnownOptions('olora', options, []),
  initialize({ weight, r, scaling }) {
    const qr = leadingQr(weight, r);
    const a = matrixToTensor(qr.r); // [r, in]
    const b = matrixToTensor(qr.q); // [out, r]
    const residualWeight = tf.tidy(() => tf.sub(weight, tf.mul(tf.matMul(b, a), scaling)) as tf.Tensor2D);
    return { a, b, residualWeight };
  },
};
