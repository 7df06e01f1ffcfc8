import { aggregateCompare, type CompareSummary } from './aggregate-compare';
import type { CompareMethod } from './compare-method';
import type { CompareRun, CompareRunKey } from './compare-run';
import type { CompareTask, CompareTaskHooks } from './compare-task';
import { RunStore } from './run-store';

export interface RunCompareOptions {
  readonly task: CompareTask;
  readonly methods: readonly CompareMethod[];
  readonly seeds: readonly number[];
  /** Learning rates to try for every method; each method keeps its best on the validation split. */
  readonly learningRates: readonly number[];
  /** Label of the baseline method (the paired comparison is `method - baseline`). */
  readonly baseline: string;
  readonly quick: boolean;
  /** Results go to `outDir/runs/*.json` (as each run ends). */
  readonly outDir: string;
  readonly target?: number;
}

export interface RunCompareHooks extends CompareTaskHooks {
  /** Before a run that is not stored yet; `index` counts from 0 over all runs of the grid. */
  readonly onRunStart?: (key: CompareRunKey, index: number, total: number) => void;
  /** After a run was stored; a throw here stops the comparison (tests use it to simulate a kill). */
  readonly onRunStored?: (run: CompareRun, executed: number) => void | Promise<void>;
}

export interface CompareOutcome {
  readonly runs: readonly CompareRun[];
  readonly summary: CompareSummary;
  /** Runs executed now, and runs taken from an earlier, interrupted invocation. */
  readonly executed: number;
  readonly resumed: number;
}

/**
 * Runs every (method, learning rate, seed) of the grid that `outDir` does not hold yet, storing each
 * as it ends, then aggregates all of them. Re-running after a kill continues where it stopped and
 * gives the same summary as an uninterrupted run. Order: seed-major, so an early stop still has
 * every method on the first seeds.
 */
export async function runCompare(options: RunCompareOptions, hooks: RunCompareHooks = {}): Promise<CompareOutcome> {
  const store = await RunStore.open(options.outDir, {
    task: options.task.name,
    quick: options.quick,
    settings: options.task.settings(options.quick),
  });
  const grid = options.seeds.flatMap((seed) =>
    options.methods.flatMap((method) => options.learningRates.map((learningRate) => ({ method, learningRate, seed }))),
  );
  const runs: CompareRun[] = [];
  let executed = 0;
  let resumed = 0;
  for (const [index, { method, learningRate, seed }] of grid.entries()) {
    const key = { method: method.label, learningRate, seed };
    const stored = store.get(key);
    if (stored !== undefined) {
      runs.push(stored);
      resumed++;
      continue;
    }
    hooks.onRunStart?.(key, index, grid.length);
    const run = await options.task.run({ method, learningRate, seed, quick: options.quick }, hooks);
    await store.put(run);
    runs.push(run);
    executed++;
    await hooks.onRunStored?.(run, executed);
  }
  const summary = aggregateCompare(runs, {
    methods: options.methods.map((m) => m.label),
    baseline: options.baseline,
    metric: options.task.metric,
    ...(options.task.secondaryMetrics === undefined ? {} : { secondaryMetrics: options.task.secondaryMetrics }),
    ...(options.target === undefined ? {} : { target: options.target }),
  });
  return { runs, summary, executed, resumed };
}
