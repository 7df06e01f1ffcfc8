/**
 * Kernel conformance: every kernel the native backend overrides, run on cpu, wasm and native, forward
 * and gradient, against the cpu backend as the reference.
 *
 * Tolerance: |got - cpu| <= 2e-5 + 2e-4 |cpu| element-wise (float32; the reference sums in float64
 * and in a different order, and the native exp/tanh/sigmoid have ~1e-7 relative error). NaN and
 * infinities must match exactly. Cases marked `wasmGap` document tfjs-backend-wasm 4.22 defects
 * (wrong results or missing kernels): on wasm they are asserted to still deviate; `wasmShapeOnly`
 * cases (uninitialised output) compare only the shape on wasm.
 */
import './tfjs-gradients.test-support';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CaseResult, runCase, worstViolation } from './conformance.test-support';
import { KERNEL_CASES } from './kernel-cases.test-support';
import { registerNativeBackend } from './register-native-backend';

const ATOL = 2e-5;
const RTOL = 2e-4;

const reference = new Map<string, CaseResult>();

beforeAll(async () => {
  registerNativeBackend({ threads: 2 });
  await tf.setBackend('cpu');
  for (const c of KERNEL_CASES) reference.set(c.name, runCase(c));
});

describe.each(['cpu', 'wasm', 'native'])('kernel conformance on %s', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
    await tf.ready();
  });

  it.each(KERNEL_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(tf.getBackend()).toBe(backend);
    const ref = reference.get(c.name) as CaseResult;
    if (backend === 'wasm' && c.wasmGap !== undefined) {
      // A documented tfjs-backend-wasm defect: assert it is still there, so this list cannot rot.
      expect(() => {
        const got = runCase(c);
        const bad = [got.forward, ...got.grads].some(
          (g, i) =>
            worstViolation(
              g.values,
              (i === 0 ? ref.forward : ref.grads[i - 1])?.values ?? new Float32Array(0),
              ATOL,
              RTOL,
            ) > 0,
        );
        if (bad) throw new Error(c.wasmGap);
      }).toThrow();
      return;
    }
    const before = tf.memory().numTensors;
    const got = runCase(c);
    expect(tf.memory().numTensors).toBe(before);
    expect(got.forward.shape).toEqual(ref.forward.shape);
    if (backend === 'wasm' && c.wasmShapeOnly !== undefined) return;
    expect(worstViolation(got.forward.values, ref.forward.values, ATOL, RTOL)).toBeLessThanOrEqual(0);
    expect(got.grads.length).toBe(ref.grads.length);
    got.grads.forEach((g, i) => {
      const r = ref.grads[i] as CaseResult['grads'][number];
      expect(g.shape).toEqual(r.shape);
      expect(worstViolation(g.values, r.values, ATOL, RTOL)).toBeLessThanOrEqual(0);
    });
  });
});
