import type { LoraConfigInput } from './lora-config';
import { AdapterFileError } from './adapter-file-error';

/**
 * Every field of PEFT 0.21's `LoraConfig` (plus `PeftConfig`'s), with what loading it here means.
 * A reader checks the value's type and returns the `LoraConfigInput` fields it sets; a field that
 * changes the numbers but is not implemented here throws {@link AdapterFileError} naming it.
 * Fields absent from the file take PEFT's defaults (`r` 8, `lora_alpha` 8, `lora_dropout` 0, ...).
 */
type FieldReader = (value: unknown) => Partial<LoraConfigInput>;

/** A value that switches nothing on: absent, null, false, or an empty list or object. */
export function isInactive(value: unknown): boolean {
  if (value === undefined || value === null || value === false) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.keys(value).length === 0;
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 60)}...` : text;
}

function typeError(field: string, want: string, value: unknown): AdapterFileError {
  return new AdapterFileError(
    field,
    `adapter_config.json: ${field} must be ${want}, got ${describe(value)}; the file is not a PEFT LoRA config or was edited by hand`,
  );
}

function unsupported(field: string, why: string): FieldReader {
  return (value) => {
    if (isInactive(value)) return {};
    throw new AdapterFileError(
      field,
      `adapter_config.json: ${field} = ${describe(value)} changes the numbers, but peftjs does not implement it (${why}); use the adapter in PEFT, or save it from PEFT without ${field}`,
    );
  };
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

const boolean =
  (field: string, set?: (v: boolean) => Partial<LoraConfigInput>): FieldReader =>
  (value) => {
    if (typeof value !== 'boolean') throw typeError(field, 'true or false', value);
    return set === undefined ? {} : set(value);
  };

const nullableString =
  (field: string, set?: (v: string | null) => Partial<LoraConfigInput>): FieldReader =>
  (value) => {
    if (value !== null && typeof value !== 'string') throw typeError(field, 'a string or null', value);
    return set === undefined ? {} : set(value);
  };

const nullableObject =
  (field: string, set?: (v: Record<string, unknown> | null) => Partial<LoraConfigInput>): FieldReader =>
  (value) => {
    if (value !== null && (typeof value !== 'object' || Array.isArray(value)))
      throw typeError(field, 'an object or null', value);
    return set === undefined ? {} : set(value as Record<string, unknown> | null);
  };

const finiteNumber =
  (
    field: string,
    rule: (v: number) => boolean,
    want: string,
    set: (v: number) => Partial<LoraConfigInput>,
  ): FieldReader =>
  (value) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || !rule(value)) throw typeError(field, want, value);
    return set(value);
  };

const pattern =
  (field: string, integer: boolean, set: (v: Record<string, number>) => Partial<LoraConfigInput>): FieldReader =>
  (value) => {
    if (value === null) return set({});
    if (typeof value !== 'object' || Array.isArray(value))
      throw typeError(field, 'an object { module name or regex: number }', value);
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      const ok = typeof v === 'number' && Number.isFinite(v) && (!integer || (Number.isInteger(v) && v >= 0));
      if (!ok) throw typeError(`${field}["${key}"]`, integer ? 'an integer >= 0' : 'a finite number', v);
    }
    return set({ ...(value as Record<string, number>) });
  };

const namesOrRegex =
  (field: string, set: (v: string | string[] | null) => Partial<LoraConfigInput>): FieldReader =>
  (value) => {
    if (value === null) return set(null);
    if (typeof value === 'string' || isStringList(value)) return set(value);
    throw typeError(field, 'a list of module names, a regex string or null', value);
  };

/** The registry: one reader per PEFT field name. */
export const PEFT_LORA_FIELDS: ReadonlyMap<string, FieldReader> = new Map<string, FieldReader>([
  // PeftConfig: identity and bookkeeping, no effect on the numbers
  [
    'peft_type',
    (v) => {
      if (v !== 'LORA')
        throw new AdapterFileError(
          'peft_type',
          `adapter_config.json: peft_type is ${describe(v)}, but only "LORA" adapters can be loaded`,
        );
      return {};
    },
  ],
  ['task_type', nullableString('task_type', (v) => ({ taskType: v }))],
  ['base_model_name_or_path', nullableString('base_model_name_or_path', (v) => ({ baseModelNameOrPath: v }))],
  ['revision', nullableString('revision')],
  ['peft_version', nullableString('peft_version')],
  ['inference_mode', boolean('inference_mode')],
  ['auto_mapping', nullableObject('auto_mapping')],
  ['runtime_config', nullableObject('runtime_config')],
  // what the adapter computes
  [
    'r',
    finiteNumber(
      'r',
      (v) => Number.isInteger(v) && v >= 1,
      'an integer >= 1',
      (r) => ({ r }),
    ),
  ],
  [
    'lora_alpha',
    finiteNumber(
      'lora_alpha',
      () => true,
      'a finite number',
      (alpha) => ({ alpha }),
    ),
  ],
  [
    'lora_dropout',
    finiteNumber(
      'lora_dropout',
      (v) => v >= 0 && v < 1,
      'a number in [0, 1)',
      (dropout) => ({ dropout }),
    ),
  ],
  ['use_rslora', boolean('use_rslora', (useRslora) => ({ useRslora }))],
  ['use_dora', boolean('use_dora')], // the variant is chosen by its flag (variantForPeftConfig)
  ['rank_pattern', pattern('rank_pattern', true, (rankPattern) => ({ rankPattern }))],
  ['alpha_pattern', pattern('alpha_pattern', false, (alphaPattern) => ({ alphaPattern }))],
  [
    'init_lora_weights',
    (v) => {
      if (typeof v !== 'boolean' && typeof v !== 'string')
        throw typeError('init_lora_weights', 'a boolean or a string', v);
      return {}; // resolved against the initialiser registry by fromPeftConfig
    },
  ],
  // which layers
  [
    'target_modules',
    namesOrRegex('target_modules', (v) => {
      if (v === null || (Array.isArray(v) && v.length === 0)) {
        throw new AdapterFileError(
          'target_modules',
          'adapter_config.json: target_modules is empty; PEFT would fall back to its per-architecture default list, which peftjs does not guess: list the module names',
        );
      }
      if (v === 'all-linear') {
        throw new AdapterFileError(
          'target_modules',
          'adapter_config.json: target_modules is "all-linear", which PEFT resolves to module names before saving; list the names the adapter file holds',
        );
      }
      return { targetModules: v };
    }),
  ],
  ['exclude_modules', namesOrRegex('exclude_modules', (v) => (v === null ? {} : { excludeModules: v }))],
  [
    'layers_to_transform',
    (v) => {
      if (v === null) return {};
      const ok = (x: unknown) => typeof x === 'number' && Number.isInteger(x) && x >= 0;
      if (!(ok(v) || (Array.isArray(v) && v.every(ok))))
        throw typeError('layers_to_transform', 'a layer index, a list of them, or null', v);
      return { layersToTransform: v as number | number[] };
    },
  ],
  [
    'layers_pattern',
    (v) => {
      if (v === null) return {};
      if (!(typeof v === 'string' || isStringList(v)))
        throw typeError('layers_pattern', 'a name, a list of names, or null', v);
      return { layersPattern: v };
    },
  ],
  // PEFT swaps fan_in_fan_out to match each layer (True for GPT-2's Conv1D, False for nn.Linear) and
  // lora_A / lora_B keep the nn.Linear layout either way, so the flag never changes what is loaded.
  ['fan_in_fan_out', boolean('fan_in_fan_out')],
  ['ensure_weight_tying', boolean('ensure_weight_tying')], // only ties adapters of modules_to_save / trainable tokens, both refused
  ['megatron_core', nullableString('megatron_core')],
  [
    'qalora_group_size',
    finiteNumber(
      'qalora_group_size',
      () => true,
      'a number',
      () => ({}),
    ),
  ], // only read with use_qalora
  // initialisation only: the saved A and B overwrite whatever they would compute
  ['eva_config', nullableObject('eva_config', (v) => ({ evaConfig: v }))],
  ['loftq_config', nullableObject('loftq_config')],
  ['corda_config', nullableObject('corda_config')],
  ['lora_ga_config', nullableObject('lora_ga_config')],
  ['velora_config', nullableObject('velora_config')], // VeLoRA changes only the backward pass's memory use
  // change the numbers and are not implemented here
  [
    'bias',
    (v) => {
      if (v === 'none') return {};
      if (v === 'all' || v === 'lora_only')
        return unsupported('bias', 'the file then holds trained biases of the base layers, which are not loaded')(v);
      throw typeError('bias', '"none", "all" or "lora_only"', v);
    },
  ],
  [
    'lora_bias',
    (v) => {
      if (typeof v !== 'boolean') throw typeError('lora_bias', 'true or false', v);
      return unsupported('lora_bias', 'lora_B with a bias vector')(v);
    },
  ],
  [
    'modules_to_save',
    (v) => {
      if (v !== null && !isStringList(v)) throw typeError('modules_to_save', 'a list of module names or null', v);
      return unsupported('modules_to_save', 'full trained copies of whole modules')(v);
    },
  ],
  ['trainable_token_indices', unsupported('trainable_token_indices', 'trained rows of the embedding matrix')],
  ['layer_replication', unsupported('layer_replication', 'duplicated decoder layers')],
  ['target_parameters', unsupported('target_parameters', 'LoRA on nn.Parameter tensors such as MoE experts')],
  [
    'alora_invocation_tokens',
    unsupported('alora_invocation_tokens', 'aLoRA applies the adapter only after the invocation tokens'),
  ],
  ['use_alora', unsupported('use_alora', 'aLoRA applies the adapter only after the invocation tokens')],
  [
    'use_qalora',
    (v) => {
      if (typeof v !== 'boolean') throw typeError('use_qalora', 'true or false', v);
      return unsupported('use_qalora', 'QALoRA pools the input in groups before lora_A')(v);
    },
  ],
  ['use_bdlora', unsupported('use_bdlora', 'block-diagonal lora_A / lora_B')],
  ['megatron_config', unsupported('megatron_config', 'Megatron tensor-parallel LoRA layers')],
  ['monteclora_config', unsupported('monteclora_config', 'MonteCLoRA samples its LoRA factors')],
  ['arrow_config', unsupported('arrow_config', 'Arrow routes between several adapters')],
  [
    'kasa_config',
    unsupported(
      'kasa_config',
      'KaSA inserts a learned diagonal between lora_A and lora_B and truncates the base weight',
    ),
  ],
]);
