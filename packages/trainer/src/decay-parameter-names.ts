import { LayerNorm } from '@peftjs/core';
import type { AnyModule } from '@peftjs/core';

/**
 * Hugging Face Trainer's name patterns for parameters that take no weight decay, searched in the
 * lower-cased dotted name (`transformers.Trainer.get_decay_parameter_names`).
 */
const NO_DECAY_PATTERNS: readonly RegExp[] = [/bias/, /layernorm/, /rmsnorm/, /(?:^|\.)norm(?:$|\.)/, /_norm(?:$|\.)/];

/** True when a parameter name matches one of Hugging Face's no-decay patterns (biases, norms). */
export function isNoDecayName(name: string): boolean {
  const lower = name.toLowerCase();
  return NO_DECAY_PATTERNS.some((p) => p.test(lower));
}

/**
 * The names of the parameters weight decay applies to, as Hugging Face's Trainer computes them
 * (`get_decay_parameter_names`, transformers 4.5x): every parameter except those inside a
 * `LayerNorm` module (core's, as HF's `nn.LayerNorm`) and those whose lower-cased name contains
 * `bias`, `layernorm`, `rmsnorm`, a `norm` path segment, or a segment ending in `_norm`.
 * So GPT-2's `ln_1.weight` (a LayerNorm) and Llama's `input_layernorm.weight` / `norm.weight`
 * (RMSNorm, by name) take none, while Linear and LoRA weights do.
 */
export function decayParameterNames(model: AnyModule): Set<string> {
  const normPaths = [...model.namedModules()].filter(([, m]) => m instanceof LayerNorm).map(([path]) => path);
  const insideNorm = (name: string): boolean => normPaths.some((p) => p === '' || name.startsWith(`${p}.`));
  const out = new Set<string>();
  for (const [name] of model.namedParameters()) if (!insideNorm(name) && !isNoDecayName(name)) out.add(name);
  return out;
}
