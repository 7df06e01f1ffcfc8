import { aggregateCompare, type CompareSummary } from './aggregate-compare';
import type { CompareMethod } from './compare-method';
import type { CompareRun, CompareRunKey } from './compare-run';
import type { CompareTask, CompareTaskHooks } from './compare-task';
import { RunStore } from './run-store';

/** Options of {@link runCompare}: the grid (methods x learning rates x seeds) and where results go. */
export interface RunCompareOptions {
  /** The task every run fine-tunes on. */
  readonly task: CompareTask;
  /** Methods to compare, from {@link parseCompareMethod}. */
  readonly methods: readonly CompareMethod[];
  /** Seeds; every method runs on each. */
  readonly seeds: readonly number[];
  /** Learning rates to try for every method; each method keeps its best on the validation split. */
  readonly learningRates: readonly number[];
  /** Label of the baseline method (the paired comparison is `method - baseline`). */
  readonly baseline: string;
  /** Use the task's quick settings; stored with the runs, so quick and full runs never mix. */
  readonly quick: boolean;
  /** Results go to `outDir/runs/*.json` (as each run ends). */
  readonly outDir: string;
  /** Metric value for "steps to target"; default: the baseline's mean final value. */
  readonly target?: number;
}

/** Progress callbacks of {@link runCompare}: the task's hooks plus one before and one after each run. */
export interface RunCompareHooks extends CompareTaskHooks {
  /** Before a run that is not stored yet; `index` counts from 0 over all runs of the grid. */
  readonly onRunStart?: (key: CompareRunKey, index: number, total: number) => void;
  /** After a run was stored; a throw here stops the comparison (tests use it to simulate a kill). */
  readonly onRunStored?: (run: CompareRun, executed: number) => void | Promise<void>;
}

/** What {@link runCompare} returns. */
export interface CompareOutcome {
  /** Every run of the grid, executed now or read back from `outDir`, in grid order. */
  readonly runs: readonly CompareRun[];
  /** {@link aggregateCompare} over `runs`. */
  readonly summary: CompareSummary;
  /** Runs executed now, and runs taken from an earlier, interrupted invocation. */
  readonly executed: number;
  /** Runs read back from `outDir` instead of executed. */
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
