import * as tf from '@tensorflow/tfjs-core';
import { Matrix } from 'ml-matrix';
import type { InitializerOptions, LoraInitializer } from '../lora-initializer';
import { matrixToTensor, topSvd } from '../linalg';
import { assertKnownOptions } from './options';

/**
 * PiSSA (Meng et al. 2024; PEFT's `pissa_init`): with `W = U S V^T` and `S' = S_r / scaling`,
 * `A = diag(sqrt(S')) V_r^T`, `B = U_r diag(sqrt(S'))`, and the base weight becomes the residual
 * `W - scaling * B @ A = W - U_r S_r V_r^T`.
 *
 * Options: `{ niter?: number }`. Without it the SVD is exact for small weights (randomized with
 * 4 power iterations and 10 extra directions for large ones); with it, the randomized solver with
 * `niter` power iterations and no oversampling, as PEFT's `"pissa_niter_<niter>"`.
 */
export const pissaInitializer: LoraInitializer = {
  mutatesBaseWeight: true,
  peftInitValue: (options) => (options['niter'] === undefined ? 'pissa' : `pissa_niter_${String(options['niter'])}`),
  fromPeftInitValue(value) {
    if (value === 'pissa') return {};
    const match = typeof value === 'string' ? /^pissa_niter_(\d+)$/.exec(value) : null;
    return match ? { niter: Number(match[1]) } : null;
  },
  validateOptions(options: InitializerOptions) {
    assertKnownOptions('pissa', options, ['niter']);
    const niter = options['niter'];
    if (niter !== undefined && !(typeof niter === 'number' && Number.isInteger(niter) && niter >= 0)) {
      throw new Error(
        `init.options.niter must be an integer >= 0 (power iterations of the randomized SVD), got ${String(niter)}`,
      );
    }
  },
  initialize({ weight, r, scaling, rng, options }) {
    const niter = options['niter'];
    const svd = topSvd(weight, r, { rng, ...(typeof niter === 'number' ? { niter } : {}) });
    const root = svd.s.map((s) => Math.sqrt(s / scaling));
    const diag = Matrix.diag(root);
    const a = matrixToTensor(diag.mmul(svd.vt)); // [r, r] @ [r, in]
    const b = matrixToTensor(svd.u.mmul(diag)); // [out, r] @ [r, r]
    const residualWeight = tf.tidy(() => tf.sub(weight, tf.mul(tf.matMul(b, a), scaling)) as tf.Tensor2D);
    return { a, b, residualWeight };
  },
};
