import { Gpt2LMHeadModel, gpt2Config } from '@peftjs/models';

/**
 * A tiny random GPT-2 (2 layers, width 32, 4 heads, byte vocabulary of 256, 64 positions, no
 * dropout) in eval mode, for tests of packages above `@peftjs/models` (eva, cli). Weights come
 * from `seed` through core's seeded RNG, so two calls with one seed build the same model.
 */
export function tinyGpt2(seed = 0): Gpt2LMHeadModel {
  const config = gpt2Config({
    vocabSize: 256,
    nPositions: 64,
    nEmbd: 32,
    nLayer: 2,
    nHead: 4,
    residPdrop: 0,
    embdPdrop: 0,
    attnPdrop: 0,
  });
  return new Gpt2LMHeadModel(config, { seed }).eval();
}
