import type { GradConfig } from '@tensorflow/tfjs-core';
import type { NativeKernelSpec } from '../kernels/kernel-types';

/** A fused op: its forward and backward kernels (native only) and the gradient tfjs runs for it. */
export interface FusedOp {
  /** The forward kernel and, where the gradient runs one, its `...Grad` kernel; registered for `native` only. */
  readonly kernels: readonly NativeKernelSpec[];
  /** The tfjs gradient (`registerGradient`) of the forward kernel; backend-independent. */
  readonly gradient: GradConfig;
}
