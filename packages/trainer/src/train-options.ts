import type * as tf from '@tensorflow/tfjs-core';
import type { AnyModule, Rng } from '@peftjs/core';
import type { DataSource } from './data-source';
import type { Metric } from './metric';
import type { NamedParameter, Optimizer } from './optimizer';
import type { Schedule } from './schedule';
import type { ScoredLoss } from './scored-loss';
import type { EvalRecord, StepRecord } from './trainer-state';
import type { TrainerStorage } from './trainer-storage';

/** What the loss function gets besides the model and the batch. */
export interface LossContext {
  /** Optimizer steps done so far (the step being computed is `step + 1`). */
  readonly step: number;
  /** The epoch being read (0-based). */
  readonly epoch: number;
  /** The trainer's seeded generator (checkpointed); use it for any randomness in the loss. In evaluation, a fresh generator. */
  readonly rng: Rng;
  /** False during evaluation. */
  readonly training: boolean;
}

/**
 * The loss of one batch: a scalar mean, or `{ loss, count }` saying how many predictions (scored
 * tokens, rows) that mean is over. With a count, every reduction over batches (the accumulation
 * window, the logged loss, evaluation, perplexity) weights a batch by it; a bare scalar weighs the
 * batch's rows. Called inside `tf.variableGrads`; intermediate tensors are freed for you.
 */
export type LossFunction<M, B> = (model: M, batch: B, context: LossContext) => tf.Tensor | ScoredLoss;

/** Step progress, for progress bars and loggers. */
export interface StepInfo extends StepRecord {
  /** Steps the run will make, when known (`maxSteps`, or `epochs` with `data.batchesPerEpoch`). */
  readonly totalSteps: number | null;
  /** Seconds spent in training steps in this process (evaluation and checkpoints excluded). */
  readonly elapsedSeconds: number;
  /** Tokens (or rows) per second over this process's training steps. */
  readonly tokensPerSecond: number;
  /** Estimated seconds of training left, when `totalSteps` is known. */
  readonly etaSeconds: number | null;
}

/** What {@link TrainCallbacks.onCheckpoint} receives. */
export interface CheckpointInfo {
  /** Optimizer steps done when it was written. */
  readonly step: number;
  /** The checkpoint directory (`<dir>/step-NNNNNN`). */
  readonly path: string;
}

/** Hooks called by the trainer; they may be async (the trainer awaits them). */
export interface TrainCallbacks {
  /** Before the first step: the step the run starts from (non-zero after a resume) and the planned total. */
  onStart?(info: {
    readonly step: number;
    readonly totalSteps: number | null;
    readonly resumedFrom: string | null;
  }): void | Promise<void>;
  /** After every optimizer step. */
  onStep?(info: StepInfo): void | Promise<void>;
  /** After every evaluation. */
  onEval?(info: EvalRecord): void | Promise<void>;
  /** After a checkpoint is written completely. */
  onCheckpoint?(info: CheckpointInfo): void | Promise<void>;
  /** Once, with what `train` is about to return. */
  onEnd?(result: TrainResult): void | Promise<void>;
}

/** When and on what {@link train} evaluates. */
export interface EvaluationOptions<M, B> {
  /** Held-out batches; read in full at each evaluation as `data.batches(0, 0, rng)`. */
  data: DataSource<B>;
  /** Evaluate after every `every` optimizer steps. */
  every: number;
  /** Default `[lossMetric(), perplexityMetric()]`. */
  metrics?: readonly Metric<B, M>[];
  /** A batch's weight in averaged metrics (default: the count its loss reports, else its number of rows). */
  batchWeight?: (batch: B) => number;
  /** Also evaluate before the first step, logged at step 0 (default false). */
  atStart?: boolean;
  /** Also evaluate when training ends, if the last step was not evaluated (default true). */
  atEnd?: boolean;
}

