import { availableParallelism } from 'node:os';
import {
  findBackendFactory,
  getGradient,
  getKernel,
  getKernelsForBackend,
  registerBackend,
  registerGradient,
  registerKernel,
  unregisterKernel,
} from '@tensorflow/tfjs-core';
import type { KernelFunc } from '@tensorflow/tfjs-core';
import { BufferPool } from './buffer-pool';
import { ATTENTION } from './fused/attention';
import { CROSS_ENTROPY } from './fused/cross-entropy';
import type { FusedOp } from './fused/fused-types';
import { GELU_TANH } from './fused/gelu';
import { LINEAR, LORA_DELTA } from './fused/linear';
import { LAYER_NORM, RMS_NORM } from './fused/norms';
import { ELEMENTWISE_KERNELS } from './kernels/elementwise';
import { type NativeKernelSpec, withFallback } from './kernels/kernel-types';
import { MATMUL_KERNELS } from './kernels/matmul';
import { MOVEMENT_KERNELS } from './kernels/movement';
import { REDUCTION_KERNELS } from './kernels/reductions';
import { TRANSPOSE_KERNELS } from './kernels/transpose';
import { ADD_N_KERNELS } from './kernels/add-n';
import { loadAddon } from './load-addon';
import type { NativeAddon } from './native-addon';
import { NativeBackend } from './native-backend';
import { NativeBackendError } from './native-backend-error';

/** The tfjs backend name this package registers. */
export const NATIVE_BACKEND_NAME = 'native';

/** Every kernel the addon runs instead of the cpu kernel of the same name. */
export const NATIVE_KERNELS: readonly NativeKernelSpec[] = [
  ...MATMUL_KERNELS,
  ...ELEMENTWISE_KERNELS,
  ...REDUCTION_KERNELS,
  ...TRANSPOSE_KERNELS,
  ...MOVEMENT_KERNELS,
  ...ADD_N_KERNELS,
];

/** The fused ops (`Peft*` kernels with gradients) that `@peftjs/core`'s helpers use when registered. */
export const FUSED_OPS: readonly FusedOp[] = [
  GELU_TANH,
  LAYER_NORM,
  RMS_NORM,
  ATTENTION,
  CROSS_ENTROPY,
  LINEAR,
  LORA_DELTA,
];

/** cpu kernels that only re-label their input's storage (same dataId, refcounted): no aliasing risk. */
const NO_ALIAS = new Set(['Reshape', 'Identity', 'ExpandDims', 'Squeeze']);

/** Options of {@link registerNativeBackend}. */
export interface NativeBackendOptions {
  /** OpenMP threads for the kernels (default: `PEFTJS_THREADS`, else the available cores). */
  threads?: number;
  /** Most bytes the output-buffer pool keeps idle (default 256 MiB). */
  poolBytes?: number;
}

/** What the native backend runs on. */
export interface NativeBackendInfo {
  /** The tfjs backend name, {@link NATIVE_BACKEND_NAME}. */
  readonly name: 'native';
  /** `onednn` or `openblas`. */
  readonly blas: string;
  /** OpenBLAS's core type (its kernel family) or `runtime-dispatch` for oneDNN. */
  readonly core: string;
  /** OpenMP threads the kernels run on now. */
  readonly threads: number;
}

let addon: NativeAddon | null = null;

/**
 * Registers the tfjs backend `native` (not activating it: call `tf.setBackend('native')`, or
 * `setBackend('native')` from `@peftjs/core`). Idempotent; a second call only changes the thread count.
 *
 * The backend derives from tfjs-backend-cpu's `MathBackendCPU`, copies all of its kernels, and
 * replaces the hot ones ({@link NATIVE_KERNELS}) and adds the fused ones ({@link FUSED_OPS}).
 *
 * @throws NativeBackendError when the addon was not built (the message names the apt packages)
 *   or `threads` is not a positive integer.
 */
export function registerNativeBackend(options: NativeBackendOptions = {}): NativeBackendInfo {
  const threads = options.threads ?? defaultThreads();
  if (!Number.isInteger(threads) || threads < 1) {
    throw new NativeBackendError(
      'E_NATIVE_BAD_OPTION',
      `threads must be a positive integer, got ${threads}; pass e.g. { threads: 2 }`,
    );
  }
  addon ??= loadAddon();
  addon.setThreads(threads);
  if (findBackendFactory(NATIVE_BACKEND_NAME) === null) {
    const pool = new BufferPool(options.poolBytes);
    const native = addon;
    registerBackend(NATIVE_BACKEND_NAME, () => new NativeBackend(native, pool), 1);
    registerKernels();
  }
  return nativeBackendInfo();
}

/** The BLAS, core type and threads of the loaded addon. @throws NativeBackendError when not registered yet. */
export function nativeBackendInfo(): NativeBackendInfo {
  if (addon === null)
    throw new NativeBackendError(
      'E_NATIVE_BAD_OPTION',
      'the native backend is not registered yet; call registerNativeBackend() first',
    );
  const info = addon.info();
  return { name: 'native', blas: info.blas, core: info.core, threads: info.threads };
}

/** Changes the OpenMP thread count of the native kernels. */
export function setNativeThreads(threads: number): NativeBackendInfo {
  return registerNativeBackend({ threads });
}

function defaultThreads(): number {
  const fromEnv = Number(process.env.PEFTJS_THREADS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : availableParallelism();
}

function registerKernels(): void {
  const overrides = new Map(NATIVE_KERNELS.map((k) => [k.kernelName, k]));
  for (const cpu of getKernelsForBackend('cpu')) {
    const spec = overrides.get(cpu.kernelName);
    const kernelFunc: KernelFunc =
      spec !== undefined ? withFallback(spec, cpu.kernelFunc) : markingInputs(cpu.kernelName, cpu.kernelFunc);
    if (getKernel(cpu.kernelName, NATIVE_BACKEND_NAME) !== undefined)
      unregisterKernel(cpu.kernelName, NATIVE_BACKEND_NAME);
    registerKernel({ ...cpu, backendName: NATIVE_BACKEND_NAME, kernelFunc });
  }
  for (const spec of NATIVE_KERNELS) {
    if (getKernel(spec.kernelName, NATIVE_BACKEND_NAME) === undefined) {
      registerKernel({
        kernelName: spec.kernelName,
        backendName: NATIVE_BACKEND_NAME,
        kernelFunc: withFallback(spec, undefined),
      });
    }
  }
  for (const op of FUSED_OPS) {
    for (const spec of op.kernels) {
      if (getKernel(spec.kernelName, NATIVE_BACKEND_NAME) === undefined) {
        registerKernel({
          kernelName: spec.kernelName,
          backendName: NATIVE_BACKEND_NAME,
          kernelFunc: withFallback(spec, undefined),
        });
      }
    }
    if (getGradient(op.gradient.kernelName) === undefined) registerGradient(op.gradient);
  }
}

/** A cpu kernel whose outputs might view its inputs' arrays: those arrays must never be recycled. */
function markingInputs(name: string, cpu: KernelFunc): KernelFunc {
  if (NO_ALIAS.has(name)) return cpu;
  return (args) => {
    const backend = args.backend as NativeBackend;
    for (const t of Object.values(args.inputs)) if (t !== undefined) backend.pool.markShared(backend.values(t));
    return cpu(args);
  };
}
