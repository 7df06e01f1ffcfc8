import * as tf from '@tensorflow/tfjs-core';
import { QrDecomposition } from 'ml-matrix';
import type { LoraInitializer } from '../lora-initializer';
import { matrixToTensor, tensorToMatrix } from '../linalg';
import { assertKnownOptions, exactPeftValue } from './options';

/**
 * PEFT's `"orthogonal"` (`orthogonal_init`, after datta0's "rethink LoRA init"): `Q` an orthogonal
 * `[r, r]` matrix (QR of a Gaussian one); `A = (G_1 Q_odd)^T / 10` with `G_1 ~ N(0,1)^[in, r/2]`
 * and `Q_odd = Q[0::2]`; `B = G_2^T Q_even / 10` with `G_2 ~ N(0,1)^[r/2, out]`, `Q_even = Q[1::2]`.
 * The rows of `Q_odd` and `Q_even` are orthogonal, so `B @ A = 0` while both are non-zero. `r` must be even.
 */
export const orthogonalInitializer: LoraInitializer = {
  mutatesBaseWeight: false,
  peftInitValue: () => 'orthogonal',
  fromPeftInitValue: exactPeftValue('orthogonal'),
  validateOptions: (options) => assertKnownOptions('orthogonal', options, []),
  initialize({ modulePath, r, inFeatures, outFeatures, rng }) {
    if (r % 2 !== 0) {
      throw new Error(
        `Layer "${modulePath}": the "orthogonal" initialiser needs an even rank, got r = ${r}; set an even r (or rankPattern entry)`,
      );
    }
    const half = r / 2;
    const gaussian = tf.tensor2d(rng.normalArray(r * r, 0, 1), [r, r]);
    const q = new QrDecomposition(tensorToMatrix(gaussian)).orthogonalMatrix; // [r, r]
    gaussian.dispose();
    const qOdd = matrixToTensor(q.subMatrixRow(evenIndices(r, 0))); // rows 0, 2, 4, ...: [r/2, r]
    const qEven = matrixToTensor(q.subMatrixRow(evenIndices(r, 1))); // rows 1, 3, 5, ...: [r/2, r]
    const g1 = tf.tensor2d(rng.normalArray(inFeatures * half, 0, 1), [inFeatures, half]);
    const g2 = tf.tensor2d(rng.normalArray(half * outFeatures, 0, 1), [half, outFeatures]);
    const result = tf.tidy(() => ({
      a: tf.div(tf.transpose(tf.matMul(g1, qOdd)), 10) as tf.Tensor2D, // ([in, r/2] @ [r/2, r])^T -> [r, in]
      b: tf.div(tf.matMul(tf.transpose(g2), qEven), 10) as tf.Tensor2D, // [out, r/2] @ [r/2, r] -> [out, r]
    }));
    tf.dispose([qOdd, qEven, g1, g2]);
    return result;
  },
};

function evenIndices(r: number, start: number): number[] {
  const out: number[] = [];
  for (let i = start; i < r; i += 2) out.push(i);
  return out;
}
