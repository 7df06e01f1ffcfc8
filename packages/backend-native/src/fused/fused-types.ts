import type { GradConfig } from '@tensorflow/tfjs-core';
import type { NativeKernelSpec } from '../kernels/kernel-types';

/** A fused op: its forward and backward kernels (native only) and the gradient tfjs runs for it. */
export interface FusedOp {
  readonly kernels: readonly NativeKernelSpec[];
  readonly gradient: GradConfig;
}
