import type * as tf from '@tensorflow/tfjs-core';
import { Linear, type AnyModule, type Batch } from '@peftjs/core';
import { captureLayerInputs } from '@peftjs/hooks';
import { getRankAllocator, maxRanksFor, type RankAllocator } from '@peftjs/rank-allocator';
import {
  ConvergenceTracker,
  IncrementalPCA,
  type IncrementalPCAJSON,
  type StreamingDecomposer,
  type StreamingDecomposerFactory,
} from '@peftjs/streaming-svd';
import { parseEvaConfig, type EvaConfig, type EvaConfigInput } from './eva-config';
import type { EvaState } from './eva-state';
import { createLayerRuns, EvaError, type EvaData, type LayerRun } from './eva-loop';
import { PhaseClock, type EvaPhaseTimes } from './phase-clock';
import { runEvaLoop, type RoundResult, type RowSource } from './run-eva-loop';

export { EvaError } from './eva-loop';
export type { EvaData } from './eva-loop';

/** What {@link ComputeEvaOptions.onProgress} receives after every EVA step. */
export interface EvaProgress {
  /** Batches processed so far. */
  readonly step: number;
  /** Target layers whose allotted components have converged. */
  readonly convergedLayers: number;
  /** Target layers in all. */
  readonly totalLayers: number;
  /** Rows each fed layer received this step. */
  readonly rowsPerLayer: Readonly<Record<string, number>>;
  /** Seconds spent so far in forward passes, PCA updates and rank allocation. */
  readonly phases: EvaPhaseTimes;
}

/** Plug points and run options of {@link computeEvaState}, beside the {@link EvaConfig}. */
export interface ComputeEvaOptions {
  /** How ranks are redistributed after every step; default the `explainedVariance` allocator (EVA). */
  readonly allocator?: RankAllocator;
  /** Called after every step (the CLI prints it; EVA never does). */
  readonly onProgress?: (progress: EvaProgress) => void;
  /**
   * Stop each forward pass after the deepest target layer still fed (default true; see `@peftjs/hooks`
   * `earlyExit`): later blocks and the LM head are never computed. The state is identical either way.
   */
  readonly earlyExit?: boolean;
  /**
   * The streaming SVD each layer's rows are fitted with (default `IncrementalPCA` with the config's
   * `solver` and `seed`): any `StreamingDecomposer` plugs in, as any `RankAllocator` does through
   * `allocator`. `computeEvaStateParallel` (worker threads) supports only the default (a factory cannot cross threads).
   */
  readonly decomposer?: {
    /** A fresh, unfitted decomposer that keeps `nComponents` components. */
    create(nComponents: number): StreamingDecomposer<unknown, unknown>;
  };
}

/**
 * EVA steps 1-4 (EVA-SPEC): captures each target layer's input rows, fits a centred incremental
 * PCA per layer (one per identical-input group), redistributes ranks after every batch, and stops
 * when every layer's allotted components have converged. Returns plain data for {@link applyEva}.
 * Runs in this thread, in Node or a browser; `computeEvaStateParallel` from `@peftjs/eva/node`
 * shards the same loop over worker threads (an `EvaError` if `options` holds its `workers`/`modelDir`).
 */
export async function computeEvaState<B extends Batch>(
  model: AnyModule,
  data: EvaData<B>,
  config: EvaConfigInput | EvaConfig = {},
  options: ComputeEvaOptions = {},
): Promise<EvaState> {
  const cfg = parseEvaConfig(config);
  const moved = options as { workers?: unknown; modelDir?: unknown }; // options computeEvaStateParallel took over
  if (moved.workers !== undefined || moved.modelDir !== undefined)
    throw new EvaError(
      "computeEvaState runs in this thread; for worker threads call computeEvaStateParallel from '@peftjs/eva/node'",
    );
  const allocator = options.allocator ?? getRankAllocator('explainedVariance');
  const decomposer = options.decomposer ?? defaultDecomposer(cfg);
  const started = performance.now();
  const clock = new PhaseClock();
  let runs = new Map<string, LayerRun>();
  let round: RoundResult | null = null;

  const capture = captureLayerInputs(model, {
    ...(cfg.targetModules === null
      ? {}
      : { targets: cfg.targetModules instanceof RegExp ? cfg.targetModules : [...cfg.targetModules] }),
    useLabelMask: cfg.useLabelMask,
    labelMaskValue: cfg.labelMaskValue,
    earlyExit: options.earlyExit ?? true,
    onRows: (layer, rows) => clock.measure('pca', () => fitRows(layer, rows)),
  });

  const limits: Record<string, number> = {};
  const widths: { name: string; inFeatures: number }[] = [];
  for (const layer of capture.layers) {
    const width = layer.inFeatures;
    if (width === null) {
      capture.remove();
      throw new EvaError(
        `Layer "${layer.name}" (${layer.module.typeName}) has no known input width; EVA targets Linear layers`,
      );
    }
    widths.push({ name: layer.name, inFeatures: width });
    // A LoRA rank above min(in, out) adds nothing (and @peftjs/lora rejects it), so no layer may be allotted more.
    limits[layer.name] = layer.module instanceof Linear ? Math.min(width, layer.module.outFeatures) : width;
  }
  runs = createLayerRuns(
    widths,
    maxRanksFor(cfg.r, cfg.rho, limits),
    cfg,
    () => new ConvergenceTracker({ tau: cfg.tau }),
    (k) => decomposer.create(k),
  );

  function fitRows(layer: string, rows: tf.Tensor2D): void {
    const run = runs.get(layer) as LayerRun;
    const pca = run.pca as StreamingDecomposer;
    // EVA-SPEC step 3: a batch with fewer kept rows than k is skipped for this layer. This is EVA's own
    // rule: @peftjs/streaming-svd follows scikit-learn >= 1.6 and folds small later batches in.
    if (rows.shape[0] < Math.min(pca.nComponents, rows.shape[1])) return;
    const result = pca.partialFit(rows);
    if (result.status === 'too-few-rows') return;
    run.fits++;
    (run.tracker as ConvergenceTracker).update(pca.components, pca.effectiveComponents);
  }

  // This thread's forward passes: one batch per round, its rows fitted as the hooks capture them.
  const source: RowSource<B> = {
    roundSize: 1,
    add(batch) {
      const result = clock.measure('forward', () => capture.step(batch, () => model.call(batch)));
      round = { batches: 1, groups: capture.groups, rowsPerLayer: result.rowsPerLayer };
    },
    flush: async () => {
      const done = round as RoundResult;
      round = null;
      return done;
    },
    close: async () => capture.remove(),
    attach: (layer) => capture.attach(layer),
    detach: (layer) => capture.detach(layer),
    isAttached: (layer) => capture.isAttached(layer),
  };
  return runEvaLoop(data, runs, cfg, source, { allocator, clock, startedMs: started, onProgress: options.onProgress });
}

/** `IncrementalPCA` with the config's solver and seed: EVA's decomposer unless another is given. */
function defaultDecomposer(cfg: EvaConfig): StreamingDecomposerFactory<IncrementalPCA, IncrementalPCAJSON> {
  return {
    create: (nComponents) => new IncrementalPCA({ nComponents, solver: cfg.solver, seed: cfg.seed }),
    fromJSON: (json) => IncrementalPCA.fromJSON(json),
  };
}
