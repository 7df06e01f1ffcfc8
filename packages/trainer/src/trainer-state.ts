import type { RngState } from '@peftjs/core';

/** One optimizer step in the loss log (and in the JSONL metrics log, with `type: "step"`). */
export interface StepRecord {
  /** Optimizer steps done, 1-based. */
  readonly step: number;
  /** The epoch the step's batches came from (0-based). */
  readonly epoch: number;
  /** Mean loss over every prediction the step's micro-batches scored (0 when they scored none). */
  readonly loss: number;
  /** The (scheduled) learning rate this step used. */
  readonly learningRate: number;
  /** Global gradient L2 norm before clipping. */
  readonly gradNorm: number;
  /** Tokens (or rows) in this step's micro-batches. */
  readonly tokens: number;
  /** Predictions the step's loss and gradient averaged over (scored tokens, or rows). */
  readonly scored: number;
}

/** One evaluation in the log (`type: "eval"` in the JSONL metrics log). */
export interface EvalRecord {
  /** Optimizer steps done when it ran (0 for the evaluation before training). */
  readonly step: number;
  /** The epoch being read then (0-based). */
  readonly epoch: number;
  /** Each metric's result by its name. */
  readonly metrics: Readonly<Record<string, number>>;
}

/** `trainer_state.json`: everything besides tensors that an exact resume needs. */
export interface TrainerState {
  /** Always `'peftjs-trainer-state'`. */
  readonly format: 'peftjs-trainer-state';
  /** Format version; this build reads and writes 1. */
  readonly version: 1;
  /** Optimizer steps done. */
  readonly step: number;
  /** The epoch being read (0-based). */
  readonly epoch: number;
  /** Micro-batches of `epoch` already consumed: resume asks the data for `batches(epoch, batchInEpoch, rng)`. */
  readonly batchInEpoch: number;
  /** Micro-batches consumed since the start of the run. */
  readonly microBatches: number;
  /** Tokens (or rows) trained on since the start of the run. */
  readonly tokens: number;
  /** The run's `seed` option. */
  readonly seed: number | string;
  /** The schedule (a pure function of the step) and the multiplier the next step will use. */
  readonly schedule: {
    /** The schedule's `kind`. */
    readonly kind: string;
    /** Its parameters. */
    readonly config: Readonly<Record<string, number>>;
    /** `multiplier(step)`: the factor of the next update. */
    readonly nextMultiplier: number;
  };
  /** The optimizer's `kind` and hyper-parameters (its tensors are in `optimizer.safetensors`). */
  readonly optimizer: {
    /** The optimizer's `kind`. */
    readonly kind: string;
    /** Its `config`. */
    readonly config: Readonly<Record<string, number | boolean>>;
  };
  /** The trainer's own generator (passed to the loss function as `context.rng`). */
  readonly rng: RngState;
  /** Every `Rng` found on a module of the model (Dropout layers, ...), by module path. */
  readonly moduleRngs: Readonly<Record<string, RngState>>;
  /** Names of the trained parameters, in order. */
  readonly parameters: readonly string[];
  /** Every step so far. */
  readonly history: readonly StepRecord[];
  /** Every evaluation so far. */
  readonly evals: readonly EvalRecord[];
  /** Byte sizes of the checkpoint's tensor files, checked when the checkpoint is read. */
  readonly files: Readonly<Record<string, number>>;
}
