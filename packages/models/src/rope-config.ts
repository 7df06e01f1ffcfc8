import { ConfigReader, isJsonObject, ModelConfigError, type JsonObject } from './config-fields';

/**
 * RoPE frequency scaling, as Hugging Face's `ROPE_INIT_FUNCTIONS` (`modeling_rope_utils.py`) names it
 * in `rope_parameters.rope_type` (v5) or `rope_scaling.rope_type`/`type` (v4).
 */
export type RopeScaling =
  | {
      /** Plain RoPE (Su et al. 2021): `inv_freq[i] = theta^(-2i/d)`. */
      readonly kind: 'default';
    }
  | {
      /** Position interpolation: every frequency divided by `factor` (HF `_compute_linear_scaling_rope_parameters`). */
      readonly kind: 'linear';
      /** Context extension factor, > 0. */
      readonly factor: number;
    }
  | {
      /** NTK-aware scaling recomputed from the longest position of each forward call (HF `_compute_dynamic_ntk_parameters`). */
      readonly kind: 'dynamic';
      /** Context extension factor, >= 1. */
      readonly factor: number;
    }
  | {
      /** Llama 3.1's wavelength-dependent smoothing (HF `_compute_llama3_parameters`). */
      readonly kind: 'llama3';
      /** Divisor of the low frequencies, > 0. */
      readonly factor: number;
      /** Wavelengths above `originalMaxPositionEmbeddings / lowFreqFactor` are divided by `factor` (`low_freq_factor`). */
      readonly lowFreqFactor: number;
      /** Wavelengths below `originalMaxPositionEmbeddings / highFreqFactor` are kept (`high_freq_factor`). */
      readonly highFreqFactor: number;
      /** The context length before extension (`original_max_position_embeddings`). */
      readonly originalMaxPositionEmbeddings: number;
    }
  | {
      /** YaRN (Peng et al. 2023): ramp between interpolated and extrapolated frequencies (HF `_compute_yarn_parameters`). */
      readonly kind: 'yarn';
      /** Context extension factor, > 0. */
      readonly factor: number;
      /** Factor on `cos`/`sin` (`attention_factor`); null: `0.1 ln(factor) + 1`, or the `mscale` ratio when both mscales are set, as HF. */
      readonly attentionFactor: number | null;
      /** Rotations above which frequencies extrapolate (`beta_fast`, default 32). */
      readonly betaFast: number;
      /** Rotations below which frequencies interpolate (`beta_slow`, default 1). */
      readonly betaSlow: number;
      /** `mscale` of the attention factor (DeepSeek-style configs), or null. */
      readonly mscale: number | null;
      /** `mscale_all_dim` of the attention factor, or null. */
      readonly mscaleAllDim: number | null;
      /** The context length before extension; when set, the factor used is `max_position_embeddings / this`; null: `max_position_embeddings` and `factor`. */
      readonly originalMaxPositionEmbeddings: number | null;
      /** Round the ramp's bounds to integers (`truncate`, default true). */
      readonly truncate: boolean;
    };

/** One rotary embedding: base `theta` and its scaling. */
export interface RopeConfig {
  /** The base `theta` of the frequencies (`rope_theta`). */
  readonly theta: number;
  /** How the frequencies are scaled for longer contexts. */
  readonly scaling: RopeScaling;
}

/** The attention kinds of `config.layer_types` this package implements. */
export type AttentionKind = 'full_attention' | 'sliding_attention';
const ATTENTION_KINDS: readonly AttentionKind[] = ['full_attention', 'sliding_attention'];

/** The rotary embedding of each attention kind (the same object for both unless the family separates them, as Gemma 3 does). */
export type RopeByKind = Readonly<Record<AttentionKind, RopeConfig>>;

type ScalingParser = (r: ConfigReader) => RopeScaling;

const positive = (v: number): boolean => v > 0;
const optionalNumber = (r: ConfigReader, field: string): number | null =>
  r.raw[field] === undefined || r.raw[field] === null ? null : r.number(field, 0);

