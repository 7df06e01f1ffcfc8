import { PeftjsError } from '@peftjs/core';

/** A parsed `config.json`: a plain JSON object. */
export type JsonObject = Record<string, unknown>;

/**
 * Raised for a `config.json` that is missing, malformed, contradictory or unsupported, including
 * any field that changes the numbers but is not implemented (code `E_CONFIG`).
 */
export class ModelConfigError extends PeftjsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_CONFIG', message, options);
    this.name = 'ModelConfigError';
  }
}

/** Reads typed fields of a Hugging Face `config.json`, naming the field and the model in every error. */
export class ConfigReader {
  constructor(
    readonly raw: JsonObject,
    readonly label: string,
  ) {}

  positiveInt(field: string, fallback?: number): number {
    const v = this.raw[field] ?? fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
      throw new ModelConfigError(
        `${this.label} config field "${field}" must be a positive integer, got ${JSON.stringify(this.raw[field])}${fallback === undefined ? ' (it is required)' : ''}`,
      );
    }
    return v;
  }

  optionalPositiveInt(field: string): number | null {
    const v = this.raw[field];
    if (v === undefined || v === null) return null;
    return this.positiveInt(field);
  }

  number(
    field: string,
    fallback: number,
    check: (v: number) => boolean = Number.isFinite,
    rule = 'a finite number',
  ): number {
    const v = this.raw[field] ?? fallback;
    if (typeof v !== 'number' || !check(v)) {
      throw new ModelConfigError(
        `${this.label} config field "${field}" must be ${rule}, got ${JSON.stringify(this.raw[field])}`,
      );
    }
    return v;
  }

  probability(field: string, fallback: number): number {
    return this.number(field, fallback, (v) => v >= 0 && v < 1, 'a probability in [0, 1)');
  }

  boolean(field: string, fallback: boolean): boolean {
    const v = this.raw[field] ?? fallback;
    if (typeof v !== 'boolean')
      throw new ModelConfigError(
        `${this.label} config field "${field}" must be true or false, got ${JSON.stringify(v)}`,
      );
    return v;
  }

  string(field: string, fallback: string): string {
    const v = this.raw[field] ?? fallback;
    if (typeof v !== 'string')
      throw new ModelConfigError(`${this.label} config field "${field}" must be a string, got ${JSON.stringify(v)}`);
    return v;
  }

  oneOf<T extends string>(field: string, fallback: T, allowed: readonly T[]): T {
    const v = this.string(field, fallback);
    if (!(allowed as readonly string[]).includes(v)) {
      throw new ModelConfigError(
        `${this.label} config field "${field}" is "${v}", which is not supported; supported: ${allowed.join(', ')}`,
      );
    }
    return v as T;
  }

  /** Fails when a field that changes the maths is set to a value this implementation does not model. */
  requireDefault(field: string, expected: unknown, why: string): void {
    const v = this.raw[field];
    if (v !== undefined && v !== null && v !== expected) {
      throw new ModelConfigError(
        `${this.label} config field "${field}" is ${JSON.stringify(v)}; only ${JSON.stringify(expected)} is supported (${why})`,
      );
    }
  }
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** HF prunes attention heads listed in `pruned_heads` when it builds the model; not implemented, so a non-empty map is an error. */
export function rejectPrunedHeads(r: ConfigReader): void {
  const v = r.raw['pruned_heads'];
  if (v === undefined || v === null || (isJsonObject(v) && Object.keys(v).length === 0)) return;
  throw new ModelConfigError(
    `${r.label} config field "pruned_heads" is ${JSON.stringify(v)}; pruned attention heads are not implemented, use an unpruned checkpoint`,
  );
}
