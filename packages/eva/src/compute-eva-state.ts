import type * as tf from '@tensorflow/tfjs';
import { disposeBatch, type AnyModule, type Batch, type BatchModel } from '@peftjs/core';
import { captureLayerInputs } from '@peftjs/hooks';
import { getRankAllocator, maxRanksFor, type LayerSpectrum, type RankAllocator } from '@peftjs/rank-allocator';
import { ConvergenceTracker, IncrementalPCA } from '@peftjs/streaming-svd';
import { parseEvaConfig, type EvaConfig, type EvaConfigInput } from './eva-config';
import type { EvaLayerState, EvaState } from './eva-state';

/**
 * Where EVA's batches come from. An array is the caller's (never disposed, replayed as is);
 * a factory is called again whenever its batches run out (EVA replays data, as PEFT does), and
 * every batch it yields is disposed after use.
 */
export type EvaData<B extends Batch = Batch> = readonly B[] | (() => Iterable<B> | AsyncIterable<B>);

export interface EvaProgress {
  readonly step: number;
  readonly convergedLayers: number;
  readonly totalLayers: number;
  /** Rows each fed layer received this step. */
  readonly rowsPerLayer: Readonly<Record<string, number>>;
}

export interface ComputeEvaOptions {
  /** How ranks are redistributed after every step; default the `explainedVariance` allocator (EVA). */
  readonly allocator?: RankAllocator;
  readonly onProgress?: (progress: EvaProgress) => void;
}

export class EvaError extends Error {
  override readonly name = 'EvaError';
}

interface LayerRun {
  readonly name: string;
  readonly inFeatures: number;
  readonly maxRank: number;
  /** Only representatives (and ungrouped layers) own a PCA and a tracker. */
  pca: IncrementalPCA | null;
  tracker: ConvergenceTracker | null;
  representative: string;
  rank: number;
  fits: number;
  converged: boolean;
}

/**
 * EVA steps 1-4 (EVA-SPEC): captures each target layer's input rows, fits a centred incremental
 * PCA per layer (one per identical-input group), redistributes ranks after every batch, and stops
 * when every layer's allotted components have converged. Returns plain data for {@link applyEva}.
 */
