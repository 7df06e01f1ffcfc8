import { getInitializer } from './initializer-registry';
import { getVariant } from './variant-registry';
import type { InitializerOptions } from './lora-initializer';
import { LoraConfigError } from './lora-config-error';
import { patternKeyRegExp } from './pattern-matching';

/** Which layers get adapters; matched on full module paths as PEFT does (see `pattern-matching.ts`). */
export type TargetModules =
  | {
      /** PEFT's list form: a path matches a name when it equals it or ends with `"." + name`. */
      readonly kind: 'names';
      /** Module names, e.g. `['q_proj', 'v_proj']`. */
      readonly names: readonly string[];
    }
  | {
      /** PEFT's string form: a regular expression that must match the whole path. */
      readonly kind: 'regex';
      /** The expression, e.g. `/.*\.(q|v)_proj/`. */
      readonly pattern: RegExp;
    }
  | {
      /** Every `Linear` of the model (PEFT's `'all-linear'`). */
      readonly kind: 'all-linear';
    };

/** Layers never adapted (PEFT's `exclude_modules`): names by the suffix rule, or a regex on the whole path. */
export type ExcludeModules = Exclude<
  TargetModules,
  {
    /** Left out of excludes: excluding every `Linear` would leave nothing to adapt. */
    kind: 'all-linear';
  }
>;

/** The initialiser a {@link LoraConfig} uses: a registered name and its validated options. */
export interface InitSpec {
  /** Registered initialiser name (`kaiming`, `gaussian`, `pissa`, `olora`, `eva`, ...). */
  readonly name: string;
  /** Its options, as the initialiser's own parser returned them. */
  readonly options: InitializerOptions;
}

/** What callers write; every field optional. Parse it with {@link parseLoraConfig}. */
export interface LoraConfigInput {
  /** Rank, integer >= 1 (default 8, as PEFT). */
  readonly r?: number;
  /** `lora_alpha` (default 8, as PEFT). Scaling is `alpha / r` (`alpha / sqrt(r)` with rsLoRA). */
  readonly alpha?: number;
  /** Names (PEFT suffix rule), a RegExp (full match), a string (regex, as PEFT's string form) or `'all-linear'` (default). */
  readonly targetModules?: readonly string[] | RegExp | string;
  /** Layers left out although `targetModules` selects them (PEFT's `exclude_modules`): names (suffix rule) or a regex string/RegExp (full match). */
  readonly excludeModules?: readonly string[] | RegExp | string;
  /**
   * Only layers with these indices (PEFT's `layers_to_transform`; list targets only). The index is the
   * number after the first `.<layersPattern>.` in the path (e.g. `model.layers.3.self_attn.q_proj` -> 3).
   */
  readonly layersToTransform?: number | readonly number[];
  /** Name(s) of the layer list for `layersToTransform` (PEFT's `layers_pattern`, e.g. `'layers'`, `'h'`). */
  readonly layersPattern?: string | readonly string[];
  /**
   * Per-layer ranks, keyed as PEFT's `rank_pattern`: the first key (in insertion order) whose regex
   * `(.*\.)?(key)$` matches the module path applies, so `q_proj` matches by suffix and
   * `^model\.layers\.0\.self_attn\.q_proj` anchors the full path. A key that matches no targeted
   * layer is an error. 0 = no adapter.
   */
  readonly rankPattern?: Readonly<Record<string, number>>;
  /** Per-layer alphas keyed like `rankPattern`. */
  readonly alphaPattern?: Readonly<Record<string, number>>;
  /** `lora_dropout` in [0, 1) (default 0). */
  readonly dropout?: number;
  /** rsLoRA scaling `alpha / sqrt(r)` instead of `alpha / r` (Kalajdzievski 2023; PEFT's `use_rslora`). Default false. */
  readonly useRslora?: boolean;
  /** Shorthand for `variant: 'dora'`. */
  readonly useDora?: boolean;
  /** A registered variant name (default `'lora'`, or `'dora'` with `useDora`). */
  readonly variant?: string;
  /** A registered initialiser name or `{ name, options }` (default `'kaiming'`, PEFT's `True`). */
  readonly init?:
    | string
    | {
        /** Registered initialiser name. */
        readonly name: string;
        /** Its options (for example PiSSA's `niter`); checked by the initialiser. */
        readonly options?: InitializerOptions;
      };
  /** Seed of every random choice (init, dropout masks); default 0. */
  readonly seed?: number | string;
  /** Default `'default'`, as PEFT. */
  readonly adapterName?: string;
  /** Passed through to `adapter_config.json`. */
  readonly taskType?: string | null;
  /** Passed through to `adapter_config.json` as `base_model_name_or_path`. */
  readonly baseModelNameOrPath?: string | null;
  /** Passed through to `adapter_config.json` as `eva_config`. */
  readonly evaConfig?: Readonly<Record<string, unknown>> | null;
}

