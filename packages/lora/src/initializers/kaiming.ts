import * as tf from '@tensorflow/tfjs-core';
import type { LoraInitializer } from '../lora-initializer';
import { assertKnownOptions, exactPeftValue } from './options';

/**
 * PEFT's default (`init_lora_weights=True`, from Microsoft's loralib): `A` as `nn.Linear`'s
 * kaiming-uniform with `a = sqrt(5)`, i.e. `U(-1/sqrt(in), 1/sqrt(in))`; `B = 0`, so the
 * adapted model starts equal to the base model.
 */
export const kaimingInitializer: LoraInitializer = {
  mutatesBaseWeight: false,
  peftInitValue: () => true,
  fromPeftInitValue: exactPeftValue(true),
  validateOptions: (options) => assertKnownOptions('kaiming', options, []),
  initialize({ r, inFeatures, outFeatures, rng }) {
    const bound = 1 / Math.sqrt(inFeatures);
    return {
      a: tf.tensor2d(rng.uniformArray(r * inFeatures, -bound, bound), [r, inFeatures]),
      b: tf.zeros([outFeatures, r]),
    };
  },
};
