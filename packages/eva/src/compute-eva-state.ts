import type * as tf from '@tensorflow/tfjs-core';
import { disposeBatch, Linear, type AnyModule, type Batch } from '@peftjs/core';
import { captureLayerInputs } from '@peftjs/hooks';
import { getRankAllocator, maxRanksFor, type RankAllocator } from '@peftjs/rank-allocator';
import { ConvergenceTracker, IncrementalPCA } from '@peftjs/streaming-svd';
import { parseEvaConfig, type EvaConfig, type EvaConfigInput } from './eva-config';
import type { EvaState } from './eva-state';
import { assertEveryLayerFitted, EvaError, iterate, finishState, resolveGroups, updateRanksAndConvergence, type EvaData, type LayerRun } from './eva-loop';
import { PhaseClock, type EvaPhaseTimes } from './phase-clock';

export { EvaError } from './eva-loop';
export type { EvaData } from './eva-loop';

export interface EvaProgress {
  readonly step: number;
  readonly convergedLayers: number;
  readonly totalLayers: number;
  /** Rows each fed layer received this step. */
  readonly rowsPerLayer: Readonly<Record<string, number>>;
  /** Seconds spent so far in forward passes, PCA updates and rank allocation. */
  readonly phases: EvaPhaseTimes;
}

export interface ComputeEvaOptions {
  /** How ranks are redistributed after every step; default the `explainedVariance` allocator (EVA). */
  readonly allocator?: RankAllocator;
  readonly onProgress?: (progress: EvaProgress) => void;
  /**
   * Shard the batches over this many worker threads (default 1: this thread). Each worker loads
   * the model from `modelDir` and keeps its own PCA states, which are merged after every round.
   */
  readonly workers?: number;
  /** The checkpoint directory `model` was loaded from; required with `workers > 1`. */
  readonly modelDir?: string;
  /**
   * Stop each forward pass after the deepest target layer still fed (default true; see `@peftjs/hooks`
   * `earlyExit`): later blocks and the LM head are never computed. The state is identical either way.
   */
  readonly earlyExit?: boolean;
}



/**
 * EVA steps 1-4 (EVA-SPEC): captures each target layer's input rows, fits a centred incremental
 * PCA per layer (one per identical-input group), redistributes ranks after every batch, and stops
 * when every layer's allotted components have converged. Returns plain data for {@link applyEva}.
 */
export async function computeEvaState<B extends Batch>(
  model: AnyModule,
  data: EvaData<B>,
  config: EvaConfigInput | EvaConfig = {},
  options: ComputeEvaOptions = {},
): Promise<EvaState> {
  const cfg = parseEvaConfig(config);
  const workers = options.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1) throw new EvaError(`workers must be an integer >= 1, got ${String(options.workers)}`);
  if (workers > 1) {
    if (options.modelDir === undefined) throw new EvaError('computeEvaState with workers > 1 needs options.modelDir, the checkpoint directory each worker loads the model from');
    const { computeEvaStateParallel } = await import('./parallel/compute-eva-state-parallel');
    return computeEvaStateParallel(model, options.modelDir, data, cfg, { ...options, workers });
  }
  const allocator = options.allocator ?? getRankAllocator('explainedVariance');
  const started = performance.now();
  const clock = new PhaseClock();
  const runs = new Map<string, LayerRun>();

  const capture = captureLayerInputs(model, {
    ...(cfg.targetModules === null ? {} : { targets: cfg.targetModules instanceof RegExp ? cfg.targetModules : [...cfg.targetModules] }),
    useLabelMask: cfg.useLabelMask,
    labelMaskValue: cfg.labelMaskValue,
    earlyExit: options.earlyExit ?? true,
    onRows: (layer, rows) => clock.measure('pca', () => fitRows(layer, rows)),
  });

  const limits: Record<string, number> = {};
  const widths: Record<string, number> = {};
  for (const layer of capture.layers) {
    const width = layer.inFeatures;
    if (width === null) throw new EvaError(`Layer "${layer.name}" (${layer.module.typeName}) has no known input width; EVA targets Linear layers`);
    widths[layer.name] = width;
    // A LoRA rank above min(in, out) adds nothing (and @peftjs/lora rejects it), so no layer may be allotted more.
    limits[layer.name] = layer.module instanceof Linear ? Math.min(width, layer.module.outFeatures) : width;
  }
  const maxRanks = maxRanksFor(cfg.r, cfg.rho, limits);
  for (const layer of capture.layers) {
    const maxRank = maxRanks[layer.name] as number;
    runs.set(layer.name, {
      name: layer.name,
      inFeatures: widths[layer.name] as number,
      maxRank,
      pca: new IncrementalPCA({ nComponents: maxRank, solver: cfg.solver, seed: cfg.seed }),
      tracker: new ConvergenceTracker({ tau: cfg.tau }),
      representative: layer.name,
      rank: cfg.r,
      fits: 0,
      converged: false,
    });
  }
  const budget = cfg.r * runs.size;
  let fittedThisStep = new Set<string>();

  function fitRows(layer: string, rows: tf.Tensor2D): void {
    const run = runs.get(layer) as LayerRun;
    const pca = run.pca as IncrementalPCA;
    // EVA-SPEC step 3: a batch with fewer kept rows than k is skipped for this layer. This is EVA's own
    // rule: @peftjs/streaming-svd follows scikit-learn >= 1.6 and folds small later batches in.
    if (rows.shape[0] < Math.min(pca.nComponents, rows.shape[1])) return;
    const result = pca.partialFit(rows);
    if (result.status === 'too-few-rows') return;
    run.fits++;
    (run.tracker as ConvergenceTracker).update(pca.components, pca.effectiveComponents);
    fittedThisStep.add(layer);
  }

  let steps = 0;
  let groupsResolved = false;
  let allConverged = false;
  try {
    outer: for (let epoch = 0; ; epoch++) {
      let batchesThisEpoch = 0;
      for await (const batch of iterate(data)) {
        batchesThisEpoch++;
        fittedThisStep = new Set();
        let result;
        try {
          result = clock.measure('forward', () => capture.step(batch, () => model.call(batch)));
        } finally {
          if (typeof data === 'function') disposeBatch(batch);
        }
        steps++;
        if (!groupsResolved) {
          resolveGroups(capture.groups, runs);
          groupsResolved = true;
        }
        allConverged = clock.measure('allocation', () => updateRanksAndConvergence(runs, allocator, budget, capture));
        options.onProgress?.({
          step: steps,
          convergedLayers: [...runs.values()].filter((r) => r.converged).length,
          totalLayers: runs.size,
          rowsPerLayer: result.rowsPerLayer,
          phases: clock.snapshot(),
        });
        if (allConverged || steps >= cfg.maxSteps) break outer;
      }
      if (batchesThisEpoch === 0) {
        throw new EvaError(epoch === 0 ? 'EVA received no data: the batch source is empty' : 'EVA ran out of data: the batch factory returned no batches when called again');
      }
      if (epoch === 0) assertEveryLayerFitted(runs, steps);
    }
  } finally {
    capture.remove();
  }

  return finishState(runs, cfg, { steps, allConverged, startedMs: started, phases: clock.snapshot() });
}

