import type { GradConfig } from '@tensorflow/tfjs-core';

/** tfjs-core's own gradient definitions (what `register_all_gradients` registers), bundled at install. */
export declare const tfjsGradConfigs: readonly GradConfig[];