/** A validated, frozen config. */
export interface LoraConfig {
  /** Default rank, integer >= 1. */
  readonly r: number;
  /** Default `lora_alpha`. */
  readonly alpha: number;
  /** Which layers get adapters. */
  readonly targetModules: TargetModules;
  /** Layers left out, or null for none. */
  readonly excludeModules: ExcludeModules | null;
  /** Layer indices to adapt, or null for all (PEFT's `layers_to_transform`). */
  readonly layersToTransform: readonly number[] | null;
  /** Layer-list names for `layersToTransform`, or null for PEFT's default (any dotted name). */
  readonly layersPattern: readonly string[] | null;
  /** Per-layer ranks by PEFT `rank_pattern` key (see {@link LoraConfigInput.rankPattern}); `{}` for none. */
  readonly rankPattern: Readonly<Record<string, number>>;
  /** Per-layer alphas keyed like `rankPattern`; `{}` for none. */
  readonly alphaPattern: Readonly<Record<string, number>>;
  /** Dropout probability on the adapter's input, in [0, 1). */
  readonly dropout: number;
  /** rsLoRA scaling `alpha / sqrt(r)`. */
  readonly useRslora: boolean;
  /** The registered variant name (`lora`, `dora`, ...). */
  readonly variant: string;
  /** The initialiser and its options. */
  readonly init: InitSpec;
  /** Seed of every random choice (init, dropout masks). */
  readonly seed: number | string;
  /** The adapter's name in the model (PEFT's `adapter_name`). */
  readonly adapterName: string;
  /** PEFT's `task_type` for `adapter_config.json`, or null. */
  readonly taskType: string | null;
  /** PEFT's `base_model_name_or_path` for `adapter_config.json`, or null. */
  readonly baseModelNameOrPath: string | null;
  /** PEFT's `eva_config` for `adapter_config.json`, or null. */
  readonly evaConfig: Readonly<Record<string, unknown>> | null;
}

const parsedConfigs = new WeakSet<object>();

/** Whether `value` came out of {@link parseLoraConfig}. */
export function isLoraConfig(value: unknown): value is LoraConfig {
  return typeof value === 'object' && value !== null && parsedConfigs.has(value);
}

const FIELDS = new Set([
  'r',
  'alpha',
  'targetModules',
  'excludeModules',
  'layersToTransform',
  'layersPattern',
  'rankPattern',
  'alphaPattern',
  'dropout',
  'useRslora',
  'useDora',
  'variant',
  'init',
  'seed',
  'adapterName',
  'taskType',
  'baseModelNameOrPath',
  'evaConfig',
]);

/**
 * Validates `input` and returns a new frozen {@link LoraConfig}; the caller's object is never
 * changed. Throws naming the field on a bad value, an unknown field, an unknown initialiser or variant.
 */
