import type { EvaProgress } from '@peftjs/eva';
import type { TrainCallbacks } from '@peftjs/trainer';
import type { CompareMethod } from './compare-method';
import type { CompareMetric, CompareRun } from './compare-run';

/** What one run of a task is asked to do. */
export interface CompareRunSpec {
  readonly method: CompareMethod;
  readonly learningRate: number;
  readonly seed: number;
  readonly quick: boolean;
}

/** Progress reporting a task passes on to the trainer and EVA (the CLI prints; tasks never do). */
export interface CompareTaskHooks {
  readonly trainCallbacks?: () => TrainCallbacks;
  readonly onEvaProgress?: (progress: EvaProgress) => void;
}

/**
 * A task `peftjs compare` can run (`--task NAME`): a pretrained model, its fine-tuning data and a
 * validation metric. Every run of a comparison uses the same rank `r` (the same trainable-parameter
 * budget; EVA redistributes it), and runs with the same seed see the same batches.
 */
export interface CompareTask {
  readonly name: string;
  readonly description: string;
  readonly metric: CompareMetric;
  /**
   * Further metrics each run reports in its `secondaryCurves` (by `name`): summarised and tabled
   * beside `metric`, never used to pick a learning rate or a target. Optional.
   */
  readonly secondaryMetrics?: readonly CompareMetric[];
  /** Learning rate used when `--lr` is not given. */
  defaultLearningRate(quick: boolean): number;
  /** Everything besides (method, lr, seed) that changes the numbers: stored with the runs to refuse mixing. */
  settings(quick: boolean): Readonly<Record<string, unknown>>;
  /** Fine-tunes once and returns the run (curve on the validation split, times, trainable count). */
  run(spec: CompareRunSpec, hooks: CompareTaskHooks): Promise<CompareRun>;
}
