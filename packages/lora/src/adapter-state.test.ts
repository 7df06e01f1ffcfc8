import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '@peftjs/core';
import type { Linear } from '@peftjs/core';
import { exportAdapter, importAdapter } from './adapter-io';
import { injectAdapters } from './inject-adapters';
import type { LoraLinear } from './lora-linear';
import { TinyModel } from './testing/tiny-model';
import { maxAbsDiff, outputOf, randomInput, setTo } from './testing/helpers';

beforeAll(async () => {
  await setBackend('wasm');
});

const matrix = (t: tf.Tensor): number[][] => t.arraySync() as number[][];

/** By hand, float64: `x W^T + b + scaling * x A^T B^T` (LoRA, Hu et al. 2021, eq. 3), or the base alone. */
function handLinear(
  x: number[][],
  base: Linear,
  adapter?: { a: number[][]; b: number[][]; scaling: number },
): number[][] {
  const w = matrix(base.weight.value);
  const bias = base.bias === null ? null : (base.bias.value.arraySync() as number[]);
  return x.map((row) =>
    w.map((wo, o) => {
      let y = wo.reduce((s, wi, i) => s + wi * row[i]!, 0) + (bias?.[o] ?? 0);
      if (adapter !== undefined) {
        const ax = adapter.a.map((ar) => ar.reduce((s, ai, i) => s + ai * row[i]!, 0)); // [r]
        y += adapter.scaling * adapter.b[o]!.reduce((s, bk, k) => s + bk * ax[k]!, 0);
      }
      return y;
    }),
  );
}

const maxDiff2 = (a: number[][], b: number[][]) =>
  Math.max(...a.flatMap((r, i) => r.map((v, j) => Math.abs(v - b[i]![j]!))));

