import type { AnyModule } from '@peftjs/core';
import { injectAdapters, type LoraConfigInput, type LoraHandle } from '@peftjs/lora';
import { toPeftEvaConfig } from './eva-config';
import { initialA, type EvaState } from './eva-state';

/** LoRA settings EVA leaves to the user; ranks, targets, init and patterns come from the state. */
export type EvaLoraOptions = Omit<
  LoraConfigInput,
  'r' | 'targetModules' | 'rankPattern' | 'alphaPattern' | 'init' | 'evaConfig'
>;

/**
 * EVA step 5: wraps every layer with a non-zero rank in a LoRA adapter whose `A` is the layer's
 * first `rank` components (whitened once if configured) and whose `B` is zero, so the model's
 * output is unchanged. Rank-0 layers stay plain base layers. With `adjustScalingFactors`, each
 * layer's alpha is set so its scaling equals the uniform-rank one: `alpha * rank / r` for LoRA,
 * `alpha * sqrt(rank / r)` for rsLoRA (PEFT bug: it uses the plain formula for both).
 */
export function applyEva(model: AnyModule, state: EvaState, lora: EvaLoraOptions = {}): LoraHandle {
  const { r, whiten, adjustScalingFactors } = state.config;
  const alpha = lora.alpha ?? 8;
  const adapted = state.layers.filter((layer) => layer.rank > 0);
  if (adapted.length === 0)
    throw new Error('applyEva: the EVA state gives every layer rank 0; there is nothing to adapt');
  const rankPattern: Record<string, number> = {};
  const alphaPattern: Record<string, number> = {};
  const components: Record<string, Float32Array> = {};
  for (const layer of adapted) {
    rankPattern[layer.name] = layer.rank;
    if (adjustScalingFactors) {
      alphaPattern[layer.name] = lora.useRslora === true ? alpha * Math.sqrt(layer.rank / r) : (alpha * layer.rank) / r;
    }
    components[layer.name] = initialA(layer, whiten);
  }
  return injectAdapters(model, {
    ...lora,
    alpha,
    r,
    targetModules: adapted.map((layer) => layer.name),
    rankPattern,
    alphaPattern,
    init: { name: 'eva', options: { components } },
    evaConfig: toPeftEvaConfig(state.config),
  });
}
