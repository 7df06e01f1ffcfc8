import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Linear, setBackend } from '@peftjs/core';
import { injectAdapters, resolveLoraTargets } from './inject-adapters';
import { LoraLinear } from './lora-linear';
import { TinyModel } from './testing/tiny-model';
import { maxAbsDiff, outputOf, parameterValues, randomInput, setTo } from './testing/helpers';

beforeAll(async () => {
  await setBackend('wasm');
});

const ALL_LINEAR = [
  'blocks.0.attn.q_proj',
  'blocks.0.attn.v_proj',
  'blocks.0.mlp.fc',
  'blocks.0.mlp.proj',
  'blocks.1.attn.q_proj',
  'blocks.1.attn.v_proj',
  'blocks.1.mlp.fc',
  'blocks.1.mlp.proj',
  'head',
];

describe('injectAdapters', () => {
  it('wraps the targeted Linear layers; with B = 0 the output equals the base model', () => {
    const model = new TinyModel();
    const x = randomInput([3, 5, 8]);
    const base = outputOf(model, x);
    const before = tf.memory().numTensors;
    const handle = injectAdapters(model, { r: 2, targetModules: ['q_proj', 'v_proj'] });
    expect([...handle.layers.keys()]).toEqual([
      'blocks.0.attn.q_proj',
      'blocks.0.attn.v_proj',
      'blocks.1.attn.q_proj',
      'blocks.1.attn.v_proj',
    ]);
    expect(model.getSubmodule('blocks.0.attn.q_proj')).toBeInstanceOf(LoraLinear);
    expect(model.getSubmodule('blocks.0.mlp.fc')).toBeInstanceOf(Linear);
    expect(maxAbsDiff(outputOf(model, x), base)).toBeLessThan(1e-6);
    handle.remove();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('merge() then forward equals the unmerged forward; unmerge() restores the base weights', () => {
    const model = new TinyModel();
    const x = randomInput([4, 8]);
    const handle = injectAdapters(model, {
      r: 3,
      alpha: 5,
      targetModules: /blocks\.\d\.(attn\.q_proj|mlp\.fc)/,
      init: 'gaussian',
    });
    // give B non-zero values so the adapter changes the output
    for (const [name, p] of handle.adapterParameters())
      if (name.includes('lora_B')) setTo(p, () => tf.randomNormal(p.shape, 0, 0.3, 'float32', 5));
    const weights = parameterValues(model);
    const y = outputOf(model, x);
    handle.merge();
    expect(handle.isMerged).toBe(true);
    expect(maxAbsDiff(outputOf(model, x), y)).toBeLessThan(1e-5);
    expect(
      maxAbsDiff(
        model.getSubmodule('blocks.0.mlp.fc.base_layer').parameter('weight')!.value,
        weights.get('blocks.0.mlp.fc.base_layer.weight')!,
      ),
    ).toBeGreaterThan(1e-3);
    handle.unmerge();
    for (const [name, value] of parameterValues(model))
      expect(maxAbsDiff(value, weights.get(name)!), name).toBeLessThan(1e-6);
    handle.remove();
    x.dispose();
  });

  it('gradients reach only adapter parameters', () => {
    const model = new TinyModel();
    const handle = injectAdapters(model, { r: 2, targetModules: ['q_proj', 'fc'] });
    const x = randomInput([6, 8]);
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(model.call(x))) as tf.Scalar);
    const names = new Map([...model.namedParameters()].map(([n, p]) => [p.value.name, n]));
    const reached = Object.keys(grads)
      .map((k) => names.get(k) ?? `(not in model) ${k}`)
      .sort();
    expect(reached).toEqual(
      handle
        .adapterParameters()
        .map(([n]) => n)
        .sort(),
    );
    expect(reached.every((n) => /\.lora_[AB]\.default\.weight$/.test(n))).toBe(true);
    expect(reached).toHaveLength(8);
    tf.dispose([value, x, ...Object.values(grads)]);
    handle.remove();
    expect(model.trainableParameters()).toHaveLength([...model.namedParameters()].length);
  });

  it('rankPattern / alphaPattern pick per-layer ranks (first matching key, as PEFT); rank 0 means no adapter', () => {
    const model = new TinyModel();
    const handle = injectAdapters(model, {
      r: 2,
      alpha: 4,
      targetModules: ['q_proj', 'fc'],
      rankPattern: { 'blocks.1.attn.q_proj': 0, 'blocks.1.mlp.fc': 5, fc: 3 },
      alphaPattern: { 'blocks.0.mlp.fc': 9 },
    });
    expect(handle.ranks).toEqual({
      'blocks.0.attn.q_proj': 2,
      'blocks.0.mlp.fc': 3,
      'blocks.1.attn.q_proj': 0,
      'blocks.1.mlp.fc': 5,
    });
    expect([...handle.layers.keys()]).toEqual(['blocks.0.attn.q_proj', 'blocks.0.mlp.fc', 'blocks.1.mlp.fc']);
    expect(model.getSubmodule('blocks.1.attn.q_proj')).toBeInstanceOf(Linear);
    const fc0 = handle.layers.get('blocks.0.mlp.fc')!.adapter('default');
    expect([fc0.r, fc0.alpha, fc0.scaling]).toEqual([3, 9, 3]);
    expect(handle.layers.get('blocks.1.mlp.fc')!.adapter('default').loraA.shape).toEqual([5, 8]);
    expect(handle.parameterCount().trainable).toBe(2 * (8 + 8) + 3 * (8 + 12) + 5 * (8 + 12));
    expect(handle.parameterCount().total).toBe(model.parameterCount());
    handle.remove();
  });

  it('all-linear targets every Linear', () => {
    const model = new TinyModel();
    expect(resolveLoraTargets(model, { r: 2 }).map((t) => t.path)).toEqual(ALL_LINEAR);
  });

  it('disable() gives the base output, enable() the adapted one', () => {
    const model = new TinyModel();
    const x = randomInput([4, 8]);
    const base = outputOf(model, x);
    const handle = injectAdapters(model, { r: 2, targetModules: ['head'], init: 'orthogonal' });
    for (const [name, p] of handle.adapterParameters())
      if (name.includes('lora_B')) setTo(p, () => tf.onesLike(p.value));
    expect(maxAbsDiff(outputOf(model, x), base)).toBeGreaterThan(1e-3);
    handle.disable();
    expect(maxAbsDiff(outputOf(model, x), base)).toBe(0);
    handle.enable();
    expect(maxAbsDiff(outputOf(model, x), base)).toBeGreaterThan(1e-3);
    handle.remove();
    x.dispose();
  });

  it('remove() restores the original Linear modules and leaves no tensors behind; mergeAndUnload keeps the merged weights', () => {
    const model = new TinyModel();
    const originals = ALL_LINEAR.map((p) => model.getSubmodule(p));
    const x = randomInput([2, 8]);
    const before = tf.memory().numTensors;
    const handle = injectAdapters(model, { r: 2, useDora: true });
    handle.merge();
    handle.unmerge();
    handle.remove();
    expect(ALL_LINEAR.map((p) => model.getSubmodule(p))).toEqual(originals);
    expect(ALL_LINEAR.every((p, i) => model.getSubmodule(p) === originals[i])).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => handle.merge()).toThrow(/was removed/);

    const second = injectAdapters(model, { r: 2, targetModules: ['head'] });
    setTo(second.layers.get('head')!.adapter('default').loraB, () => tf.fill([4, 2], 0.1));
    const adapted = outputOf(model, x);
    second.mergeAndUnload();
    expect(model.getSubmodule('head')).toBe(originals[8]);
    expect(maxAbsDiff(outputOf(model, x), adapted)).toBeLessThan(1e-5);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('holds several named adapters, one active at a time', () => {
    const model = new TinyModel();
    const x = randomInput([3, 8]);
    const first = injectAdapters(model, { r: 2, targetModules: ['head'] });
    const second = injectAdapters(model, { r: 4, targetModules: ['head'], adapterName: 'other' });
    const layer = model.getSubmodule('head') as LoraLinear;
    expect(layer.adapterNames()).toEqual(['default', 'other']);
    expect(layer.activeAdapter).toBe('other');
    setTo(layer.adapter('default').loraB, () => tf.fill([4, 2], 0.2));
    const withOther = outputOf(model, x);
    first.activate();
    expect(layer.activeAdapter).toBe('default');
    expect(first.trainableParameters().map(([n]) => n)).toEqual([
      'head.lora_A.default.weight',
      'head.lora_B.default.weight',
    ]);
    expect(second.trainableParameters()).toEqual([]);
    expect(maxAbsDiff(outputOf(model, x), withOther)).toBeGreaterThan(1e-3);
    expect(() => injectAdapters(model, { r: 2, targetModules: ['head'] })).toThrow(
      /already has an adapter named "default"/,
    );
    first.remove();
    expect(layer.adapterNames()).toEqual(['other']);
    expect(model.getSubmodule('head')).toBe(layer);
    second.remove();
    expect(model.getSubmodule('head')).toBeInstanceOf(Linear);
    x.dispose();
  });

  it('rejects targets that match nothing, with close suggestions', () => {
    const model = new TinyModel();
    expect(() => injectAdapters(model, { targetModules: ['q_proj', 'v_prj'] })).toThrow(
      /targetModules entry "v_prj" matches no Linear layer\. Did you mean: "v_proj", "q_proj"\?/,
    );
    expect(() => injectAdapters(model, { targetModules: ['attn'] })).toThrow(
      /"blocks\.0\.attn" \(TinyAttention\), .*but only Linear layers can be adapted/,
    );
    expect(() => injectAdapters(model, { targetModules: /q_proj/ })).toThrow(
      /matches no Linear layer \(it must match the whole module path\)/,
    );
    expect([...model.namedModules()].some(([, m]) => m instanceof LoraLinear)).toBe(false);
  });

  it('rejects a rank above min(in, out), naming the layer and the limit', () => {
    const model = new TinyModel();
    expect(() => injectAdapters(model, { r: 5, targetModules: ['head'] })).toThrow(
      'Layer "head" ([4, 8]) cannot take rank 5 (from r): the rank must be at most min(in, out) = 4',
    );
    expect(() => injectAdapters(model, { r: 2, targetModules: ['fc'], rankPattern: { 'blocks.0.mlp.fc': 9 } })).toThrow(
      /rankPattern\["blocks\.0\.mlp\.fc"\]/,
    );
  });

  it('rolls back when an initialiser fails part-way', () => {
    const model = new TinyModel();
    const weights = parameterValues(model);
    const before = tf.memory().numTensors;
    const components = { 'blocks.0.attn.q_proj': [[1, 0, 0, 0, 0, 0, 0, 0]] };
    expect(() =>
      injectAdapters(model, { r: 1, targetModules: ['q_proj'], init: { name: 'eva', options: { components } } }),
    ).toThrow(/no components for layer "blocks\.1\.attn\.q_proj"/);
    expect(tf.memory().numTensors).toBe(before);
    expect([...model.namedModules()].some(([, m]) => m instanceof LoraLinear)).toBe(false);
    for (const [name, value] of parameterValues(model)) expect(maxAbsDiff(value, weights.get(name)!)).toBe(0);
    expect(model.trainableParameters()).toHaveLength(weights.size);
  });
});
