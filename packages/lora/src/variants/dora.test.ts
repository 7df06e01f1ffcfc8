import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Linear, Module, Rng, setBackend } from '@peftjs/core';
import { injectAdapters } from '../inject-adapters';
import { maxAbsDiff, randomInput, setTo } from '../testing/helpers';

beforeAll(async () => {
  await setBackend('wasm');
});

class OneLayer extends Module {
  constructor() {
    super();
    this.registerModule('proj', new Linear(5, 4, { rng: new Rng(4) }));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return this.child('proj').call(x);
  }
}

/** Hand-computed DoRA in float64: y = (m / ||W + sBA||_row) * (x (W + sBA)^T) + bias. */
function doraReference(
  x: number[][],
  w: number[][],
  bias: number[],
  a: number[][],
  b: number[][],
  m: number[],
  s: number,
): number[][] {
  const out = w.length;
  const inF = w[0]!.length;
  const r = a.length;
  const v = w.map((row, o) =>
    row.map(
      (wij, j) => wij + s * Array.from({ length: r }, (_, k) => b[o]![k]! * a[k]![j]!).reduce((p, q) => p + q, 0),
    ),
  );
  const norm = v.map((row) => Math.sqrt(row.reduce((p, q) => p + q * q, 0)));
  return x.map((xi) =>
    Array.from(
      { length: out },
      (_, o) =>
        (m[o]! / norm[o]!) * Array.from({ length: inF }, (_, j) => xi[j]! * v[o]![j]!).reduce((p, q) => p + q, 0) +
        bias[o]!,
    ),
  );
}

const rows = (t: tf.Tensor): number[][] => t.arraySync() as number[][];

describe('DoRA variant', () => {
  it('starts with m = ||W||_row (B = 0), so the output equals the base layer', () => {
    const model = new OneLayer();
    const w = rows(model.child<Linear>('proj').weight.value);
    const x = randomInput([3, 5]);
    const base = model.call(x);
    const handle = injectAdapters(model, { r: 2, alpha: 4, targetModules: ['proj'], useDora: true });
    const m = handle.layers.get('proj')!.adapter('default').extra.get('lora_magnitude_vector')!;
    expect(
      maxAbsDiff(
        m.value,
        w.map((row) => Math.hypot(...row)),
      ),
    ).toBeLessThan(1e-6);
    const y = model.call(x);
    expect(maxAbsDiff(y, base)).toBeLessThan(1e-6);
    tf.dispose([x, base, y]);
    handle.remove();
  });

  it('matches a hand-computed reference with non-zero A, B and m; merge/unmerge agree; gradients reach A, B and m only', () => {
    const model = new OneLayer();
    const handle = injectAdapters(model, { r: 2, alpha: 4, targetModules: ['proj'], useDora: true, init: 'gaussian' });
    const layer = handle.layers.get('proj')!;
    const adapter = layer.adapter('default');
    const m = adapter.extra.get('lora_magnitude_vector')!;
    setTo(adapter.loraB, () => tf.randomNormal([4, 2], 0, 0.5, 'float32', 3));
    setTo(m, () => tf.tensor1d([0.5, 1.5, 2, 0.7]));
    const x = randomInput([6, 5], 9);
    const want = doraReference(
      rows(x),
      rows(layer.baseLayer.weight.value),
      Array.from(layer.baseLayer.bias!.value.dataSync()),
      rows(adapter.loraA.value),
      rows(adapter.loraB.value),
      Array.from(m.value.dataSync()),
      2,
    );
    const y = model.call(x);
    expect(maxAbsDiff(y, want.flat())).toBeLessThan(1e-5);
    const w0 = layer.baseLayer.weight.value.dataSync().slice();
    handle.merge();
    const merged = model.call(x);
    expect(maxAbsDiff(merged, want.flat())).toBeLessThan(1e-5);
    handle.unmerge();
    expect(maxAbsDiff(layer.baseLayer.weight.value, w0)).toBeLessThan(1e-6);

    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(model.call(x))) as tf.Scalar);
    const names = new Map([...model.namedParameters()].map(([n, p]) => [p.value.name, n]));
    expect(
      Object.keys(grads)
        .map((k) => names.get(k))
        .sort(),
    ).toEqual([
      'proj.lora_A.default.weight',
      'proj.lora_B.default.weight',
      'proj.lora_magnitude_vector.default.weight',
    ]);
    tf.dispose([value, x, y, merged, ...Object.values(grads)]);
    handle.remove();
  });

  it('treats the weight norm as a constant in the gradient (as PEFT and the paper, section 4.3)', () => {
    // L = sum(y). With n detached, only the LoRA term depends on A:
    // dL/dA[k][j] = s * sum_o (m_o / n_o) * B[o][k] * sum_i x[i][j].
    const model = new OneLayer();
    const handle = injectAdapters(model, { r: 2, alpha: 4, targetModules: ['proj'], useDora: true, init: 'gaussian' });
    const layer = handle.layers.get('proj')!;
    const adapter = layer.adapter('default');
    setTo(adapter.loraB, () => tf.randomNormal([4, 2], 0, 0.5, 'float32', 8));
    setTo(adapter.extra.get('lora_magnitude_vector')!, () => tf.tensor1d([0.9, 1.1, 1.3, 0.6]));
    const x = randomInput([4, 5], 2);
    const [w, a, b, m, xs] = [
      rows(layer.baseLayer.weight.value),
      rows(adapter.loraA.value),
      rows(adapter.loraB.value),
      Array.from(adapter.extra.get('lora_magnitude_vector')!.value.dataSync()),
      rows(x),
    ];
    const n = w.map((row, o) =>
      Math.hypot(...row.map((wij, j) => wij + 2 * (b[o]![0]! * a[0]![j]! + b[o]![1]! * a[1]![j]!))),
    );
    const colSum = [0, 1, 2, 3, 4].map((j) => xs.reduce((p, xi) => p + xi[j]!, 0));
    const want = [0, 1].map((k) =>
      colSum.map((xj) => 2 * xj * [0, 1, 2, 3].reduce((p, o) => p + (m[o]! / n[o]!) * b[o]![k]!, 0)),
    );
    const { value, grads } = tf.variableGrads(() => tf.sum(model.call(x)) as tf.Scalar);
    expect(maxAbsDiff(grads[adapter.loraA.value.name]!, want.flat())).toBeLessThan(1e-4);
    tf.dispose([value, x, ...Object.values(grads)]);
    handle.remove();
  });
});
