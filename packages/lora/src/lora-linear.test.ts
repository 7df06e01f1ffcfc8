import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Linear, Rng, setBackend } from '@peftjs/core';
import { LoraLinear } from './lora-linear';
import { plainLoraVariant } from './variants/plain-lora';
import { maxAbsDiff, randomInput } from './testing/helpers';

beforeAll(async () => {
  await setBackend('wasm');
});

/** Float64 reference: x W^T + b + s (x A^T) B^T. */
function reference(
  x: Float32Array,
  n: number,
  w: Float32Array,
  b: Float32Array,
  a: Float32Array,
  bb: Float32Array,
  inF: number,
  out: number,
  r: number,
  s: number,
): Float64Array {
  const y = new Float64Array(n * out);
  for (let i = 0; i < n; i++) {
    const h = new Float64Array(r);
    for (let k = 0; k < r; k++)
      for (let j = 0; j < inF; j++) h[k] = (h[k] as number) + (x[i * inF + j] as number) * (a[k * inF + j] as number);
    for (let o = 0; o < out; o++) {
      let v = b[o] as number;
      for (let j = 0; j < inF; j++) v += (x[i * inF + j] as number) * (w[o * inF + j] as number);
      for (let k = 0; k < r; k++) v += s * (h[k] as number) * (bb[o * r + k] as number);
      y[i * out + o] = v;
    }
  }
  return y;
}

function makeLayer(
  inF = 6,
  out = 5,
  r = 3,
  alpha = 6,
  useRslora = false,
): { layer: LoraLinear; a: Float32Array; b: Float32Array } {
  const rng = new Rng(3);
  const base = new Linear(inF, out, { rng });
  base.weight.trainable = false;
  base.bias!.trainable = false;
  const layer = new LoraLinear(base);
  const a = rng.normalArray(r * inF, 0, 0.5);
  const b = rng.normalArray(out * r, 0, 0.5);
  layer.addAdapter('default', {
    r,
    alpha,
    useRslora,
    dropout: 0,
    a: tf.tensor2d(a, [r, inF]),
    b: tf.tensor2d(b, [out, r]),
    variant: plainLoraVariant,
  });
  return { layer, a, b };
}

describe('LoraLinear', () => {
  it('computes x W^T + b + s x A^T B^T on 2-D and 3-D inputs (s = alpha/r, or alpha/sqrt(r) with rsLoRA)', () => {
    for (const useRslora of [false, true]) {
      const { layer, a, b } = makeLayer(6, 5, 3, 6, useRslora);
      const s = useRslora ? 6 / Math.sqrt(3) : 2;
      expect(layer.adapter('default').scaling).toBeCloseTo(s, 12);
      const x = randomInput([2, 4, 6]);
      const y = layer.call(x);
      expect(y.shape).toEqual([2, 4, 5]);
      const want = reference(
        x.dataSync() as Float32Array,
        8,
        layer.baseLayer.weight.value.dataSync() as Float32Array,
        layer.baseLayer.bias!.value.dataSync() as Float32Array,
        a,
        b,
        6,
        5,
        3,
        s,
      );
      expect(maxAbsDiff(y, want)).toBeLessThan(1e-5);
      tf.dispose([x, y]);
      layer.dispose();
    }
  });

  it('names parameters as PEFT does', () => {
    const { layer } = makeLayer();
    expect([...layer.namedParameters()].map(([n]) => n)).toEqual([
      'base_layer.weight',
      'base_layer.bias',
      'lora_A.default.weight',
      'lora_B.default.weight',
    ]);
    layer.dispose();
  });

  it('merge, unmerge and disable', () => {
    const { layer } = makeLayer();
    const x = randomInput([5, 6]);
    const w0 = layer.baseLayer.weight.value.dataSync().slice();
    const y0 = layer.call(x);
    layer.merge();
    expect(layer.mergedAdapter).toBe('default');
    const y1 = layer.call(x);
    expect(maxAbsDiff(y0, y1)).toBeLessThan(1e-5);
    expect(() => (layer.adaptersDisabled = true)).toThrow(/unmerge\(\) first/);
    layer.unmerge();
    expect(maxAbsDiff(layer.baseLayer.weight.value, w0)).toBeLessThan(1e-6);
    layer.adaptersDisabled = true;
    const yBase = layer.call(x);
    const plain = layer.baseLayer.call(x);
    expect(maxAbsDiff(yBase, plain)).toBe(0);
    tf.dispose([x, y0, y1, yBase, plain]);
    layer.dispose();
  });

  it('dropout applies to the adapter input in training only', () => {
    const rng = new Rng(2);
    const base = new Linear(4, 4, { rng });
    const layer = new LoraLinear(base);
    const a = tf.tensor2d(rng.normalArray(8, 0, 1), [2, 4]);
    const b = tf.tensor2d(rng.normalArray(8, 0, 1), [4, 2]);
    layer.addAdapter('default', {
      r: 2,
      alpha: 2,
      useRslora: false,
      dropout: 0.5,
      dropoutRng: new Rng(1),
      a,
      b,
      variant: plainLoraVariant,
    });
    const x = randomInput([64, 4]);
    layer.eval();
    const yEval = layer.call(x);
    const ref = tf.tidy(() =>
      tf.add(
        base.call(x),
        tf.matMul(
          tf.matMul(x, layer.adapter('default').loraA.value, false, true),
          layer.adapter('default').loraB.value,
          false,
          true,
        ),
      ),
    );
    expect(maxAbsDiff(yEval, ref)).toBeLessThan(1e-5);
    layer.train();
    const yTrain = layer.call(x);
    expect(maxAbsDiff(yTrain, ref)).toBeGreaterThan(1e-3);
    tf.dispose([x, yEval, ref, yTrain]);
    layer.dispose();
  });

  it('rejects A/B of the wrong shape naming the tensor and both shapes', () => {
    const base = new Linear(4, 3);
    const layer = new LoraLinear(base);
    const a = tf.zeros([2, 5]) as tf.Tensor2D;
    const b = tf.zeros([3, 2]) as tf.Tensor2D;
    expect(() =>
      layer.addAdapter('x', { r: 2, alpha: 2, useRslora: false, dropout: 0, a, b, variant: plainLoraVariant }),
    ).toThrow('lora_A.x.weight has shape [2, 5] but this layer needs [2, 4]');
    tf.dispose([a, b]);
    layer.dispose();
  });

  it('removeAdapter disposes the adapter tensors and keeps the layer usable', () => {
    const start = tf.memory().numTensors;
    const { layer } = makeLayer();
    const before = tf.memory().numTensors;
    layer.removeAdapter('default');
    expect([...layer.namedParameters()].map(([n]) => n)).toEqual(['base_layer.weight', 'base_layer.bias']);
    expect(layer.activeAdapter).toBeNull();
    expect(tf.memory().numTensors).toBe(before - 2);
    layer.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});
