import * as tf from '@tensorflow/tfjs-core';
import { getVariant, injectAdapters, listInitializers } from '@peftjs/lora';
import { expect, it } from 'vitest';
import { checkAdapterLifecycle, type InitOptionsFor, RANK, TARGETS, tinyTargets } from './adapter-lifecycle';
import { initOptionsFor } from './built-in-init-options';
import { TinyModel } from './tiny-model';

export interface LoraVariantConformanceOptions {
  /** The initialisers to run it with. Default: every registered one when the suite is defined. */
  readonly initializers?: readonly string[];
  /**
   * Options for initialisers that need some on the suite's tiny model (see
   * `LoraInitializerConformanceOptions.initOptions`); the built-ins' are supplied.
   */
  readonly initOptions?: Readonly<Record<string, InitOptionsFor>>;
}

/**
 * Conformance suite of the `LoraVariant` plug point, for vitest: call it inside a `describe` with
 * the name the variant is registered under; every implementation must pass it. It checks that
 * every adapted layer holds exactly the variant's `parameterNames` as trainable extra parameters,
 * and, with each initialiser, the adapter's life on a tiny model: base output at init, gradients
 * for the adapter only (extra parameters included), `mergedWeight` giving the forward's output,
 * `unmergedWeight` undoing it, remove restoring the base weights, no leaks. Runs on the active
 * tfjs backend (set it in `beforeAll`).
 */
export function loraVariantConformance(name: string, options: LoraVariantConformanceOptions = {}): void {
  it('creates exactly its parameterNames on every layer, trainable, and frees them on remove', () => {
    const variant = getVariant(name);
    const model = new TinyModel();
    const before = tf.memory().numTensors;
    const handle = injectAdapters(model, { r: RANK, targetModules: TARGETS, variant: name });
    for (const [path, layer] of handle.layers) {
      const extra = layer.adapter('default').extra;
      expect([...extra.keys()].sort(), path).toEqual([...variant.parameterNames].sort());
      for (const [key, p] of extra) expect(p.trainable, `${path} ${key}`).toBe(true);
    }
    handle.remove();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  for (const init of options.initializers ?? listInitializers()) {
    it(`with initialiser "${init}": base output at init, merge = forward, unmerge/remove restore, only adapter grads, no leaks`, () => {
      const initOptions = initOptionsFor(init, options.initOptions)(tinyTargets());
      checkAdapterLifecycle({ init, initOptions, variant: name, startsAtBase: true });
    });
  }
}
