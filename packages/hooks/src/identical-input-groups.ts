import * as tf from '@tensorflow/tfjs-core';

/** Layers that receive the same input (q/k/v projections, gate/up) and therefore share one set of statistics. */
export interface IdenticalInputGroup {
  /** The member first in module order; the only one whose rows are handed over. */
  readonly representative: string;
  /** Every layer of the group in module order, the representative first. */
  readonly members: readonly string[];
}

/** Number of entries sampled (evenly spread over the flattened tensor) into a fingerprint. */
const SAMPLES = 8;

/**
 * A cheap content fingerprint of a layer input: `[sum, sum of squares, SAMPLES evenly spaced entries]`.
 * Two reductions and one small gather on the device; the caller keeps and disposes the result.
 * Used only when two layers receive different tensor objects of the same shape on the first batch.
 */
export function inputFingerprint(x: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    const flat = tf.reshape(tf.cast(x, 'float32'), [-1]);
    const n = flat.shape[0] as number;
    const at = Array.from({ length: SAMPLES }, (_, i) => (n <= 1 ? 0 : Math.floor((i * (n - 1)) / (SAMPLES - 1))));
    const sampled = n === 0 ? tf.zeros([SAMPLES]) : tf.gather(flat, tf.tensor1d(at, 'int32'));
    return tf.concat([tf.stack([tf.sum(flat), tf.sum(tf.square(flat))]), sampled]) as tf.Tensor1D;
  });
}

/** What the first batch told us about one layer's input. */
export interface FirstInputRecord {
  readonly name: string;
  /** The input tensor object the layer's forward received (compared by identity). */
  readonly input: object;
  readonly shape: readonly number[];
  /** Layers with different row-preparation functions never share statistics. */
  readonly prepareKey: unknown;
  /** The fingerprint values (read back once), or `null` when not computed. */
  readonly fingerprint: readonly number[] | null;
}

/**
 * Partitions layers (given in module order) into identical-input groups: the same input object, or
 * the same shape and fingerprint, and the same preparation function. Returns every group, singletons included.
 */
export function partitionByIdenticalInput(records: readonly FirstInputRecord[]): IdenticalInputGroup[] {
  const groups: { key: FirstInputRecord; members: string[] }[] = [];
  for (const r of records) {
    const home = groups.find(({ key }) => key.prepareKey === r.prepareKey && sameInput(key, r));
    if (home) home.members.push(r.name);
    else groups.push({ key: r, members: [r.name] });
  }
  return groups.map(({ members }) => ({ representative: members[0] as string, members }));
}

function sameInput(a: FirstInputRecord, b: FirstInputRecord): boolean {
  if (a.input === b.input) return true;
  if (a.fingerprint === null || b.fingerprint === null) return false;
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) return false;
  return (
    a.fingerprint.length === b.fingerprint.length && a.fingerprint.every((v, i) => Object.is(v, b.fingerprint?.[i]))
  );
}
