import { backend_util, type TensorInfo } from '@tensorflow/tfjs-core';
import { sizeOf } from '../shape-util';
import type { NativeBackend } from '../native-backend';
import type { NativeKernelSpec } from './kernel-types';

const ACTIVATIONS: Readonly<Record<string, number>> = { linear: 0, relu: 1 };

/**
 * `BatchMatMul` / `_FusedMatMul`: `[...batch, M, K] @ [...batch, K, N]` with any transpose flags,
 * batch broadcasting when one side's batch is 1 or both are equal, an optional `[N]` bias and
 * `linear`/`relu`. Other biases and activations (prelu, leakyrelu, elu, ...) go to the cpu kernel.
 */
function matmul(
  backend: NativeBackend,
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
  bias: TensorInfo | undefined,
  activation: string,
): TensorInfo | null {
  const av = backend.f32(a);
  const bv = backend.f32(b);
  if (av === null || bv === null || a.shape.length < 2 || b.shape.length < 2) return null;
  const act = ACTIVATIONS[activation];
  if (act === undefined) return null;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = (transposeA ? a.shape[ra - 1] : a.shape[ra - 2]) as number;
  const k = (transposeA ? a.shape[ra - 2] : a.shape[ra - 1]) as number;
  const k2 = (transposeB ? b.shape[rb - 1] : b.shape[rb - 2]) as number;
  const n = (transposeB ? b.shape[rb - 2] : b.shape[rb - 1]) as number;
  if (k !== k2) return null; // the cpu kernel throws tfjs's own message
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const outer = backend_util.assertAndGetBroadcastShape(outerA, outerB);
  const batch = sizeOf(outer);
  const batchA = sizeOf(outerA);
  const batchB = sizeOf(outerB);
  if ((batchA !== 1 && batchA !== batch) || (batchB !== 1 && batchB !== batch)) return null;
  let biasValues: Float32Array | null = null;
  if (bias !== undefined) {
    biasValues = backend.f32(bias);
    if (
      biasValues === null ||
      biasValues.length !== n ||
      (bias.shape.length > 0 && bias.shape[bias.shape.length - 1] !== n)
    )
      return null;
  }
  const out = backend.alloc(batch * m * n);
  backend.addon.gemm(
    out,
    av,
    bv,
    biasValues,
    batch,
    batchA === 1 ? 0 : 1,
    batchB === 1 ? 0 : 1,
    m,
    n,
    k,
    transposeA ? 1 : 0,
    transposeB ? 1 : 0,
    act,
  );
  return backend.output([...outer, m, n], out);
}

export const MATMUL_KERNELS: readonly NativeKernelSpec[] = [
  {
    kernelName: 'BatchMatMul',
    kernel: ({ inputs, attrs, backend }) =>
      matmul(
        backend,
        inputs.a as TensorInfo,
        inputs.b as TensorInfo,
        attrs.transposeA === true,
        attrs.transposeB === true,
        undefined,
        'linear',
      ),
  },
  {
    kernelName: '_FusedMatMul',
    kernel: ({ inputs, attrs, backend }) => {
      if (inputs.preluActivationWeights !== undefined) return null;
      return matmul(
        backend,
        inputs.a as TensorInfo,
        inputs.b as TensorInfo,
        attrs.transposeA === true,
        attrs.transposeB === true,
        inputs.bias,
        String(attrs.activation ?? 'linear'),
      );
    },
  },
];
