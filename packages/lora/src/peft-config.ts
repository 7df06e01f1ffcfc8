import type { LoraConfig, LoraConfigInput } from './lora-config';
import { getInitializer, initializerForPeftValue } from './initializer-registry';
import { getVariant, variantForPeftConfig } from './variant-registry';
import { AdapterFileError } from './adapter-file-error';
import { isInactive, PEFT_LORA_FIELDS } from './peft-config-fields';

/** The fields of PEFT's `adapter_config.json` for a LoRA adapter that peftjs reads and writes. */
export interface PeftLoraConfigJson {
  /** Always `'LORA'`. */
  peft_type: 'LORA';
  /** PEFT's `TaskType` (`CAUSAL_LM`, `SEQ_CLS`, ...), or null. */
  task_type: string | null;
  /** The base model's hub id or path, or null. */
  base_model_name_or_path: string | null;
  /** Default rank. */
  r: number;
  /** Default alpha; the scaling is `lora_alpha / r` (`/ sqrt(r)` with `use_rslora`). */
  lora_alpha: number;
  /** Dropout probability on the adapter's input. */
  lora_dropout: number;
  /** Module names (suffix rule) or a regex string matching whole paths; all-linear is written as the adapted layers' leaf names. */
  target_modules: string[] | string;
  /** Written only when set. */
  exclude_modules?: string[] | string | null;
  /** Per-layer ranks by pattern key (`(.*\.)?(key)$` on the module path). */
  rank_pattern: Record<string, number>;
  /** Per-layer alphas keyed like `rank_pattern`. */
  alpha_pattern: Record<string, number>;
  /** rsLoRA scaling (Kalajdzievski 2023). */
  use_rslora: boolean;
  /** DoRA (Liu et al. 2024): weight-decomposed LoRA with a magnitude vector. */
  use_dora: boolean;
  /** The initialisation: `true` (kaiming A, zero B), `false`, `"gaussian"`, `"pissa"`, `"pissa_niter_N"`, `"olora"`, `"eva"`, ... */
  init_lora_weights: boolean | string;
  /** EVA's settings (PEFT's `EvaConfig` as JSON) when initialised with EVA, else null. */
  eva_config: Record<string, unknown> | null;
  /** Which biases train: peftjs writes and reads only `'none'`. */
  bias: 'none';
  /** Written false: peftjs stores `lora_A`/`lora_B` in nn.Linear layout for every layer. */
  fan_in_fan_out: false;
  /** Fully trained copies of whole modules: not supported, always null. */
  modules_to_save: null;
  /** Written true, as PEFT's `save_pretrained` does; only type-checked when read. */
  inference_mode: boolean;
  /** Only layers with these indices, or null for all. */
  layers_to_transform: number[] | null;
  /** Names of the layer lists `layers_to_transform` indexes into (`layers`, `h`), or null. */
  layers_pattern: string[] | null;
  /** The base model's hub revision: always null. */
  revision: null;
  /** PEFT's auto-class mapping: always null. */
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
export function toPeftConfig(
  config: LoraConfig,
  layers: PeftConfigLayers,
  initValue?: boolean | string,
): PeftLoraConfigJson {
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
    // with rank-0 layers, target_modules already lists exactly the adapted paths
    layers_to_transform: config.layersToTransform === null || hasRankZero ? null : [...config.layersToTransform],
    layers_pattern: config.layersPattern === null || hasRankZero ? null : [...config.layersPattern],
    revision: null,
    auto_mapping: null,
  };
  if (config.excludeModules !== null && !hasRankZero) {
    json.exclude_modules =
      config.excludeModules.kind === 'names' ? [...config.excludeModules.names] : config.excludeModules.pattern.source;
  }
  if (variant.peftConfigFlag !== null) json[variant.peftConfigFlag] = true;
  return json;
}

/**
 * A {@link LoraConfigInput} from a PEFT `adapter_config.json` object, for loading. Every field is
 * checked against PEFT 0.21's `LoraConfig` (see `peft-config-fields.ts`): a field of the wrong type,
 * or one that changes the numbers but is not implemented here (`lora_bias`, `modules_to_save`,
 * `bias: "all"`, `layer_replication`, aLoRA, QALoRA, ...), throws naming it; an unknown field is
 * ignored only while it switches nothing on (null, false, empty). The initialiser is the registered
 * one for `init_lora_weights` when it rewrites the base weight (PiSSA, OLoRA: re-run so the base
 * becomes the same residual), and `kaiming` otherwise (the saved A and B overwrite it).
 *
 * @throws AdapterFileError (`E_ADAPTER_FILE`) naming the field.
 */
export function fromPeftConfig(json: unknown): LoraConfigInput {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new AdapterFileError(
      'adapter_config.json',
      `adapter_config.json must hold a JSON object, got ${Array.isArray(json) ? 'an array' : String(json)}`,
    );
  }
  const c = json as Record<string, unknown>;
  for (const required of ['peft_type', 'target_modules']) {
    if (!Object.hasOwn(c, required))
      throw new AdapterFileError(
        required,
        `adapter_config.json has no ${required}; it is not a PEFT LoRA config (PEFT always writes ${required})`,
      );
  }
  const input: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(c)) {
    const reader = PEFT_LORA_FIELDS.get(field);
    if (reader === undefined) {
      if (isInactive(value)) continue;
      throw new AdapterFileError(
        field,
        `adapter_config.json: unknown field ${field} = ${JSON.stringify(value)?.slice(0, 60)} is not a LoraConfig field of PEFT 0.21, so peftjs cannot tell whether it changes the numbers; remove it or set it to null`,
      );
    }
    Object.assign(input, reader(value));
  }
  if (typeof c['target_modules'] === 'string' && !isInactive(c['layers_to_transform'])) {
    throw new AdapterFileError(
      'layers_to_transform',
      'adapter_config.json: layers_to_transform cannot be used when target_modules is a regex string (PEFT refuses it too)',
    );
  }
  if (!isInactive(c['layers_pattern']) && c['layers_pattern'] !== '' && (c['layers_to_transform'] ?? null) === null) {
    throw new AdapterFileError(
      'layers_pattern',
      'adapter_config.json: layers_pattern is set but layers_to_transform is not (PEFT refuses it too)',
    );
  }
  const initValue = (c['init_lora_weights'] ?? true) as boolean | string;
  const found = initializerForPeftValue(initValue);
  if (found === null && initValue !== false) {
    throw new AdapterFileError(
      'init_lora_weights',
      `adapter_config.json: init_lora_weights ${JSON.stringify(initValue)} is not a registered initialiser's value; register one that reads it, or save the adapter from PEFT as plain LoRA (path_initial_model_for_weight_conversion)`,
    );
  }
  const rerun = found !== null && getInitializer(found.name).mutatesBaseWeight;
  return {
    ...(input as Partial<LoraConfigInput>),
    variant: variantForPeftConfig(c).name,
    init: rerun && found !== null ? { name: found.name, options: found.options } : 'kaiming',
  };
}