export async function computeEvaState<B extends Batch>(
  model: AnyModule & BatchModel<B>,
  data: EvaData<B>,
  config: EvaConfigInput | EvaConfig = {},
  options: ComputeEvaOptions = {},
): Promise<EvaState> {
  const cfg = parseEvaConfig(config);
  const allocator = options.allocator ?? getRankAllocator('explainedVariance');
  const started = performance.now();
  const runs = new Map<string, LayerRun>();

  const capture = captureLayerInputs(model, {
    ...(cfg.targetModules === null ? {} : { targets: cfg.targetModules instanceof RegExp ? cfg.targetModules : [...cfg.targetModules] }),
    useLabelMask: cfg.useLabelMask,
    labelMaskValue: cfg.labelMaskValue,
    onRows: (layer, rows) => fitRows(layer, rows),
  });

  const limits: Record<string, number> = {};
  for (const layer of capture.layers) {
    const width = layer.inFeatures;
    if (width === null) throw new EvaError(`Layer "${layer.name}" (${layer.module.typeName}) has no known input width; EVA targets Linear layers`);
    limits[layer.name] = width;
  }
  const maxRanks = maxRanksFor(cfg.r, cfg.rho, limits);
  for (const layer of capture.layers) {
    const maxRank = maxRanks[layer.name] as number;
    runs.set(layer.name, {
      name: layer.name,
      inFeatures: limits[layer.name] as number,
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
    const result = pca.partialFit(rows);
    if (result.status === 'too-few-rows') return; // EVA-SPEC step 3: skip this batch for this layer
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
          result = capture.step(batch, () => model.call(batch));
        } finally {
          if (typeof data === 'function') disposeBatch(batch);
        }
        steps++;
        if (!groupsResolved) {
          resolveGroups(capture.groups, runs);
          groupsResolved = true;
        }
        allConverged = updateRanksAndConvergence(runs, allocator, budget, capture);
        options.onProgress?.({
          step: steps,
          convergedLayers: [...runs.values()].filter((r) => r.converged).length,
          totalLayers: runs.size,
          rowsPerLayer: result.rowsPerLayer,
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

  const unconverged = [...runs.values()].filter((r) => !r.converged).map((r) => r.name);
  if (!allConverged && cfg.onMaxSteps === 'error') {
    throw new EvaError(
      `EVA did not converge within maxSteps = ${cfg.maxSteps}: ${unconverged.length} of ${runs.size} layers are unconverged (${unconverged.join(', ')}). ` +
        'Raise maxSteps, lower tau (now ' + String(cfg.tau) + '), or pass onMaxSteps: "use-partial" to use the components as they are.',
    );
  }
  return Object.freeze({
    layers: [...runs.values()].map((run) => layerState(run, runs)),
    config: cfg,
    steps,
    forwardPasses: steps,
    seconds: (performance.now() - started) / 1000,
    converged: allConverged,
    unconvergedLayers: unconverged,
  });
}

async function* iterate<B>(data: EvaData<B & Batch>): AsyncGenerator<B & Batch> {
  if (typeof data === 'function') yield* data();
  else yield* data;
}

/** Group members stop owning a PCA: their representative's stands for them (EVA-SPEC step 1). */
function resolveGroups(groups: readonly { representative: string; members: readonly string[] }[], runs: Map<string, LayerRun>): void {
  for (const group of groups) {
    for (const member of group.members) {
      const run = runs.get(member);
      if (run === undefined || member === group.representative) continue;
      run.representative = group.representative;
      run.pca = null;
      run.tracker = null;
    }
  }
}

function owner(run: LayerRun, runs: Map<string, LayerRun>): LayerRun {
  return runs.get(run.representative) as LayerRun;
}

/** Step 4 then step 3: reallocates ranks, marks converged layers, detaches or re-attaches hooks. */
function updateRanksAndConvergence(runs: Map<string, LayerRun>, allocator: RankAllocator, budget: number, capture: { detach(n: string): void; attach(n: string): void; isAttached(n: string): boolean }): boolean {
  const all = [...runs.values()];
  if (all.some((run) => owner(run, runs).fits === 0)) return false; // not every layer has a spectrum yet
  const spectra: LayerSpectrum[] = all.map((run) => {
    const rep = owner(run, runs);
    const grouped = all.some((other) => other !== rep && other.representative === rep.name);
    return {
      name: run.name,
      explainedVarianceRatio: (rep.pca as IncrementalPCA).explainedVarianceRatio.subarray(0, run.maxRank),
      maxRank: Math.min(run.maxRank, (rep.pca as IncrementalPCA).effectiveComponents),
      ...(grouped ? { group: rep.name, representative: run === rep } : {}),
    };
  });
  const ranks = allocator.allocate(spectra, budget);
  for (const run of all) run.rank = ranks[run.name] ?? 0;
  let allConverged = true;
  for (const run of all) {
    const rep = owner(run, runs);
    // The representative holds the group's largest rank, so its prefix covers every member's.
    run.converged = (rep.tracker as ConvergenceTracker).isConverged(Math.max(rep.rank, run.rank));
    allConverged &&= run.converged;
  }
  for (const run of all) {
    if (run.representative !== run.name) continue;
    if (run.converged && capture.isAttached(run.name)) capture.detach(run.name);
    else if (!run.converged && !capture.isAttached(run.name)) capture.attach(run.name);
  }
  return allConverged;
}

function assertEveryLayerFitted(runs: Map<string, LayerRun>, steps: number): void {
  const starved = [...runs.values()].filter((run) => run.representative === run.name && run.fits === 0);
  if (starved.length === 0) return;
  const detail = starved.map((run) => `"${run.name}" needs at least ${run.maxRank} rows (r*rho)`).join('; ');
  throw new EvaError(
    `After a full pass over the data (${steps} batches) ${starved.length} layer(s) never received enough rows for one fit: ${detail}. ` +
      'Every batch kept fewer token rows than that; use a larger batch or longer sequences, or set useLabelMask: false.',
  );
}

function layerState(run: LayerRun, runs: Map<string, LayerRun>): EvaLayerState {
  const rep = owner(run, runs);
  const pca = rep.pca as IncrementalPCA;
  const k = pca.effectiveComponents;
  return Object.freeze({
    name: run.name,
    inFeatures: run.inFeatures,
    components: k,
    componentsData: pca.components, // a fresh copy per call: members never alias
    singularValues: pca.singularValues,
    explainedVarianceRatio: pca.explainedVarianceRatio,
    rank: Math.min(run.rank, k),
    group: rep === run && ![...runs.values()].some((o) => o !== run && o.representative === run.name) ? null : rep.name,
    converged: run.converged,
  });
}
