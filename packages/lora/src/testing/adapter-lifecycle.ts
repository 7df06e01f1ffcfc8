import * as tf from '@tensorflow/tfjs-core';
import { type InitializerOptions, injectAdapters, LoraLinear, type LoraTarget, resolveLoraTargets } from '@peftjs/lora';
import { expect } from 'vitest';
import { maxAbsDiff, outputOf, parameterValues, randomInput, setTo } from './helpers';
import { TinyModel } from './tiny-model';

/** Options for an initialiser on the suites' tiny model, given the layers it targets (rank 2). */
export type InitOptionsFor = (targets: readonly LoraTarget[]) => InitializerOptions;

/** The suites' targets on {@link TinyModel}: 7 of its 9 Linear layers, square and not. */
export const TARGETS = ['q_proj', 'v_proj', 'fc', 'head'];
/** The rank every suite injects with. */
export const RANK = 2;

/** The layers of a fresh tiny model that the suites target. */
export function tinyTargets(): LoraTarget[] {
  return resolveLoraTargets(new TinyModel(), { r: RANK, targetModules: TARGETS });
}

/**
 * Injects `init` x `variant` into a tiny model and checks the adapter's whole life: every target
 * wrapped; the base model's output at init (when `startsAtBase`); a live adapter once B moves;
 * gradients for the adapter's parameters only; merge and unmerge keep the output; remove restores
 * every base weight and the output; no tensor left behind.
 */
export function checkAdapterLifecycle(spec: {
  readonly init: string;
  readonly initOptions: InitializerOptions;
  readonly variant: string;
  readonly startsAtBase: boolean;
}): void {
  const model = new TinyModel();
  const x = randomInput([2, 3, 8]);
  const baseOut = outputOf(model, x);
  const baseWeights = parameterValues(model);
  const before = tf.memory().numTensors;

  const handle = injectAdapters(model, {
    r: RANK,
    alpha: 3,
    targetModules: TARGETS,
    variant: spec.variant,
    init: { name: spec.init, options: spec.initOptions },
    seed: 3,
  });
  expect(handle.layers.size).toBe(7);
  for (const layer of handle.layers.values()) expect(layer).toBeInstanceOf(LoraLinear);
  // B = 0, B A = 0, or W_res + s B A = W: the model computes what it computed before
  if (spec.startsAtBase) expect(maxAbsDiff(outputOf(model, x), baseOut), 'output at init').toBeLessThan(1e-4);

  for (const [name, p] of handle.adapterParameters())
    if (name.includes('.lora_B.')) setTo(p, () => tf.add(p.value, tf.randomNormal(p.shape, 0, 0.2, 'float32', 1)));
  const adapted = outputOf(model, x);
  expect(maxAbsDiff(adapted, baseOut), 'output once B moved').toBeGreaterThan(1e-3);

  const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(model.call(x))) as tf.Scalar);
  const byVariable = new Map([...model.namedParameters()].map(([n, p]) => [p.value.name, n]));
  expect(
    Object.keys(grads)
      .map((k) => byVariable.get(k))
      .sort(),
    'parameters with a gradient',
  ).toEqual(
    handle
      .adapterParameters()
      .map(([n]) => n)
      .sort(),
  );
  tf.dispose([value, ...Object.values(grads)]);

  handle.merge();
  expect(maxAbsDiff(outputOf(model, x), adapted), 'merged output').toBeLessThan(1e-5);
  handle.unmerge();
  expect(maxAbsDiff(outputOf(model, x), adapted), 'unmerged output').toBeLessThan(1e-5);

  handle.remove();
  for (const [name, v] of parameterValues(model)) {
    const original = baseWeights.get(name);
    expect(original, `${name} after remove`).toBeDefined();
    if (original !== undefined) expect(maxAbsDiff(v, original), name).toBeLessThan(1e-6);
  }
  expect(maxAbsDiff(outputOf(model, x), baseOut), 'output after remove').toBeLessThan(1e-5);
  expect(tf.memory().numTensors, 'tensors left behind').toBe(before);
  x.dispose();
  model.dispose();
}
