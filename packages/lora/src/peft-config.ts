import type { LoraConfig, LoraConfigInput } from './lora-config';
import { getInitializer, initializerForPeftValue } from './initializer-registry';
import { getVariant, variantForPeftConfig } from './variant-registry';
import { PeftjsError } from '@peftjs/core';

/** The fields of PEFT's `adapter_config.json` for a LoRA adapter that peftjs reads and writes. */
export interface PeftLoraConfigJson {
  peft_type: 'LORA';
  task_type: string | null;
  base_model_name_or_path: string | null;
  r: number;
  lora_alpha: number;
  lora_dropout: number;
  target_modules: string[] | string;
  rank_pattern: Record<string, number>;
  alpha_pattern: Record<string, number>;
  use_rslora: boolean;
  use_dora: boolean;
  init_lora_weights: boolean | string;
  eva_config: Record<string, unknown> | null;
  bias: 'none';
  fan_in_fan_out: false;
  modules_to_save: null;
  inference_mode: boolean;
  layers_to_transform: null;
  layers_pattern: null;
  revision: null;
  auto_mapping: null;
  /** PEFT's other fields are kept when read and written back unchanged. */
  [other: string]: unknown;
}

/** What the adapter actually holds, which may differ from the config it was injected with. */
export interface PeftConfigLayers {
  /** Module path -> rank for every targeted layer (0 = no adapter). */
  readonly ranks: Readonly<Record<string, number>>;
  /** Module path -> alpha for every adapted layer. */
  readonly alphas: Readonly<Record<string, number>>;
}

/**
 * PEFT's `adapter_config.json` for an injected adapter. The config's `targetModules`,
 * `rankPattern` and `alphaPattern` are written as given, except when some targeted layer got
 * rank 0: then, as PEFT's EVA does, `target_modules` lists the full paths of the adapted layers
 * and the patterns are resolved to full paths (PEFT cannot create rank-0 adapters).
 */
export function toPeftConfig(config: LoraConfig, layers: PeftConfigLayers, initValue?: boolean | string): PeftLoraConfigJson {
  const adapted = Object.keys(layers.ranks).filter((p) => (layers.ranks[p] as number) > 0);
  const hasRankZero = adapted.length < Object.keys(layers.ranks).length;
  let targetModules: string[] | string;
  let rankPattern: Record<string, number> = { ...config.rankPattern };
  let alphaPattern: Record<string, number> = { ...config.alphaPattern };
  if (hasRankZero) {
    targetModules = adapted;
    rankPattern = {};
    alphaPattern = {};
    for (const path of adapted) {
      if (layers.ranks[path] !== config.r) rankPattern[path] = layers.ranks[path] as number;
      if (layers.alphas[path] !== config.alpha) alphaPattern[path] = layers.alphas[path] as number;
    }
  } else if (config.targetModules.kind === 'names') {
    targetModules = [...config.targetModules.names];
  } else if (config.targetModules.kind === 'regex') {
    targetModules = config.targetModules.pattern.source;
  } else {
    targetModules = [...new Set(adapted.map((p) => p.slice(p.lastIndexOf('.') + 1)))].sort();
  }
  const variant = getVariant(config.variant);
  const json: PeftLoraConfigJson = {
    peft_type: 'LORA',
    task_type: config.taskType,
    base_model_name_or_path: config.baseModelNameOrPath,
    r: config.r,
    lora_alpha: config.alpha,
    lora_dropout: config.dropout,
    target_modules: targetModules,
    rank_pattern: rankPattern,
    alpha_pattern: alphaPattern,
    use_rslora: config.useRslora,
    use_dora: false,
    init_lora_weights: initValue ?? getInitializer(config.init.name).peftInitValue(config.init.options),
    eva_config: config.evaConfig === null ? null : structuredClone({ ...config.evaConfig }),
    bias: 'none',
    fan_in_fan_out: false,
    modules_to_save: null,
    inference_mode: true,
    layers_to_transform: null,
    layers_pattern: null,
    revision: null,
    auto_mapping: null,
  };
  if (variant.peftConfigFlag !== null) json[variant.peftConfigFlag] = true;
  return json;
}

