import type { AnyModule } from '@peftjs/core';
import { AdapterSwitchError, LoraLinear } from './lora-linear';

/**
 * Makes adapter `name` the active one on the whole model, as PEFT's `set_adapter`: every
 * {@link LoraLinear} that has it runs it and trains only its parameters; every other one runs its
 * base layer only, with all its adapters frozen. Nothing changes when it throws.
 * @throws AdapterSwitchError (`E_ADAPTER_MERGED`) when a layer has another adapter merged.
 */
export function activateAdapter(model: AnyModule, name: string): void {
  const layers: [string, LoraLinear][] = [];
  for (const [path, m] of model.namedModules()) if (m instanceof LoraLinear) layers.push([path, m]);
  for (const [path, layer] of layers) {
    const merged = layer.mergedAdapter;
    if (merged !== null && merged !== name) {
      throw new AdapterSwitchError(
        `Layer "${path}" has adapter "${merged}" merged, so adapter "${name}" cannot become the active one; unmerge "${merged}" first`,
      );
    }
  }
  for (const [, layer] of layers) layer.setActiveAdapter(layer.hasAdapter(name) ? name : null);
}