export function parseLoraConfig(input: LoraConfigInput | LoraConfig = {}): LoraConfig {
  if (isLoraConfig(input)) return input;
  if (typeof input !== 'object' || input === null) throw new LoraConfigError('config', 'LoRA config must be an object');
  for (const key of Object.keys(input)) {
    if (!FIELDS.has(key))
      throw new LoraConfigError(key, `LoRA config: unknown field "${key}"; known fields: ${[...FIELDS].join(', ')}`);
  }
  const r = input.r ?? 8;
  if (!Number.isInteger(r) || r < 1)
    throw new LoraConfigError('r', `LoRA config: r must be an integer >= 1, got ${String(r)}`);
  const alpha = input.alpha ?? 8;
  if (typeof alpha !== 'number' || !Number.isFinite(alpha))
    throw new LoraConfigError('alpha', `LoRA config: alpha must be a finite number, got ${String(alpha)}`);
  const dropout = input.dropout ?? 0;
  if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1))
    throw new LoraConfigError('dropout', `LoRA config: dropout must be in [0, 1), got ${String(dropout)}`);
  const useRslora = booleanField('useRslora', input.useRslora);
  const useDora = booleanField('useDora', input.useDora);
  if (useDora && input.variant !== undefined && input.variant !== 'dora') {
    throw new LoraConfigError(
      'variant',
      `LoRA config: useDora is true but variant is "${input.variant}"; set one of them`,
    );
  }
  const variant = input.variant ?? (useDora ? 'dora' : 'lora');
  wrap('variant', () => getVariant(variant));
  const init = wrap('init', () => parseInit(input.init));
  const seed = input.seed ?? 0;
  if (!(typeof seed === 'string' || (typeof seed === 'number' && Number.isFinite(seed))))
    throw new LoraConfigError('seed', `LoRA config: seed must be a number or string, got ${String(seed)}`);
  const adapterName = input.adapterName ?? 'default';
  if (typeof adapterName !== 'string' || !/^[A-Za-z_][\w-]*$/.test(adapterName)) {
    throw new LoraConfigError(
      'adapterName',
      `LoRA config: adapterName must be letters, digits, "_" or "-" (no "."), got "${String(adapterName)}"`,
    );
  }
  const targetModules = parseTargets(input.targetModules);
  const layersToTransform = parseLayerIndices(input.layersToTransform);
  const layersPattern = parseLayersPattern(input.layersPattern);
  if (targetModules.kind !== 'names' && (layersToTransform !== null || layersPattern !== null)) {
    throw new LoraConfigError(
      'layersToTransform',
      'LoRA config: layersToTransform and layersPattern need targetModules as a list of names (as PEFT, which refuses them with a regex target)',
    );
  }
  if (layersPattern !== null && layersToTransform === null) {
    throw new LoraConfigError(
      'layersPattern',
      'LoRA config: layersPattern is set but layersToTransform is not; give the layer indices too (as PEFT requires)',
    );
  }
  const config: LoraConfig = Object.freeze({
    r,
    alpha,
    targetModules,
    excludeModules: parseExclude(input.excludeModules),
    layersToTransform,
    layersPattern,
    rankPattern: parsePattern(
      'rankPattern',
      input.rankPattern,
      (v) => Number.isInteger(v) && v >= 0,
      'an integer >= 0 (0 = no adapter)',
    ),
    alphaPattern: parsePattern('alphaPattern', input.alphaPattern, (v) => Number.isFinite(v), 'a finite number'),
    dropout,
    useRslora,
    variant,
    init,
    seed,
    adapterName,
    taskType: optionalString('taskType', input.taskType),
    baseModelNameOrPath: optionalString('baseModelNameOrPath', input.baseModelNameOrPath),
    evaConfig: input.evaConfig == null ? null : Object.freeze(structuredClone({ ...input.evaConfig })),
  });
  parsedConfigs.add(config);
  return config;
}

