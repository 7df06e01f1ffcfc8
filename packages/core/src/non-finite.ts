import { PeftjsError } from './peftjs-error';

/**
 * A NaN or an infinity where only finite numbers make sense (code `E_NON_FINITE`, or a more specific
 * `E_NON_FINITE_*` in subclasses): in a weight read
 * from a file, in the activations a layer received, or in a loss. `subject` names the tensor, the
 * layer or the step, so the message can say where it came from and nothing continues with it.
 */
export class NonFiniteError extends PeftjsError {
  constructor(
    /** What held the value: a tensor name, a layer path, or a step. */
    readonly subject: string,
    message: string,
    /** A more specific `E_NON_FINITE_*` code for subclasses (the trainer's `E_NON_FINITE_LOSS`). */
    code = 'E_NON_FINITE',
  ) {
    super(code, message);
    this.name = 'NonFiniteError';
  }
}

/** How many entries of `values` are NaN or infinite, and the index of the first (-1 when none). */
export function countNonFinite(values: ArrayLike<number>): {
  /** Number of NaN, `Infinity` or `-Infinity` entries. */
  count: number;
  /** Index of the first such entry, or -1. */
  first: number;
} {
  let count = 0;
  let first = -1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v - v !== 0) {
      // NaN - NaN and Inf - Inf are NaN; every finite v gives 0
      if (first < 0) first = i;
      count++;
    }
  }
  return { count, first };
}

/**
 * Throws {@link NonFiniteError} when `values` hold NaN or an infinity, naming `subject`
 * (e.g. `tensor "model.layers.0.self_attn.q_proj.weight" in model.safetensors`) and saying what to do.
 */
export function assertFinite(values: ArrayLike<number>, subject: string, advice: string): void {
  const { count, first } = countNonFinite(values);
  if (count === 0) return;
  throw new NonFiniteError(
    subject,
    `${subject} holds ${count} NaN or infinite value(s) of ${values.length} (first at flat index ${first}: ${String(values[first])}); ${advice}`,
  );
}
