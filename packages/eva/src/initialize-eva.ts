import type { AnyModule } from '@peftjs/core';
import type { LoraHandle } from '@peftjs/lora';
import { applyEva, type EvaLoraOptions } from './apply-eva';
import { computeEvaState, type ComputeEvaOptions, type EvaData } from './compute-eva-state';
import type { EvaConfig, EvaConfigInput } from './eva-config';
import type { EvaState } from './eva-state';

/**
 * `computeEvaState` then `applyEva` in one call (PEFT's `initialize_lora_eva_weights`). Keep the
 * returned state (`saveEvaState`) to initialise again without recomputing it.
 */
export async function initializeEva(
  model: AnyModule,
  data: EvaData,
  config: EvaConfigInput | EvaConfig = {},
  lora: EvaLoraOptions = {},
  options: ComputeEvaOptions = {},
): Promise<{
  /** The computed state, as {@link computeEvaState} returns it. */
  state: EvaState;
  /** The LoRA adapters {@link applyEva} injected into `model`. */
  handle: LoraHandle;
}> {
  const state = await computeEvaState(model, data, config, options);
  return { state, handle: applyEva(model, state, lora) };
}
