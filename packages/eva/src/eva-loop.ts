import { PeftjsError, type Batch } from '@peftjs/core';
import type { LayerSpectrum, RankAllocator } from '@peftjs/rank-allocator';
import type { ConvergenceTracker, StreamingDecomposer } from '@peftjs/streaming-svd';
import type { EvaConfig } from './eva-config';
import type { EvaLayerState, EvaState } from './eva-state';
import type { EvaPhaseTimes } from './phase-clock';

/*
 * EVA's loop state (EVA-SPEC steps 3 and 4), kept by the one loop in `run-eva-loop.ts` whichever
 * row source feeds it: one `LayerRun` per target layer, updated after each round.
 */

/**
 * Where EVA's batches come from. An array is the caller's (never disposed, replayed as is);
 * a factory is called again whenever its batches run out (EVA replays data, as PEFT does), and
 * every batch it yields is disposed after use.
 */
export type EvaData<B extends Batch = Batch> = readonly B[] | (() => Iterable<B> | AsyncIterable<B>);

/** EVA could not finish on the data given (code `E_EVA`): too few rows, `maxSteps` reached, a state that does not fit the model. */
export class EvaError extends PeftjsError {
  /** Always `'EvaError'`. */
  override readonly name = 'EvaError';
  /** @param message - what stopped EVA and what to change. */
  constructor(message: string) {
    super('E_EVA', message);
  }
}

export interface LayerRun {
  readonly name: string;
  readonly inFeatures: number;
  readonly maxRank: number;
  /** Only representatives (and ungrouped layers) own a decomposer and a tracker. */
  pca: StreamingDecomposer | null;
  tracker: ConvergenceTracker | null;
  representative: string;
  rank: number;
  fits: number;
  converged: boolean;
}

/** What the loop needs of a row source: which representatives are fed. */
export interface Feeder {
  detach(layer: string): void;
  attach(layer: string): void;
  isAttached(layer: string): boolean;
}

export async function* iterate<B>(data: EvaData<B & Batch>): AsyncGenerator<B & Batch> {
  if (typeof data === 'function') yield* data();
  else yield* data;
}

/** A fresh run per target layer; `maxRank` is `roundHalfEven(r * rho)` capped by the layer's limit. */
export function createLayerRuns(
  layers: readonly { readonly name: string; readonly inFeatures: number }[],
  maxRanks: Readonly<Record<string, number>>,
  cfg: EvaConfig,
  createTracker: () => ConvergenceTracker,
  createDecomposer: ((nComponents: number) => StreamingDecomposer) | null,
): Map<string, LayerRun> {
  const runs = new Map<string, LayerRun>();
  for (const layer of layers) {
    const maxRank = maxRanks[layer.name] as number;
    runs.set(layer.name, {
      name: layer.name,
      inFeatures: layer.inFeatures,
      maxRank,
      pca: createDecomposer === null ? null : createDecomposer(maxRank),
      tracker: createTracker(),
      representative: layer.name,
      rank: cfg.r,
      fits: 0,
      converged: false,
    });
  }
  return runs;
}

/** Group members stop owning a PCA: their representative's stands for them (EVA-SPEC step 1). */
export function resolveGroups(
  groups: readonly { representative: string; members: readonly string[] }[],
  runs: Map<string, LayerRun>,
): void {
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
export function updateRanksAndConvergence(
  runs: Map<string, LayerRun>,
  allocator: RankAllocator,
  budget: number,
  capture: Feeder,
): boolean {
  const all = [...runs.values()];
  if (all.some((run) => owner(run, runs).fits === 0)) return false; // not every layer has a spectrum yet
  const spectra: LayerSpectrum[] = all.map((run) => {
    const rep = owner(run, runs);
    const grouped = all.some((other) => other !== rep && other.representative === rep.name);
    return {
      name: run.name,
      explainedVarianceRatio: (rep.pca as StreamingDecomposer).explainedVarianceRatio.subarray(0, run.maxRank),
      maxRank: Math.min(run.maxRank, (rep.pca as StreamingDecomposer).effectiveComponents),
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

export function assertEveryLayerFitted(runs: Map<string, LayerRun>, steps: number): void {
  const starved = [...runs.values()].filter((run) => run.representative === run.name && run.fits === 0);
  if (starved.length === 0) return;
  const detail = starved.map((run) => `"${run.name}" needs at least ${run.maxRank} rows (r*rho)`).join('; ');
  throw new EvaError(
    `After a full pass over the data (${steps} batches) ${starved.length} layer(s) never received enough rows for one fit: ${detail}. ` +
      'Every batch kept fewer token rows than that; use a larger batch or longer sequences, or set useLabelMask: false.',
  );
}

/**
 * One layer's part of the state. At most `maxRank` (`roundHalfEven(r * rho)`, capped) components are
 * kept, whatever the decomposer holds (worker shards keep more, to merge accurately).
 */
function layerState(run: LayerRun, runs: Map<string, LayerRun>): EvaLayerState {
  const rep = owner(run, runs);
  const pca = rep.pca as StreamingDecomposer;
  const k = Math.min(pca.effectiveComponents, rep.maxRank);
  const d = pca.nFeatures;
  const whole = k === pca.effectiveComponents;
  return Object.freeze({
    name: run.name,
    inFeatures: run.inFeatures,
    components: k,
    // `components` is a fresh copy per call: members never alias.
    componentsData: whole ? pca.components : pca.components.slice(0, k * d),
    singularValues: whole ? pca.singularValues : pca.singularValues.slice(0, k),
    explainedVarianceRatio: whole ? pca.explainedVarianceRatio : pca.explainedVarianceRatio.slice(0, k),
    rank: Math.min(run.rank, k),
    group: rep === run && ![...runs.values()].some((o) => o !== run && o.representative === run.name) ? null : rep.name,
    converged: run.converged,
  });
}

/** The state at the end of the loop; with `onMaxSteps: 'error'`, unconverged layers are an error. */
export function finishState(
  runs: Map<string, LayerRun>,
  cfg: EvaConfig,
  run: { steps: number; allConverged: boolean; startedMs: number; phases: EvaPhaseTimes },
): EvaState {
  const unconverged = [...runs.values()].filter((r) => !r.converged).map((r) => r.name);
  if (!run.allConverged && cfg.onMaxSteps === 'error') {
    throw new EvaError(
      `EVA did not converge within maxSteps = ${cfg.maxSteps}: ${unconverged.length} of ${runs.size} layers are unconverged (${unconverged.join(', ')}). ` +
        `Raise maxSteps, lower tau (now ${cfg.tau}), or pass onMaxSteps: "use-partial" to use the components as they are.`,
    );
  }
  return Object.freeze({
    layers: [...runs.values()].map((r) => layerState(r, runs)),
    config: cfg,
    steps: run.steps,
    forwardPasses: run.steps,
    seconds: (performance.now() - run.startedMs) / 1000,
    phases: run.phases,
    converged: run.allConverged,
    unconvergedLayers: unconverged,
  });
}
