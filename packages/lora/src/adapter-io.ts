import * as tf from '@tensorflow/tfjs-core';
import { assertFinite } from '@peftjs/core';
import type { AnyModule, TensorEntry } from '@peftjs/core';
import type { LoraHandle } from './lora-handle';
import { injectAdapters, resolveLoraTargets } from './inject-adapters';
import { parseLoraConfig } from './lora-config';
import { getVariant } from './variant-registry';
import { fromPeftConfig, toPeftConfig } from './peft-config';
import type { PeftLoraConfigJson } from './peft-config';
import { initializerForPeftValue } from './initializer-registry';
import { AdapterFileError } from './adapter-file-error';

/** PEFT's weights file name in an adapter directory (`SAFETENSORS_WEIGHTS_NAME`). */
export const ADAPTER_WEIGHTS_FILE = 'adapter_model.safetensors';
/** PEFT's config file name in an adapter directory (`CONFIG_NAME`). */
export const ADAPTER_CONFIG_FILE = 'adapter_config.json';
const PREFIX = 'base_model.model.';

/** An adapter in PEFT's layout, in memory. */
export interface PeftAdapter {
  /** `base_model.model.<path>.lora_A.weight`, `.lora_B.weight`, variant extras (`.lora_magnitude_vector`). */
  readonly tensors: Record<string, TensorEntry>;
  /** The contents of `adapter_config.json`. */
  readonly config: PeftLoraConfigJson;
}

/** Options of {@link exportAdapter} and {@link saveAdapter}. */
export interface ExportAdapterOptions {
  /**
   * For adapters whose initialiser rewrote the base weight (PiSSA, OLoRA): save a plain LoRA
   * delta against the ORIGINAL base weights instead (PEFT's
   * `path_initial_model_for_weight_conversion`): `A' = [A; A0]`, `B' = [B, -B0]`, rank `2r`,
   * alpha doubled (`* sqrt(2)` under rsLoRA) so the scaling is unchanged, `init_lora_weights: true`.
   * Default false: save A and B as they are, with the initialiser's `init_lora_weights`.
   */
  readonly convertToPlainLora?: boolean;
}

/** The adapter of `handle` in PEFT's layout (keys, shapes, config fields). Pure: writes nothing. */
export function exportAdapter(handle: LoraHandle, options: ExportAdapterOptions = {}): PeftAdapter {
  const convert = options.convertToPlainLora === true && handle.baseWeightChanges().size > 0;
  const name = handle.adapterName;
  const tensors: Record<string, TensorEntry> = {};
  for (const [path, layer] of handle.layers) {
    const adapter = layer.adapter(name);
    const change = handle.baseWeightChanges().get(path);
    const [a, b] =
      convert && change !== undefined
        ? tf.tidy(() => [
            tf.concat([adapter.loraA.value, change.initialA], 0),
            tf.concat([adapter.loraB.value, tf.neg(change.initialB)], 1),
          ])
        : [adapter.loraA.value, adapter.loraB.value];
    tensors[`${PREFIX}${path}.lora_A.weight`] = entryOf(a);
    tensors[`${PREFIX}${path}.lora_B.weight`] = entryOf(b);
    if (a !== adapter.loraA.value) tf.dispose([a, b]);
    for (const [key, p] of adapter.extra) tensors[`${PREFIX}${path}.${key}`] = entryOf(p.value);
  }
  const config = toPeftConfig(
    handle.config,
    { ranks: handle.ranks, alphas: handle.alphas },
    convert ? true : (handle.peftInitValue ?? undefined),
  );
  if (convert) {
    const factor = handle.config.useRslora ? Math.SQRT2 : 2;
    config.r *= 2;
    config.lora_alpha *= factor;
    config.rank_pattern = Object.fromEntries(Object.entries(config.rank_pattern).map(([k, v]) => [k, 2 * v]));
    config.alpha_pattern = Object.fromEntries(Object.entries(config.alpha_pattern).map(([k, v]) => [k, factor * v]));
  }
  return { tensors, config };
}

/** Options of {@link importAdapter} and {@link loadAdapter}. */
export interface ImportAdapterOptions {
  /** The name of the adapter in the model (default: `'default'`). */
  readonly adapterName?: string;
}

/**
 * Injects an adapter given in PEFT's layout into `model` and loads its weights. Checks the config
 * field by field against PEFT 0.21's `LoraConfig` (see {@link fromPeftConfig}) and every tensor
 * before changing the model: a missing tensor, a shape that does not fit (the error names the
 * tensor and both shapes), a tensor holding NaN or an infinity, or a tensor that belongs to no
 * adapted layer is an error. GPT-2 adapters (`fan_in_fan_out: true`) load as any other: lora_A /
 * lora_B have the nn.Linear layout in PEFT's files whatever the flag says.
 *
 * @throws AdapterFileError (`E_ADAPTER_FILE`), LoraConfigError (`E_LORA_CONFIG`) or NonFiniteError
 *   (`E_NON_FINITE`), all PeftjsErrors; the model is unchanged when any is thrown.
 */