describe('an adapter switch changes exactly what was selected (PEFT set_adapter)', () => {
  const setup = () => {
    const model = new TinyModel();
    const a = injectAdapters(model, {
      r: 2,
      alpha: 4,
      targetModules: ['q_proj', 'v_proj'],
      adapterName: 'a',
      init: 'gaussian',
      seed: 1,
    });
    const b = injectAdapters(model, {
      r: 3,
      alpha: 3,
      targetModules: ['q_proj'],
      adapterName: 'b',
      init: 'gaussian',
      seed: 2,
    });
    for (const [name, p] of [...a.adapterParameters(), ...b.adapterParameters()]) {
      if (name.includes('lora_B')) setTo(p, () => tf.randomNormal(p.shape, 0, 0.5, 'float32', name.length));
    }
    return { model, a, b };
  };
  const layerOutputs = (model: TinyModel, x: tf.Tensor) =>
    Object.fromEntries(
      ['blocks.0.attn.q_proj', 'blocks.0.attn.v_proj'].map((p) => [
        p,
        matrix(tf.tidy(() => (model.getSubmodule(p) as LoraLinear).call(x))),
      ]),
    );
  const adapterOf = (layer: LoraLinear, name: string) => {
    const s = layer.adapter(name);
    return { a: matrix(s.loraA.value), b: matrix(s.loraB.value), scaling: s.scaling };
  };

  it('b.activate(): v runs its base only, q runs b, and only b is trainable; a.activate() brings a back on both', () => {
    const { model, a, b } = setup();
    const x = randomInput([3, 8]);
    const xs = matrix(x);
    const q = model.getSubmodule('blocks.0.attn.q_proj') as LoraLinear;
    const v = model.getSubmodule('blocks.0.attn.v_proj') as LoraLinear;
    for (const [handle, expectQ, expectV] of [
      [b, adapterOf(q, 'b'), undefined],
      [a, adapterOf(q, 'a'), adapterOf(v, 'a')],
      [b, adapterOf(q, 'b'), undefined],
    ] as const) {
      handle.activate();
      const out = layerOutputs(model, x);
      expect(maxDiff2(out['blocks.0.attn.q_proj']!, handLinear(xs, q.baseLayer, expectQ))).toBeLessThan(1e-5);
      expect(maxDiff2(out['blocks.0.attn.v_proj']!, handLinear(xs, v.baseLayer, expectV))).toBeLessThan(1e-5);
      const trainable = model
        .trainableParameters()
        .map(([n]) => n)
        .sort();
      expect(trainable).toEqual(
        handle
          .adapterParameters()
          .map(([n]) => n)
          .sort(),
      );
    }
    expect(v.activeAdapter).toBeNull();
    expect(a.trainableParameters()).toEqual([]);
    // a's parameters get no gradient while b is active.
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(model.call(x))) as tf.Scalar);
    const names = new Map([...model.namedParameters()].map(([n, p]) => [p.value.name, n]));
    expect(
      Object.keys(grads)
        .map((k) => names.get(k))
        .sort(),
    ).toEqual(
      b
        .adapterParameters()
        .map(([n]) => n)
        .sort(),
    );
    tf.dispose([value, x, ...Object.values(grads)]);
    model.dispose();
  });

  it('injecting b makes b the active adapter on the whole model; removing it makes a active everywhere again', () => {
    const { model, a, b } = setup();
    const v = model.getSubmodule('blocks.1.attn.v_proj') as LoraLinear;
    const q = model.getSubmodule('blocks.1.attn.q_proj') as LoraLinear;
    expect([q.activeAdapter, v.activeAdapter]).toEqual(['b', null]);
    b.remove();
    expect([q.activeAdapter, v.activeAdapter]).toEqual(['a', 'a']);
    expect(
      model
        .trainableParameters()
        .map(([n]) => n)
        .sort(),
    ).toEqual(
      a
        .adapterParameters()
        .map(([n]) => n)
        .sort(),
    );
    model.dispose();
  });

  it('disable() bypasses every adapter of the model, whichever handle is asked; enable() brings the active one back', () => {
    const { model, a, b } = setup();
    const x = randomInput([3, 8]);
    a.activate();
    const adapted = outputOf(model, x);
    const q = model.getSubmodule('blocks.0.attn.q_proj') as LoraLinear;
    const v = model.getSubmodule('blocks.0.attn.v_proj') as LoraLinear;
    b.disable();
    const out = layerOutputs(model, x);
    expect(maxDiff2(out['blocks.0.attn.q_proj']!, handLinear(matrix(x), q.baseLayer))).toBeLessThan(1e-5);
    expect(maxDiff2(out['blocks.0.attn.v_proj']!, handLinear(matrix(x), v.baseLayer))).toBeLessThan(1e-5);
    b.enable();
    expect(maxAbsDiff(outputOf(model, x), adapted)).toBe(0);
    x.dispose();
    model.dispose();
  });

  it('refuses a switch while another adapter is merged, changing nothing', () => {
    const { model, a, b } = setup();
    a.merge();
    const v = model.getSubmodule('blocks.0.attn.v_proj') as LoraLinear;
    expect(() => b.activate()).toThrow(
      /Layer "blocks\.0\.attn\.q_proj" has adapter "a" merged, so adapter "b" cannot become the active one; unmerge "a" first/,
    );
    expect(v.activeAdapter).toBe('a');
    expect(() => injectAdapters(model, { r: 1, targetModules: ['head'], adapterName: 'c' })).toThrow(
      /has adapter "a" merged; unmerge it before adding "c"/,
    );
    a.unmerge();
    b.activate();
    expect(v.activeAdapter).toBeNull();
    model.dispose();
  });
});

describe('new adapter layers take the mode of the model they join', () => {
  it('an eval-mode model gets eval-mode adapters (no dropout), a train-mode one train-mode adapters', () => {
    for (const training of [false, true]) {
      const model = new TinyModel().train(training);
      const x = randomInput([4, 8]);
      const handle = injectAdapters(model, { r: 2, dropout: 0.5, targetModules: ['q_proj', 'fc'], init: 'gaussian' });
      for (const [name, p] of handle.adapterParameters())
        if (name.includes('lora_B')) setTo(p, () => tf.onesLike(p.value));
      expect(model.training).toBe(training);
      expect([...model.namedModules()].every(([, m]) => m.training === training)).toBe(true);
      const diff = maxAbsDiff(outputOf(model, x), outputOf(model, x));
      if (training)
        expect(diff).toBeGreaterThan(1e-3); // dropout draws a new mask each forward
      else expect(diff).toBe(0);
      x.dispose();
      model.dispose();
    }
  });

  it('an adapter imported into an eval-mode model is in eval mode', () => {
    const source = new TinyModel();
    const saved = exportAdapter(injectAdapters(source, { r: 2, dropout: 0.3, targetModules: ['v_proj'] }));
    const model = new TinyModel().eval();
    importAdapter(model, saved);
    expect([...model.namedModules()].every(([, m]) => !m.training)).toBe(true);
    const x = randomInput([4, 8]);
    expect(maxAbsDiff(outputOf(model, x), outputOf(model, x))).toBe(0);
    x.dispose();
    source.dispose();
    model.dispose();
  });
});
