import type { RngState } from '@peftjs/core';

/** One optimizer step in the loss log (and in the JSONL metrics log, with `type: "step"`). */
export interface StepRecord {
  /** Optimizer steps done, 1-based. */
  readonly step: number;
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
  readonly step: number;
  readonly epoch: number;
  readonly metrics: Readonly<Record<string, number>>;
}

/** `trainer_state.json`: everything besides tensors that an exact resume needs. */
export interface TrainerState {
  readonly format: 'peftjs-trainer-state';
  readonly version: 1;
  /** Optimizer steps done. */
  readonly step: number;
  /** The epoch being read (0-based). */
  readonly epoch: number;
  /** Micro-batches of `epoch` already consumed: resume asks the data for `batches(epoch, batchInEpoch, rng)`. */
  readonly batchInEpoch: number;
  /** Micro-batches consumed since the start of the run. */
  readonly microBatches: number;
  readonly tokens: number;
  readonly seed: number | string;
  /** The schedule (a pure function of the step) and the multiplier the next step will use. */
  readonly schedule: {
    readonly kind: string;
    readonly config: Readonly<Record<string, number>>;
    readonly nextMultiplier: number;
  };
  readonly optimizer: { readonly kind: string; readonly config: Readonly<Record<string, number | boolean>> };
  /** The trainer's own generator (passed to the loss function as `context.rng`). */
  readonly rng: RngState;
  /** Every `Rng` found on a module of the model (Dropout layers, ...), by module path. */
  readonly moduleRngs: Readonly<Record<string, RngState>>;
  /** Names of the trained parameters, in order. */
  readonly parameters: readonly string[];
  readonly history: readonly StepRecord[];
  readonly evals: readonly EvalRecord[];
  /** Byte sizes of the checkpoint's tensor files, checked when the checkpoint is read. */
  readonly files: Readonly<Record<string, number>>;
}