/** Registry of implemented rope types; anything else is a named error. */
const SCALINGS: Readonly<Record<string, ScalingParser>> = {
  default: () => ({ kind: 'default' }),
  linear: (r) => ({ kind: 'linear', factor: r.number('factor', NaN, positive, 'a positive number') }),
  dynamic: (r) => ({ kind: 'dynamic', factor: r.number('factor', NaN, (v) => v >= 1, 'a number >= 1') }),
  llama3: (r) => ({
    kind: 'llama3',
    factor: r.number('factor', NaN, positive, 'a positive number'),
    lowFreqFactor: r.number('low_freq_factor', NaN, positive, 'a positive number'),
    highFreqFactor: r.number('high_freq_factor', NaN, positive, 'a positive number'),
    originalMaxPositionEmbeddings: r.positiveInt('original_max_position_embeddings'),
  }),
  yarn: (r) => ({
    kind: 'yarn',
    factor: r.number('factor', NaN, positive, 'a positive number'),
    attentionFactor: optionalNumber(r, 'attention_factor'),
    // HF: `get("beta_fast") or 32`, so 0 and null also mean the default.
    betaFast: r.number('beta_fast', 32) || 32,
    betaSlow: r.number('beta_slow', 1) || 1,
    mscale: optionalNumber(r, 'mscale'),
    mscaleAllDim: optionalNumber(r, 'mscale_all_dim'),
    originalMaxPositionEmbeddings: r.optionalPositiveInt('original_max_position_embeddings'),
    truncate: r.boolean('truncate', true),
  }),
};

/** The rope types `parseRope` implements. */
export const SUPPORTED_ROPE_TYPES: readonly string[] = Object.keys(SCALINGS);

function parseOne(value: JsonObject, field: string, label: string, fallbackTheta: number): RopeConfig {
  const r = new ConfigReader(value, `${label} ${field}`);
  const type = r.string('rope_type', r.string('type', 'default'));
  const parse = SCALINGS[type];
  if (parse === undefined) {
    throw new ModelConfigError(
      `${label} config field "${field}.rope_type" is "${type}", which is not implemented; supported: ${SUPPORTED_ROPE_TYPES.join(', ')}`,
    );
  }
  const partial = value['partial_rotary_factor'];
  if (partial !== undefined && partial !== null && partial !== 1) {
    throw new ModelConfigError(
      `${label} config field "${field}.partial_rotary_factor" is ${JSON.stringify(partial)}; only 1 (rotary over the whole head) is implemented`,
    );
  }
  return { theta: r.number('rope_theta', fallbackTheta, positive, 'a positive number'), scaling: parse(r) };
}

function objectOrNull(raw: JsonObject, field: string, label: string): JsonObject | null {
  const v = raw[field];
  if (v === undefined || v === null) return null;
  if (!isJsonObject(v))
    throw new ModelConfigError(`${label} config field "${field}" must be an object or null, got ${JSON.stringify(v)}`);
  return v;
}

export interface RopeDefaults {
  /** `rope_theta` when the config gives none (HF's default for the family). */
  readonly theta: number;
  /** Families with a separate local rope (Gemma 3): its default theta and the v4 field that holds it (`rope_local_base_freq`). */
  readonly local?: { readonly theta: number; readonly v4Field: string };
}

/**
 * Reads the rotary embedding(s) of a config in either layout:
 * - transformers 5: `rope_parameters` = `{ rope_type, rope_theta, ...}`, or, for families with a rope
 *   per attention kind, `{ full_attention: {...}, sliding_attention: {...} }`;
 * - transformers 4: top-level `rope_theta` plus `rope_scaling` (`type` or `rope_type`), and Gemma 3's
 *   `rope_local_base_freq` for its local layers.
 * Both layouts at once must agree. A top-level `partial_rotary_factor` other than 1 is rejected.
 * @throws ModelConfigError naming the field for a malformed, contradictory or unimplemented value.
 */
