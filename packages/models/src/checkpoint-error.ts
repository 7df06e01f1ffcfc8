import { PeftjsError } from '@peftjs/core';

/** Raised for weights that are missing, misshapen or of an unusable dtype (code `E_CHECKPOINT`). */
export class CheckpointError extends PeftjsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_CHECKPOINT', message, options);
    this.name = 'CheckpointError';
  }
}
