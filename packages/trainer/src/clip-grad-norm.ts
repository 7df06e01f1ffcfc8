import * as tf from '@tensorflow/tfjs-core';

/**
 * The global L2 norm of all gradients, and the gradients scaled so that norm is at most `maxNorm`,
 * as `torch.nn.utils.clip_grad_norm_(params, maxNorm)` (PyTorch 1.13):
 * `coef = min(1, maxNorm / (totalNorm + 1e-6))`, every gradient multiplied by `coef`.
 *
 * Returns new tensors (the caller owns them and still owns `grads`) and the pre-clip norm as a
 * number (which may be `NaN`/`Infinity` when a gradient is not finite). With `maxNorm` null or
 * `Infinity` nothing is scaled and the returned map holds clones.
 */
export function clipGradNorm(
  grads: ReadonlyMap<string, tf.Tensor>,
  maxNorm: number | null,
): {
  /** The clipped gradients by parameter name, new tensors owned by the caller. */
  grads: Map<string, tf.Tensor>;
  /** The global L2 norm before clipping. */
  totalNorm: number;
} {
  if (maxNorm !== null && !(maxNorm > 0))
    throw new RangeError(`clipGradNorm: maxNorm must be > 0 (or null for no clipping), got ${maxNorm}`);
  const totalNorm = globalNorm([...grads.values()]);
  const coef = maxNorm === null || maxNorm === Infinity ? 1 : Math.min(1, maxNorm / (totalNorm + 1e-6));
  const out = new Map<string, tf.Tensor>();
  for (const [name, g] of grads)
    out.set(
      name,
      tf.tidy(() => (coef === 1 ? tf.clone(g) : tf.mul(g, coef))),
    );
  return { grads: out, totalNorm };
}

/** `sqrt(sum_i ||g_i||^2)` over all tensors, read back as a number. */
export function globalNorm(tensors: readonly tf.Tensor[]): number {
  if (tensors.length === 0) return 0;
  const norm = tf.tidy(() => tf.sqrt(tf.addN(tensors.map((g) => tf.sum(tf.square(g))))));
  const value = norm.dataSync()[0] as number;
  norm.dispose();
  return value;
}
