import * as tf from '@tensorflow/tfjs-core';

/**
 * A learnable tensor owned by a {@link Module}. Wraps a `tf.Variable`; the `trainable` flag is the
 * variable's own, so `tf.variableGrads` and tfjs optimizers honour freezing without extra work.
 */
export class Parameter {
  /** The variable holding the data; read it, and write through {@link Parameter.assign}. */
  readonly value: tf.Variable;

  /** Takes ownership of `initial`: the variable shares its data and `initial` itself is disposed. */
  constructor(initial: tf.Tensor, trainable = true) {
    this.value = tf.variable(initial, trainable);
    initial.dispose();
  }

  /** Whether gradients are taken for it (`tf.Variable.trainable`); false once frozen. */
  get trainable(): boolean {
    return this.value.trainable;
  }

  /** `false` freezes it, `true` unfreezes it. */
  set trainable(flag: boolean) {
    this.value.trainable = flag;
  }

  /** A copy of the value's shape. */
  get shape(): number[] {
    return this.value.shape.slice();
  }

  /** Number of scalars in the value. */
  get size(): number {
    return this.value.size;
  }

  /** Overwrites the value in place; the new tensor must have the same shape. The caller keeps ownership of `t`. */
  assign(t: tf.Tensor): void {
    if (!shapesEqual(t.shape, this.value.shape)) {
      throw new Error(
        `Parameter.assign: shape [${t.shape.join(', ')}] does not match the parameter's [${this.value.shape.join(', ')}]`,
      );
    }
    this.value.assign(t.dtype === this.value.dtype ? t : tf.tidy(() => tf.cast(t, this.value.dtype)));
  }

  /** Frees the variable. */
  dispose(): void {
    this.value.dispose();
  }
}

/** Whether two shapes have the same rank and sizes. */
export function shapesEqual(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
