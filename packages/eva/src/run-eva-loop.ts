import { disposeBatch, type Batch } from '@peftjs/core';
import type { RankAllocator } from '@peftjs/rank-allocator';
import type { EvaConfig } from './eva-config';
import type { EvaState } from './eva-state';
import {
  assertEveryLayerFitted,
  EvaError,
  finishState,
  iterate,
  resolveGroups,
  updateRanksAndConvergence,
  type EvaData,
  type Feeder,
  type LayerRun,
} from './eva-loop';
import type { PhaseClock, EvaPhaseTimes } from './phase-clock';

/** What one round of a {@link RowSource} reports back to the loop. */
export interface RoundResult {
  /** Batches (forward passes) in the round. */
  readonly batches: number;
  /** Identical-input groups among the target layers (known after the first forward pass). */
  readonly groups: readonly { readonly representative: string; readonly members: readonly string[] }[];
  /** Rows each fed layer received (of the round's first batch). */
  readonly rowsPerLayer: Readonly<Record<string, number>>;
}

/**
 * Where EVA's rows come from: forward passes in this thread, or in worker threads. The loop is the
 * same for both; a source only turns batches into fitted decomposers (`LayerRun.pca`, `.tracker`,
 * `.fits`) and attaches or detaches layers as the loop decides.
 */
export interface RowSource<B extends Batch> extends Feeder {
  /** Batches per round: 1 in this thread, one per worker with workers. */
  readonly roundSize: number;
  /** Takes one batch of the current round; a batch from a factory is disposed as soon as this returns. */
  add(batch: B): void;
  /** Completes the round: every added batch has been fitted into the runs when this resolves. */
  flush(): Promise<RoundResult>;
  /** Releases hooks or threads; called once, also after an error. */
  close(): Promise<void>;
}

/** Progress after every round. */
export interface EvaLoopProgress {
  readonly step: number;
  readonly convergedLayers: number;
  readonly totalLayers: number;
  readonly rowsPerLayer: Readonly<Record<string, number>>;
  readonly phases: EvaPhaseTimes;
}

/**
 * EVA-SPEC steps 3 and 4, once for every row source: feeds rounds of batches (replaying the data
 * when it runs out), resolves identical-input groups after the first round, reallocates ranks and
 * checks convergence after every round, and stops when all layers converged or `maxSteps` batches
 * were used.
 */
export async function runEvaLoop<B extends Batch>(
  data: EvaData<B>,
  runs: Map<string, LayerRun>,
  cfg: EvaConfig,
  source: RowSource<B>,
  context: {
    allocator: RankAllocator;
    clock: PhaseClock;
    startedMs: number;
    onProgress?: ((progress: EvaLoopProgress) => void) | undefined;
  },
): Promise<EvaState> {
  const { allocator, clock } = context;
  const budget = cfg.r * runs.size;
  let steps = 0;
  let groupsResolved = false;
  let allConverged = false;
  let pending = 0;
  const finishRound = async (): Promise<boolean> => {
    const round = await source.flush();
    pending = 0;
    steps += round.batches;
    if (!groupsResolved) {
      resolveGroups(round.groups, runs);
      groupsResolved = true;
    }
    allConverged = clock.measure('allocation', () => updateRanksAndConvergence(runs, allocator, budget, source));
    context.onProgress?.({
      step: steps,
      convergedLayers: [...runs.values()].filter((r) => r.converged).length,
      totalLayers: runs.size,
      rowsPerLayer: round.rowsPerLayer,
      phases: clock.snapshot(),
    });
    return allConverged || steps >= cfg.maxSteps;
  };
  try {
    outer: for (let epoch = 0; ; epoch++) {
      let batchesThisEpoch = 0;
      for await (const batch of iterate(data)) {
        batchesThisEpoch++;
        try {
          source.add(batch);
        } finally {
          if (typeof data === 'function') disposeBatch(batch);
        }
        pending++;
        if (pending === source.roundSize || steps + pending >= cfg.maxSteps) {
          if (await finishRound()) break outer;
        }
      }
      if (pending > 0 && (await finishRound())) break;
      if (batchesThisEpoch === 0) {
        throw new EvaError(
          epoch === 0
            ? 'EVA received no data: the batch source is empty'
            : 'EVA ran out of data: the batch factory returned no batches when called again',
        );
      }
      if (epoch === 0) assertEveryLayerFitted(runs, steps);
    }
  } finally {
    await source.close();
  }
  return finishState(runs, cfg, { steps, allConverged, startedMs: context.startedMs, phases: clock.snapshot() });
}