/** Runs a registry lookup or option check, turning its plain error into a LoraConfigError naming `field`. */
function wrap<T>(field: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof LoraConfigError) throw error;
    throw new LoraConfigError(field, `LoRA config: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}

function booleanField(field: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean')
    throw new LoraConfigError(field, `LoRA config: ${field} must be a boolean, got ${String(value)}`);
  return value;
}

function optionalString(field: string, value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string')
    throw new LoraConfigError(field, `LoRA config: ${field} must be a string or null, got ${String(value)}`);
  return value;
}

function parseTargets(value: LoraConfigInput['targetModules']): TargetModules {
  if (value === undefined || value === 'all-linear') return Object.freeze({ kind: 'all-linear' as const });
  const parsed = parseNamesOrRegex('targetModules', value);
  if (parsed === null)
    throw new LoraConfigError(
      'targetModules',
      'LoRA config: targetModules must be a non-empty list of module names, a RegExp, a regex string or "all-linear"',
    );
  return parsed;
}

function parseExclude(value: LoraConfigInput['excludeModules']): ExcludeModules | null {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value) && value.length === 0) return null;
  const parsed = parseNamesOrRegex('excludeModules', value);
  if (parsed === null)
    throw new LoraConfigError(
      'excludeModules',
      'LoRA config: excludeModules must be a list of module names, a RegExp or a regex string',
    );
  return parsed;
}

/** Names (PEFT's list form) or a full-match regex (a RegExp, or a string as PEFT's string form); null when neither. */
function parseNamesOrRegex(field: string, value: unknown): ExcludeModules | null {
  if (value instanceof RegExp)
    return Object.freeze({
      kind: 'regex' as const,
      pattern: new RegExp(value.source, value.flags.replace(/[gy]/g, '')),
    });
  if (typeof value === 'string') {
    try {
      return Object.freeze({ kind: 'regex' as const, pattern: new RegExp(value) });
    } catch (error) {
      throw new LoraConfigError(
        field,
        `LoRA config: ${field} "${value}" is a string, so a regular expression (as PEFT), but it does not parse: ${(error as Error).message}`,
      );
    }
  }
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string' && v.length > 0))
    return null;
  return Object.freeze({ kind: 'names' as const, names: Object.freeze([...new Set(value as string[])]) });
}

function parseLayerIndices(value: unknown): readonly number[] | null {
  if (value === undefined || value === null) return null;
  const list = Array.isArray(value) ? value : [value];
  if (!list.every((v) => Number.isInteger(v) && (v as number) >= 0)) {
    throw new LoraConfigError(
      'layersToTransform',
      `LoRA config: layersToTransform must be a layer index or a list of them (integers >= 0), got ${JSON.stringify(value)}`,
    );
  }
  // PEFT: an empty list means "every layer"
  return list.length === 0 ? null : Object.freeze([...new Set(list as number[])]);
}

function parseLayersPattern(value: unknown): readonly string[] | null {
  if (value === undefined || value === null) return null;
  const list = Array.isArray(value) ? value : [value];
  if (!list.every((v) => typeof v === 'string')) {
    throw new LoraConfigError(
      'layersPattern',
      `LoRA config: layersPattern must be a name or a list of names, got ${JSON.stringify(value)}`,
    );
  }
  for (const p of list as string[]) {
    try {
      new RegExp(p);
    } catch (error) {
      throw new LoraConfigError(
        'layersPattern',
        `LoRA config: layersPattern "${p}" is not a valid regular expression (${(error as Error).message})`,
      );
    }
  }
  // PEFT: an empty pattern means "any layer list"
  const names = (list as string[]).filter((p) => p.length > 0);
  return names.length === 0 ? null : Object.freeze(names);
}

function parsePattern(
  field: string,
  value: unknown,
  ok: (v: number) => boolean,
  rule: string,
): Readonly<Record<string, number>> {
  if (value === undefined || value === null) return Object.freeze({});
  if (typeof value !== 'object' || Array.isArray(value))
    throw new LoraConfigError(field, `LoRA config: ${field} must be an object { modulePathOrSuffix: number }`);
  const out: Record<string, number> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'number' || !ok(v))
      throw new LoraConfigError(field, `LoRA config: ${field}["${key}"] must be ${rule}, got ${String(v)}`);
    patternKeyRegExp(key, field); // a key that is not a regular expression fails here, not at injection
    out[key] = v;
  }
  return Object.freeze(out);
}

function parseInit(value: LoraConfigInput['init']): InitSpec {
  const spec = value === undefined ? { name: 'kaiming' } : typeof value === 'string' ? { name: value } : value;
  if (typeof spec !== 'object' || spec === null || typeof spec.name !== 'string') {
    throw new LoraConfigError('init', 'LoRA config: init must be an initialiser name or { name, options }');
  }
  const options = 'options' in spec && spec.options !== undefined ? spec.options : {};
  if (typeof options !== 'object' || options === null)
    throw new LoraConfigError('init', `LoRA config: init.options must be an object`);
  const initializer = getInitializer(spec.name);
  const frozen = Object.freeze({ ...options });
  initializer.validateOptions(frozen);
  return Object.freeze({ name: spec.name, options: frozen });
}
