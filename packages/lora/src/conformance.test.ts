import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '@peftjs/core';
import { injectAdapters, resolveLoraTargets } from './inject-adapters';
import { listInitializers } from './initializer-registry';
import { listVariants } from './variant-registry';
import type { InitializerOptions } from './lora-initializer';
import { LoraLinear } from './lora-linear';
import { TinyModel } from './testing/tiny-model';
import { maxAbsDiff, outputOf, parameterValues, randomInput, setTo } from './testing/helpers';

beforeAll(async () => {
  await setBackend('wasm');
});

/**
 * Options each initialiser needs on the tiny model. A newly registered built-in must be added
 * here (the first test fails until it is), so every initialiser runs through the whole suite.
 */
const OPTIONS: Record<string, (model: TinyModel) => InitializerOptions> = {
  kaiming: () => ({}),
  gaussian: () => ({}),
  pissa: () => ({}),
  olora: () => ({}),
  orthogonal: () => ({}),
  eva: (model) => {
    const components: Record<string, Float32Array> = {};
    for (const t of resolveLoraTargets(model, { r: 2, targetModules: TARGETS })) {
      components[t.path] = Float32Array.from({ length: 2 * t.inFeatures }, (_, i) =>
        i % (t.inFeatures + 1) === 0 ? 1 : 0,
      );
    }
    return { components };
  },
};

const TARGETS = ['q_proj', 'v_proj', 'fc', 'head'];

describe('conformance: every registered initialiser x variant', () => {
  it('has options for every registered initialiser', () => {
    expect(listInitializers().filter((n) => !(n in OPTIONS))).toEqual([]);
  });

  for (const init of listInitializers()) {
    for (const variant of listVariants()) {
      it(`${init} x ${variant}: base output at init, merge = forward, unmerge/remove restore, only adapter grads, no leaks`, () => {
        const model = new TinyModel();
        const x = randomInput([2, 3, 8]);
        const baseOut = outputOf(model, x);
        const baseWeights = parameterValues(model);
        const before = tf.memory().numTensors;

        const handle = injectAdapters(model, {
          r: 2,
          alpha: 3,
          targetModules: TARGETS,
          variant,
          init: { name: init, options: OPTIONS[init]!(model) },
          seed: 3,
        });
        expect(handle.layers.size).toBe(7);
        for (const layer of handle.layers.values()) expect(layer).toBeInstanceOf(LoraLinear);
        // every built-in starts at the base model's function (B = 0, B A = 0 or W_res + s B A = W)
        expect(maxAbsDiff(outputOf(model, x), baseOut)).toBeLessThan(1e-4);

        for (const [name, p] of handle.adapterParameters())
          if (name.includes('.lora_B.'))
            setTo(p, () => tf.add(p.value, tf.randomNormal(p.shape, 0, 0.2, 'float32', 1)));
        const adapted = outputOf(model, x);
        expect(maxAbsDiff(adapted, baseOut)).toBeGreaterThan(1e-3);

        const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(model.call(x))) as tf.Scalar);
        const byVariable = new Map([...model.namedParameters()].map(([n, p]) => [p.value.name, n]));
        expect(
          Object.keys(grads)
            .map((k) => byVariable.get(k))
            .sort(),
        ).toEqual(
          handle
            .adapterParameters()
            .map(([n]) => n)
            .sort(),
        );
        tf.dispose([value, ...Object.values(grads)]);

        handle.merge();
        expect(maxAbsDiff(outputOf(model, x), adapted)).toBeLessThan(1e-5);
        handle.unmerge();
        expect(maxAbsDiff(outputOf(model, x), adapted)).toBeLessThan(1e-5);

        handle.remove();
        for (const [name, v] of parameterValues(model))
          expect(maxAbsDiff(v, baseWeights.get(name)!), name).toBeLessThan(1e-6);
        expect(maxAbsDiff(outputOf(model, x), baseOut)).toBeLessThan(1e-5);
        expect(tf.memory().numTensors).toBe(before);
        x.dispose();
      });
    }
  }
});
