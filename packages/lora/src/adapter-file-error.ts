import { PeftjsError } from '@peftjs/core';

/**
 * A PEFT adapter (`adapter_config.json` + `adapter_model.safetensors`) that cannot be loaded as
 * written (code `E_ADAPTER_FILE`): a field of the wrong type, a field that changes the numbers but
 * is not implemented here, or a tensor that is missing, misshapen, non-finite or unused. `field`
 * names the `adapter_config.json` field or the tensor.
 */
export class AdapterFileError extends PeftjsError {
  constructor(
    /** The `adapter_config.json` field (e.g. `lora_bias`) or tensor name at fault. */
    readonly field: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('E_ADAPTER_FILE', message, options);
    this.name = 'AdapterFileError';
  }
}
