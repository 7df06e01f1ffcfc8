import type { NativeAddon } from '@peftjs/backend-native';

/** [name, batch, M, N, K, transposeA (0|1), transposeB (0|1)] */
export type GemmShape = readonly [string, number, number, number, number, number, number];
export declare const GEMM_SHAPES: readonly GemmShape[];
export declare function timeGemm(addon: NativeAddon, shape: GemmShape, budgetSeconds?: number): number;
