import * as tf from '@tensorflow/tfjs-core';
import type { LoraInitializer } from '../lora-initializer';
import { assertKnownOptions, exactPeftValue } from './options';

/** PEFT's `"gaussian"`: `A ~ N(0, (1/r)^2)` (standard deviation `1/r`, as `nn.init.normal_(std=1/r)`), `B = 0`. */
export const gaussianInitializer: LoraInitializer = {
  mutatesBaseWeight: false,
  peftInitValue: () => 'gaussian',
  fromPeftInitValue: exactPeftValue('gaussian'),
  validateOptions: (options) => assertKnownOptions('gaussian', options, []),
  initialize({ r, inFeatures, outFeatures, rng }) {
    return {
      a: tf.tensor2d(rng.normalArray(r * inFeatures, 0, 1 / r), [r, inFeatures]),
      b: tf.zeros([outFeatures, r]),
    };
  },
};