export function parseRope(raw: JsonObject, label: string, defaults: RopeDefaults): RopeByKind {
  const r = new ConfigReader(raw, label);
  const partial = raw['partial_rotary_factor'];
  if (partial !== undefined && partial !== null && partial !== 1) {
    throw new ModelConfigError(
      `${label} config field "partial_rotary_factor" is ${JSON.stringify(partial)}; only 1 (rotary over the whole head) is implemented`,
    );
  }
  const topTheta =
    raw['rope_theta'] === undefined || raw['rope_theta'] === null
      ? null
      : r.number('rope_theta', 0, positive, 'a positive number');
  const v4Scaling = objectOrNull(raw, 'rope_scaling', label);
  const v5 = objectOrNull(raw, 'rope_parameters', label);
  const nested = v5 !== null && ATTENTION_KINDS.some((k) => k in v5);
  let result: RopeByKind;
  if (v5 === null) {
    const full = parseOne(v4Scaling ?? {}, 'rope_scaling', label, topTheta ?? defaults.theta);
    const local =
      defaults.local === undefined
        ? full
        : {
            theta: r.number(defaults.local.v4Field, defaults.local.theta, positive, 'a positive number'),
            scaling: { kind: 'default' } as const,
          };
    result = { full_attention: full, sliding_attention: local };
  } else if (nested) {
    if (defaults.local === undefined) {
      throw new ModelConfigError(
        `${label} config field "rope_parameters" is split by attention kind, but this family has one rotary embedding; give one { rope_type, rope_theta } object`,
      );
    }
    const kinds = {} as Record<AttentionKind, RopeConfig>;
    for (const kind of ATTENTION_KINDS) {
      const part = objectOrNull(v5, kind, `${label} rope_parameters`);
      const fallback = kind === 'full_attention' ? (topTheta ?? defaults.theta) : defaults.local.theta;
      kinds[kind] = parseOne(part ?? {}, `rope_parameters.${kind}`, label, fallback);
    }
    result = kinds;
  } else {
    const one = parseOne(v5, 'rope_parameters', label, topTheta ?? defaults.theta);
    if (v5['rope_theta'] !== undefined && v5['rope_theta'] !== null && topTheta !== null && topTheta !== one.theta) {
      throw new ModelConfigError(
        `${label} config is contradictory: "rope_theta" is ${topTheta} but "rope_parameters.rope_theta" is ${one.theta}; keep one`,
      );
    }
    const local =
      defaults.local === undefined
        ? one
        : {
            theta: r.number(defaults.local.v4Field, defaults.local.theta, positive, 'a positive number'),
            scaling: { kind: 'default' } as const,
          };
    result = { full_attention: one, sliding_attention: local };
  }
  if (v5 !== null && v4Scaling !== null) {
    const fromV4 = parseOne(v4Scaling, 'rope_scaling', label, result.full_attention.theta);
    if (JSON.stringify(fromV4.scaling) !== JSON.stringify(result.full_attention.scaling)) {
      throw new ModelConfigError(
        `${label} config is contradictory: "rope_scaling" (${JSON.stringify(v4Scaling)}) and "rope_parameters" disagree; keep one`,
      );
    }
  }
  return result;
}

/** `rope_parameters` in transformers 5's layout for one rope. */
export function ropeToJson(rope: RopeConfig): JsonObject {
  const s = rope.scaling;
  const base = { rope_type: s.kind, rope_theta: rope.theta };
  switch (s.kind) {
    case 'default':
      return base;
    case 'linear':
    case 'dynamic':
      return { ...base, factor: s.factor };
    case 'llama3':
      return {
        ...base,
        factor: s.factor,
        low_freq_factor: s.lowFreqFactor,
        high_freq_factor: s.highFreqFactor,
        original_max_position_embeddings: s.originalMaxPositionEmbeddings,
      };
    case 'yarn':
      return {
        ...base,
        factor: s.factor,
        attention_factor: s.attentionFactor,
        beta_fast: s.betaFast,
        beta_slow: s.betaSlow,
        mscale: s.mscale,
        mscale_all_dim: s.mscaleAllDim,
        original_max_position_embeddings: s.originalMaxPositionEmbeddings,
        truncate: s.truncate,
      };
  }
}