export function importAdapter(model: AnyModule, adapter: PeftAdapter, options: ImportAdapterOptions = {}): LoraHandle {
  const input = { ...fromPeftConfig(adapter.config), adapterName: options.adapterName ?? 'default' };
  const config = parseLoraConfig(input);
  const variant = getVariant(config.variant);
  const targets = resolveLoraTargets(model, config).filter((t) => t.r > 0);
  const unused = new Set(Object.keys(adapter.tensors));
  const fromFile = (key: string, want: number[], layerPath: string): TensorEntry => {
    const entry = adapter.tensors[key];
    if (entry === undefined)
      throw new AdapterFileError(
        key,
        `Adapter file has no tensor "${key}", needed for layer "${layerPath}" (shape [${want.join(', ')}])`,
      );
    if (entry.shape.length !== want.length || entry.shape.some((v, i) => v !== want[i])) {
      throw new AdapterFileError(
        key,
        `Adapter tensor "${key}" has shape [${entry.shape.join(', ')}] in the file but layer "${layerPath}" needs [${want.join(', ')}]; the adapter was made for a different model or config`,
      );
    }
    checkValues(key, entry);
    unused.delete(key);
    return entry;
  };
  const planned = targets.map((t) => ({
    path: t.path,
    a: fromFile(`${PREFIX}${t.path}.lora_A.weight`, [t.r, t.inFeatures], t.path),
    b: fromFile(`${PREFIX}${t.path}.lora_B.weight`, [t.outFeatures, t.r], t.path),
  }));
  const extraKeys = variant.parameterNames;
  const extras = targets.map((t) =>
    Object.fromEntries(extraKeys.map((k) => [k, adapter.tensors[`${PREFIX}${t.path}.${k}`]] as const)),
  );
  for (const t of targets) for (const k of extraKeys) unused.delete(`${PREFIX}${t.path}.${k}`);
  if (unused.size > 0) {
    throw new AdapterFileError(
      [...unused][0] as string,
      `Adapter tensors ${[...unused].map((k) => `"${k}"`).join(', ')} belong to no adapted layer of this model (adapted: ${targets.map((t) => t.path).join(', ') || 'none'}); check target_modules and the model`,
    );
  }
  const initValue = adapter.config.init_lora_weights;
  // keep the saved init_lora_weights (e.g. "eva") although A and B were placeholders overwritten below
  const keepInit = initializerForPeftValue(initValue)?.name !== config.init.name;
  const handle = injectAdapters(model, config, keepInit ? { peftInitValue: initValue } : {});
  try {
    planned.forEach((plan, i) => {
      const state = handle.layers.get(plan.path)!.adapter(config.adapterName);
      assignEntry(state.loraA.value, plan.a);
      assignEntry(state.loraB.value, plan.b);
      for (const [key, p] of state.extra) {
        const entry = extras[i]?.[key];
        const name = `${PREFIX}${plan.path}.${key}`;
        if (entry === undefined)
          throw new AdapterFileError(
            name,
            `Adapter file has no tensor "${name}", needed by the ${variant.name} variant of layer "${plan.path}"`,
          );
        if (entry.shape.join(',') !== p.shape.join(','))
          throw new AdapterFileError(
            name,
            `Adapter tensor "${name}" has shape [${entry.shape.join(', ')}] in the file but layer "${plan.path}" needs [${p.shape.join(', ')}]`,
          );
        checkValues(name, entry);
        assignEntry(p.value, entry);
      }
    });
  } catch (error) {
    handle.remove();
    throw error;
  }
  return handle;
}

function entryOf(t: tf.Tensor): TensorEntry {
  return { dtype: 'F32', shape: t.shape.slice(), data: Float32Array.from(t.dataSync()) };
}

/** A tensor of an integer dtype, or one holding NaN or an infinity, is refused by name. */
function checkValues(name: string, entry: TensorEntry): void {
  if (!['F32', 'F16', 'BF16', 'F64'].includes(entry.dtype)) {
    throw new AdapterFileError(
      name,
      `Adapter tensor "${name}" has dtype ${entry.dtype}; LoRA weights must be floating point (F32, F16, BF16 or F64)`,
    );
  }
  assertFinite(
    entry.data as ArrayLike<number>,
    `Adapter tensor "${name}"`,
    'the adapter diverged or the file is corrupt; use an earlier checkpoint of it',
  );
}

function assignEntry(target: tf.Variable, entry: TensorEntry): void {
  const data = entry.data;
  if (data instanceof BigInt64Array)
    throw new AdapterFileError('dtype', `Adapter tensor of dtype ${entry.dtype} cannot be loaded as float32`);
  const t = tf.tensor(Float32Array.from(data), entry.shape, 'float32');
  target.assign(t);
  t.dispose();
}
