import { PeftjsError } from '@peftjs/core';
/**
 * EVA's configuration, validated once when built (EVA-SPEC "Config"; defaults as PEFT's `EvaConfig`).
 * Bad values throw an {@link EvaConfigError} naming the field, before any data is touched.
 */
export interface EvaConfig {
  /** LoRA rank per layer: the per-layer share of the rank budget. */
  readonly r: number;
  /** Each layer may get up to `roundHalfEven(r * rho)` components; `rho = 1` gives uniform ranks. */
  readonly rho: number;
  /** A layer is converged when the cosine of each allotted component to its previous fit is >= tau. */
  readonly tau: number;
  /** Drop token rows whose label equals `labelMaskValue` (PEFT before v0.20 never applied it). */
  readonly useLabelMask: boolean;
  /** The label id that marks rows without loss (default -100, PyTorch's `ignore_index`). */
  readonly labelMaskValue: number;
  /** Divide each component by sqrt of its singular value. */
  readonly whiten: boolean;
  /** Keep each layer's LoRA scaling unchanged when its rank changes. */
  readonly adjustScalingFactors: boolean;
  /** Stop after this many batches (PEFT has no cap and can loop forever). */
  readonly maxSteps: number;
  /** What to do when `maxSteps` is reached with layers unconverged. */
  readonly onMaxSteps: 'error' | 'use-partial';
  /** Module names or a RegExp (PEFT matching); `null`: every Linear layer. */
  readonly targetModules: readonly string[] | RegExp | null;
  /** Incremental PCA solver. */
  readonly solver: 'exact' | 'randomized' | 'auto';
  /** Seed for the randomized solver. */
  readonly seed: number;
}

/** What {@link parseEvaConfig} accepts: any subset of {@link EvaConfig}; missing fields take {@link EVA_CONFIG_DEFAULTS}. */
export type EvaConfigInput = Partial<EvaConfig>;

/** A bad EVA config value (code `E_CONFIG`); `field` names it and the message says what is allowed. */
export class EvaConfigError extends PeftjsError {
  /** Always `'EvaConfigError'`. */
  override readonly name = 'EvaConfigError';
  /**
   * @param field - the config field (`r`, `rho`, `tau`, ...).
   * @param message - what was wrong with it; prefixed with `EvaConfig.<field>: `.
   */
  constructor(
    readonly field: string,
    message: string,
  ) {
    super('E_CONFIG', `EvaConfig.${field}: ${message}`);
  }
}

/** The defaults, frozen: PEFT's `EvaConfig` ones (`rho` 2, `tau` 0.99, label mask -100) plus `r` 8, `maxSteps` 1000, `seed` 42. */
export const EVA_CONFIG_DEFAULTS: EvaConfig = Object.freeze({
  r: 8,
  rho: 2,
  tau: 0.99,
  useLabelMask: true,
  labelMaskValue: -100,
  whiten: false,
  adjustScalingFactors: true,
  maxSteps: 1000,
  onMaxSteps: 'error',
  targetModules: null,
  solver: 'auto',
  seed: 42,
});

/** Returns a new frozen, validated config; the caller's object is never mutated. */
export function parseEvaConfig(input: EvaConfigInput = {}): EvaConfig {
  const known = new Set(Object.keys(EVA_CONFIG_DEFAULTS));
  for (const key of Object.keys(input)) {
    if (!known.has(key)) throw new EvaConfigError(key, `unknown field; known fields are ${[...known].join(', ')}`);
  }
  const c: EvaConfig = { ...EVA_CONFIG_DEFAULTS, ...definedOnly(input) };
  if (!Number.isInteger(c.r) || c.r < 1) throw new EvaConfigError('r', `must be an integer >= 1, got ${String(c.r)}`);
  if (!(Number.isFinite(c.rho) && c.rho >= 1))
    throw new EvaConfigError('rho', `must be a finite number >= 1, got ${String(c.rho)}`);
  if (!(c.tau >= 0 && c.tau <= 1)) throw new EvaConfigError('tau', `must be in [0, 1], got ${String(c.tau)}`);
  if (!Number.isInteger(c.labelMaskValue))
    throw new EvaConfigError('labelMaskValue', `must be an integer, got ${String(c.labelMaskValue)}`);
  if (!Number.isInteger(c.maxSteps) || c.maxSteps < 1)
    throw new EvaConfigError('maxSteps', `must be an integer >= 1, got ${String(c.maxSteps)}`);
  if (!Number.isInteger(c.seed)) throw new EvaConfigError('seed', `must be an integer, got ${String(c.seed)}`);
  for (const flag of ['useLabelMask', 'whiten', 'adjustScalingFactors'] as const) {
    if (typeof c[flag] !== 'boolean') throw new EvaConfigError(flag, `must be true or false, got ${String(c[flag])}`);
  }
  if (!['error', 'use-partial'].includes(c.onMaxSteps))
    throw new EvaConfigError('onMaxSteps', `must be "error" or "use-partial", got ${String(c.onMaxSteps)}`);
  if (!['exact', 'randomized', 'auto'].includes(c.solver))
    throw new EvaConfigError('solver', `must be "exact", "randomized" or "auto", got ${String(c.solver)}`);
  const targets = c.targetModules;
  if (targets !== null && !(targets instanceof RegExp)) {
    if (
      !Array.isArray(targets) ||
      targets.length === 0 ||
      !targets.every((t) => typeof t === 'string' && t.length > 0)
    ) {
      throw new EvaConfigError(
        'targetModules',
        'must be a non-empty list of module names, a RegExp, or null for every Linear layer',
      );
    }
  }
  return Object.freeze({ ...c, targetModules: Array.isArray(targets) ? Object.freeze([...targets]) : targets });
}

/** The fields PEFT's `EvaConfig` has, in its snake_case spelling, for `adapter_config.json`. */
export function toPeftEvaConfig(config: EvaConfig): Record<string, unknown> {
  return {
    rho: config.rho,
    tau: config.tau,
    use_label_mask: config.useLabelMask,
    label_mask_value: config.labelMaskValue,
    whiten: config.whiten,
    adjust_scaling_factors: config.adjustScalingFactors,
  };
}

function definedOnly<T extends object>(input: T): Partial<T> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as Partial<T>;
}
