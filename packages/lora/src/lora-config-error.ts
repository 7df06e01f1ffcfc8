import { PeftjsError } from '@peftjs/core';

/**
 * A LoRA config that cannot be honoured: a bad value, an unknown field, or a pattern key or target
 * name that selects no layer of the model (code `E_LORA_CONFIG`). `field` names the config field.
 */
export class LoraConfigError extends PeftjsError {
  constructor(
    /** The config field at fault, e.g. `rankPattern`. */
    readonly field: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('E_LORA_CONFIG', message, options);
    this.name = 'LoraConfigError';
  }
}
