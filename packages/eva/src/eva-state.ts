import type { EvaConfig } from './eva-config';
import type { EvaPhaseTimes } from './phase-clock';

/** One adapted layer's EVA statistics: plain data, no tensors. */
export interface EvaLayerState {
  /** Module path in the plain (un-wrapped) model, e.g. `transformer.h.0.attn.c_attn`. */
  readonly name: string;
  /** The layer's input width `in`. */
  readonly inFeatures: number;
  /** Components computed (`min(roundHalfEven(r * rho), inFeatures)`), >= `rank`. */
  readonly components: number;
  /** Row-major `[components, inFeatures]` right-singular vectors of the centred inputs (sklearn signs). */
  readonly componentsData: Float32Array;
  /** Singular values of the centred inputs, descending. */
  readonly singularValues: Float64Array;
  /** Each component's share of the inputs' total variance (sklearn `explained_variance_ratio_`), descending. */
  readonly explainedVarianceRatio: Float64Array;
  /** The LoRA rank allotted by the rank allocator; 0 means no adapter. */
  readonly rank: number;
  /** The representative of this layer's identical-input group, or null when it is not grouped. */
  readonly group: string | null;
  /** Whether its allotted components had converged when the computation stopped. */
  readonly converged: boolean;
  /** True when `componentsData` already holds whitened rows (a state loaded from a PEFT-layout file). */
  readonly prewhitened?: boolean;
}

/** The result of {@link computeEvaState}: everything `applyEva` needs, plus how the run went. */
export interface EvaState {
  /** Every target layer, in model order; rank-0 layers included. */
  readonly layers: readonly EvaLayerState[];
  /** The validated config it was computed with. */
  readonly config: EvaConfig;
  /** Batches processed (EVA steps). */
  readonly steps: number;
  /** Forward passes run (equal to `steps`; kept separate for sharded runs). */
  readonly forwardPasses: number;
  /** Wall time of the computation in seconds. */
  readonly seconds: number;
  /** Where the seconds went: forward passes, PCA updates, rank allocation (absent in a state loaded from a file). */
  readonly phases?: EvaPhaseTimes;
  /** True when every layer converged before `maxSteps`. */
  readonly converged: boolean;
  /** Paths of the layers that had not converged (empty when `converged`). */
  readonly unconvergedLayers: readonly string[];
}

/**
 * The initial LoRA `A` of a layer: its first `rank` components, with `whiten` each row divided by
 * sqrt of its singular value, exactly once (fresh storage per layer: no aliasing within a group).
 */
export function initialA(layer: EvaLayerState, whiten: boolean): Float32Array {
  const d = layer.inFeatures;
  const a = layer.componentsData.slice(0, layer.rank * d);
  if (whiten && layer.prewhitened !== true) {
    for (let j = 0; j < layer.rank; j++) {
      const s = Math.sqrt(layer.singularValues[j] as number);
      for (let i = 0; i < d; i++) a[j * d + i] = (a[j * d + i] as number) / s;
    }
  }
  return a;
}

/** Ranks by module path, as `adapter_config.json`'s `rank_pattern`. */
export function evaRanks(state: EvaState): Record<string, number> {
  return Object.fromEntries(state.layers.map((l) => [l.name, l.rank]));
}
