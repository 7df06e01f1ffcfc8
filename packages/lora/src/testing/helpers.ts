import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@peftjs/core';
import type { AnyModule, Parameter } from '@peftjs/core';

/** Test-only helpers. */
export function maxAbsDiff(a: tf.Tensor | ArrayLike<number>, b: tf.Tensor | ArrayLike<number>): number {
  const x = a instanceof tf.Tensor ? a.dataSync() : a;
  const y = b instanceof tf.Tensor ? b.dataSync() : b;
  if (x.length !== y.length) throw new Error(`maxAbsDiff: lengths ${x.length} and ${y.length} differ`);
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs((x[i] as number) - (y[i] as number)));
  return m;
}

export function randomInput(shape: number[], seed = 7): tf.Tensor {
  return tf.tensor(
    new Rng(seed).normalArray(
      shape.reduce((p, v) => p * v, 1),
      0,
      1,
    ),
    shape,
  );
}

/** The model's output values (tensor disposed). */
export function outputOf(model: AnyModule, x: tf.Tensor): Float32Array {
  const y = model.call(x) as tf.Tensor;
  const data = Float32Array.from(y.dataSync());
  y.dispose();
  return data;
}

/** Snapshot of every parameter's values by name. */
export function parameterValues(model: AnyModule): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const [name, p] of model.namedParameters()) out.set(name, Float32Array.from(p.value.dataSync()));
  return out;
}

/** Assigns `make()` to `p` and frees the temporary. */
export function setTo(p: Parameter, make: () => tf.Tensor): void {
  const t = tf.tidy(make);
  p.assign(t);
  t.dispose();
}
