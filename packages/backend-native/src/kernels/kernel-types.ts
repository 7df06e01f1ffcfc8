import type { KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../native-backend';

/** A native kernel: returns its outputs, or `null` to run the cpu kernel of the same name instead. */
export type NativeKernel = (args: {
  inputs: NamedTensorInfoMap;
  attrs: NamedAttrMap;
  backend: NativeBackend;
}) => TensorInfo | TensorInfo[] | null;

/** One override: the tfjs kernel name and its native implementation. */
export interface NativeKernelSpec {
  /** The tfjs kernel name it overrides or adds, e.g. `BatchMatMul` or `PeftLayerNorm`. */
  readonly kernelName: string;
  /** The native implementation; `null` from it means "run the cpu kernel". */
  readonly kernel: NativeKernel;
}

/** Builds the kernelFunc tfjs calls: native first, the cpu kernel when the native one declines. */
export function withFallback(spec: NativeKernelSpec, cpu: KernelFunc | undefined): KernelFunc {
  return (args) => {
    const backend = args.backend as NativeBackend;
    const out = spec.kernel({ inputs: args.inputs, attrs: args.attrs ?? {}, backend });
    if (out !== null) return out;
    if (cpu === undefined)
      throw new Error(
        `native kernel ${spec.kernelName} declined these inputs and no cpu kernel exists; report this with the input shapes and dtypes`,
      );
    for (const t of Object.values(args.inputs))
      if (t !== undefined) backend.pool.markShared(backend.values(t as TensorInfo));
    return cpu(args);
  };
}