/**
 * A {@link LoraConfigInput} from a PEFT `adapter_config.json` object, for loading: the
 * initialiser is the registered one for `init_lora_weights` when it rewrites the base weight
 * (PiSSA, OLoRA: re-run so the base becomes the same residual), and `kaiming` otherwise (the
 * saved A and B overwrite it). Throws naming the field for anything peftjs cannot honour.
 */
export function fromPeftConfig(json: unknown): LoraConfigInput {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new PeftjsError('E_ADAPTER_CONFIG', 'adapter_config.json must hold a JSON object');
  const c = json as Record<string, unknown>;
  if (c['peft_type'] !== 'LORA') throw new PeftjsError('E_ADAPTER_CONFIG', `adapter_config.json: peft_type is ${JSON.stringify(c['peft_type'])}, but only "LORA" adapters can be loaded`);
  const unsupported: [string, (v: unknown) => boolean, string][] = [
    ['bias', (v) => v === undefined || v === 'none', 'only "none" is supported'],
    ['fan_in_fan_out', (v) => v === undefined || v === false, 'only false is supported (GPT-2 Conv1D weights are transposed by the model loader)'],
    ['modules_to_save', (v) => v == null || (Array.isArray(v) && v.length === 0), 'extra trainable modules are not supported'],
    ['layers_to_transform', (v) => v == null, 'layer selection by index is not supported; list the module paths in target_modules'],
    ['use_alora', (v) => v === undefined || v === false, 'aLoRA is not supported'],
    ['lora_bias', (v) => v === undefined || v === false, 'LoRA bias is not supported'],
  ];
  for (const [field, ok, why] of unsupported) {
    if (!ok(c[field])) throw new PeftjsError('E_ADAPTER_CONFIG', `adapter_config.json: ${field} = ${JSON.stringify(c[field])} cannot be loaded: ${why}`);
  }
  const initValue = c['init_lora_weights'] ?? true;
  if (typeof initValue !== 'boolean' && typeof initValue !== 'string') throw new PeftjsError('E_ADAPTER_CONFIG', `adapter_config.json: init_lora_weights must be a boolean or a string, got ${JSON.stringify(initValue)}`);
  const found = initializerForPeftValue(initValue);
  if (found === null && initValue !== false) {
    throw new PeftjsError('E_ADAPTER_CONFIG', `adapter_config.json: init_lora_weights ${JSON.stringify(initValue)} is not a registered initialiser's value; register one that reads it, or save the adapter from PEFT as plain LoRA (path_initial_model_for_weight_conversion)`);
  }
  const rerun = found !== null && getInitializer(found.name).mutatesBaseWeight;
  const targets = c['target_modules'];
  if (!(typeof targets === 'string' || (Array.isArray(targets) && targets.every((t) => typeof t === 'string')))) {
    throw new PeftjsError('E_ADAPTER_CONFIG', `adapter_config.json: target_modules must be a list of names or a regex string, got ${JSON.stringify(targets)}`);
  }
  const variant = variantForPeftConfig(c);
  return {
    r: c['r'] as number,
    alpha: (c['lora_alpha'] ?? 8) as number,
    dropout: (c['lora_dropout'] ?? 0) as number,
    targetModules: targets as string[] | string,
    rankPattern: (c['rank_pattern'] ?? {}) as Record<string, number>,
    alphaPattern: (c['alpha_pattern'] ?? {}) as Record<string, number>,
    useRslora: (c['use_rslora'] ?? false) as boolean,
    variant: variant.name,
    init: rerun && found !== null ? { name: found.name, options: found.options } : 'kaiming',
    taskType: (c['task_type'] ?? null) as string | null,
    baseModelNameOrPath: (c['base_model_name_or_path'] ?? null) as string | null,
    evaConfig: (c['eva_config'] ?? null) as Record<string, unknown> | null,
  };
}
