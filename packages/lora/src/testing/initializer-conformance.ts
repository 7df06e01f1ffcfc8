import * as tf from '@tensorflow/tfjs-core';
import { Linear, Rng } from '@peftjs/core';
import { getInitializer, type LoraInitResult, listVariants } from '@peftjs/lora';
import { expect, it } from 'vitest';
import { checkAdapterLifecycle, type InitOptionsFor, RANK, tinyTargets } from './adapter-lifecycle';
import { initOptionsFor } from './built-in-init-options';
import { TinyModel } from './tiny-model';

export interface LoraInitializerConformanceOptions {
  /**
   * Its options on the suite's tiny model, given the targeted layers (`path`, `inFeatures`,
   * `outFeatures`, rank 2). Default: what the suite gives a built-in (EVA: unit-vector
   * components), else `{}`.
   */
  readonly initOptions?: InitOptionsFor;
  /**
   * The model computes the base model's function right after injection (B = 0, B A = 0, or a
   * residual base weight with W_res + s B A = W), as every built-in does. Default `true`.
   */
  readonly startsAtBase?: boolean;
  /** The variants to run it with. Default: every registered one when the suite is defined. */
  readonly variants?: readonly string[];
}

/**
 * Conformance suite of the `LoraInitializer` plug point, for vitest: call it inside a `describe`
 * with the name the initialiser is registered under; every implementation must pass it. It checks
 * `initialize` directly on a non-square layer (new float32 `a` `[r, in]` and `b` `[out, r]`, a
 * `residualWeight` `[out, in]` exactly when `mutatesBaseWeight`, the weight it reads left intact,
 * no other tensor kept, the same result for the same seed) and then, with each variant, the
 * adapter's life on a tiny model: base output at init, gradients for the adapter only, merge and
 * unmerge keep the output, remove restores the base weights, no leaks. Runs on the active tfjs
 * backend (set it in `beforeAll`).
 */
export function loraInitializerConformance(name: string, options: LoraInitializerConformanceOptions = {}): void {
  const initOptions = options.initOptions ?? initOptionsFor(name);
  const startsAtBase = options.startsAtBase ?? true;

  it('initialize returns new, correctly shaped tensors, keeps nothing else, leaves the weight intact and repeats itself for one seed', () => {
    const initializer = getInitializer(name);
    const targets = tinyTargets();
    const target = targets.find((t) => t.inFeatures !== t.outFeatures);
    if (target === undefined) throw new Error('the tiny model has no non-square target');
    const options = initOptions(targets);
    expect(() => initializer.validateOptions(options)).not.toThrow();
    expect(['boolean', 'string']).toContain(typeof initializer.peftInitValue(options));

    const model = new TinyModel();
    const layer = model.getSubmodule(target.path);
    if (!(layer instanceof Linear)) throw new Error(`${target.path} of the tiny model is not a Linear`);
    const weight = layer.weight.value as tf.Tensor2D;
    const original = Float32Array.from(weight.dataSync());
    const run = (): LoraInitResult =>
      initializer.initialize({
        modulePath: target.path,
        adapterName: 'default',
        weight,
        inFeatures: target.inFeatures,
        outFeatures: target.outFeatures,
        r: RANK,
        alpha: 3,
        scaling: 3 / RANK,
        rng: new Rng('lora-initializer-conformance'),
        options,
      });
    const before = tf.memory().numTensors;
    const first = run();
    const returned = [first.a, first.b, ...(first.residualWeight === undefined ? [] : [first.residualWeight])];
    expect(tf.memory().numTensors - before, 'tensors besides the returned ones').toBe(returned.length);
    expect(first.a.shape).toEqual([RANK, target.inFeatures]);
    expect(first.b.shape).toEqual([target.outFeatures, RANK]);
    for (const t of returned) {
      expect(t.dtype).toBe('float32');
      expect(t).not.toBe(weight);
    }
    expect(first.residualWeight !== undefined, 'residualWeight exactly when mutatesBaseWeight').toBe(
      initializer.mutatesBaseWeight,
    );
    if (first.residualWeight !== undefined)
      expect(first.residualWeight.shape).toEqual([target.outFeatures, target.inFeatures]);
    expect(weight.isDisposed).toBe(false);
    expect(Array.from(weight.dataSync())).toEqual(Array.from(original));

    const again = run();
    expect(Array.from(again.a.dataSync()), 'a for the same seed').toEqual(Array.from(first.a.dataSync()));
    expect(Array.from(again.b.dataSync()), 'b for the same seed').toEqual(Array.from(first.b.dataSync()));
    tf.dispose([...returned, again.a, again.b, ...(again.residualWeight === undefined ? [] : [again.residualWeight])]);
    model.dispose();
  });

  for (const variant of options.variants ?? listVariants()) {
    it(`with variant "${variant}": base output at init, merge = forward, unmerge/remove restore, only adapter grads, no leaks`, () => {
      checkAdapterLifecycle({ init: name, initOptions: initOptions(tinyTargets()), variant, startsAtBase });
    });
  }
}
