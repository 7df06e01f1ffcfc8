import type { EvaProgress } from '@peftjs/eva';
import type { TrainCallbacks } from '@peftjs/trainer';
import type { CompareMethod } from './compare-method';
import type { CompareMetric, CompareRun } from './compare-run';

/** What one run of a task is asked to do. */
export interface CompareRunSpec {
  /** The method to fine-tune with. */
  readonly method: CompareMethod;
  /** Peak learning rate. */
  readonly learningRate: number;
  /** Seed of the initialisation and the batch order. */
  readonly seed: number;
  /** Use the task's quick (demo-sized) settings (`--quick`). */
  readonly quick: boolean;
}

/** Progress reporting a task passes on to the trainer and EVA (the CLI prints; tasks never do). */
export interface CompareTaskHooks {
  /** Called once per run for that run's trainer callbacks (progress bars keep per-run state). */
  readonly trainCallbacks?: () => TrainCallbacks;
  /** Receives EVA's progress during an EVA method's initialisation. */
  readonly onEvaProgress?: (progress: EvaProgress) => void;
}

/**
 * A task `peftjs compare` can run (`--task NAME`): a pretrained model, its fine-tuning data and a
 * validation metric. Every run of a comparison uses the same rank `r` (the same trainable-parameter
 * budget; EVA redistributes it), and runs with the same seed see the same batches.
 */
export interface CompareTask {
  /** The `--task` value, e.g. `text` or `images`. */
  readonly name: string;
  /** One line: what is fine-tuned on what, e.g. `image classification: MLP (MNIST) -> Fashion-MNIST`. */
  readonly description: string;
  /** The validation metric every run records. */
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