/** Where and how often {@link train} writes checkpoints. */
export interface CheckpointOptions {
  /** Root directory; checkpoints go to `<dir>/step-NNNNNN/`. */
  dir: string;
  /** Write a checkpoint after every `every` optimizer steps. */
  every: number;
  /** Keep only the newest `keepLast` complete checkpoints (default 3). */
  keepLast?: number;
  /** Also write one when training ends or is aborted, if the last step has none (default true). */
  atEnd?: boolean;
}

/** Options of {@link train}. */
export interface TrainOptions<M extends AnyModule, B extends object> {
  /** The model; its trainable parameters are updated in place. */
  model: M;
  /** Training batches; see {@link DataSource} for the contract that makes resume exact. */
  data: DataSource<B>;
  /** Default: `model.loss(batch)` when the model has a `loss` method (core's `BatchModel`). */
  loss?: LossFunction<M, B>;
  /** Parameters to train, with checkpoint names (default `model.trainableParameters()`); all must be trainable. */
  parameters?: readonly NamedParameter[];
  /** Default `new AdamW()`. Its state is freed when `train` returns (it is in the checkpoints). */
  optimizer?: Optimizer;
  /** Default `constantSchedule()`. */
  schedule?: Schedule;
  /** Stop after this many optimizer steps (counted from the run's start, across resumes). */
  maxSteps?: number;
  /** Stop after this many passes over `data`. At least one of `maxSteps`, `epochs` is required. */
  epochs?: number;
  /**
   * Micro-batches per optimizer step (default 1). The step's gradient and logged loss are the mean
   * over every prediction the window scores: micro-batch `i` weighs `count_i / sum(count)`, so the
   * update equals that of one batch holding the whole window.
   */
  gradientAccumulationSteps?: number;
  /** Clip the global gradient L2 norm to this (as `torch.nn.utils.clip_grad_norm_`); default null (off). */
  maxGradNorm?: number | null;
  /** Seeds data order (`Rng.derive(seed, "data/epoch-<e>")`) and the trainer's generator (default 0). */
  seed?: number | string;
  /** Periodic evaluation on held-out data (default none). */
  evaluation?: EvaluationOptions<M, B>;
  /** Write checkpoints (needs `storage`). */
  checkpoint?: CheckpointOptions;
  /** A checkpoint directory, or a checkpoint root (its newest complete checkpoint is used); needs `storage`. */
  resume?: string;
  /** Path of a JSONL metrics log (rewritten on a fresh run, trimmed to the resumed step on resume); needs `storage`. */
  metricsLog?: string;
  /**
   * Where `checkpoint`, `resume` and `metricsLog` read and write: `fileStorage` from
   * `@peftjs/trainer/node` on Node, or any {@link TrainerStorage}. Required when one of them is set
   * (else a `PeftjsError` `E_TRAINER_STORAGE`); unused otherwise.
   */
  storage?: TrainerStorage;
  /** Progress hooks, called in order (for example `progressBar(process.stderr)`). */
  callbacks?: TrainCallbacks | readonly TrainCallbacks[];
  /** Tokens in a batch, for tokens/s (default: `inputIds.size`, else the rows of `inputs`, else 0). */
  countTokens?: (batch: B) => number;
  /** When aborted, training stops after the current step (writing a final checkpoint if configured). */
  signal?: AbortSignal;
}

/** What {@link train} returns. */
export interface TrainResult {
  /** Optimizer steps done (across resumes). */
  readonly step: number;
  /** The epoch being read when training stopped (0-based). */
  readonly epoch: number;
  /** The whole loss log, including steps before a resume. */
  readonly history: readonly StepRecord[];
  /** Every evaluation, including those before a resume. */
  readonly evals: readonly EvalRecord[];
  /** Path of the last checkpoint written, or null. */
  readonly lastCheckpoint: string | null;
  /** The checkpoint the run resumed from, or null for a fresh run. */
  readonly resumedFrom: string | null;
  /** True when `signal` stopped the run before `maxSteps`/`epochs`. */
  readonly stoppedEarly: boolean;
}
