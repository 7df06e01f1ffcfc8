import { NonFiniteError, PeftjsError } from '@peftjs/core';

/**
 * Training stopped because the loss or the gradient norm was NaN or infinite at `step`.
 * No update was applied for that step; the last checkpoint written (if any) is `lastCheckpoint`
 * and stays intact, so the run can be resumed from it (for example with a lower learning rate).
 * A `PeftjsError` with code `E_NON_FINITE_LOSS`, and a core `NonFiniteError` whose `subject` is `step N`.
 */
export class NonFiniteLossError extends NonFiniteError {
  /** Always `'NonFiniteLossError'`. */
  override readonly name = 'NonFiniteLossError';

  constructor(
    /** The optimizer step (1-based) whose update was refused. */
    readonly step: number,
    /** Whether the loss itself or the global gradient norm was not finite. */
    readonly quantity: 'loss' | 'gradient norm',
    /** The non-finite value: `NaN`, `Infinity` or `-Infinity`. */
    readonly value: number,
    /** Path of the last checkpoint written, or null when none was. */
    readonly lastCheckpoint: string | null,
  ) {
    super(
      `step ${step}`,
      `Non-finite ${quantity} (${value}) at step ${step}; the update was not applied. ` +
        (lastCheckpoint === null
          ? 'No checkpoint was written yet. '
          : `The last good checkpoint is ${lastCheckpoint}; resume from it with a lower learning rate or gradient clipping. `) +
        'Check the learning rate, the data of this step, and the loss for log(0) or division by zero.',
      'E_NON_FINITE_LOSS',
    );
  }
}

/** A checkpoint could not be found, read or matched to the model (missing file, wrong names or shapes; code `E_CHECKPOINT`). */
export class CheckpointError extends PeftjsError {
  /** Always `'CheckpointError'`. */
  override readonly name = 'CheckpointError';
  /** @param message - which checkpoint file was wrong and what to do. */
  constructor(message: string) {
    super('E_CHECKPOINT', message);
  }
}
