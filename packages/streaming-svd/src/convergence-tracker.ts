/** Options of `ConvergenceTracker`. */
export interface ConvergenceTrackerOptions {
  /** Threshold on the signed cosine similarity (EVA's `tau`, default 0.99), in [0, 1]. */
  readonly tau?: number;
}

/**
 * Tracks how much each component moved between consecutive fits (EVA step 3): after every
 * `update`, `similarities[j] = cos(components_new[j], components_old[j])`, signed (the sklearn sign
 * convention makes signs stable). A prefix of components is converged when each of its
 * similarities is `>= tau`. Nothing is converged before the second update.
 */
export class ConvergenceTracker {
  /** The threshold in use (option `tau`, default 0.99). */
  readonly tau: number;
  private previous: Float64Array | null = null;
  private previousRows = 0;
  private sims: Float64Array | null = null;
  private count = 0;

  constructor(options: ConvergenceTrackerOptions = {}) {
    const tau = options.tau ?? 0.99;
    if (typeof tau !== 'number' || !(tau >= 0 && tau <= 1)) {
      throw new RangeError(`ConvergenceTracker: tau must be a number in [0, 1], got ${String(tau)}`);
    }
    this.tau = tau;
  }

  /** Number of `update` calls so far. */
  get updates(): number {
    return this.count;
  }

  /** Signed cosines of the last update (a copy), or null before the second update. */
  get similarities(): Float64Array | null {
    return this.sims === null ? null : this.sims.slice();
  }

  /**
   * Records new components (row-major `[rows, d]`) and returns the signed cosine of each row
   * against the previous update's row (only the rows both have), or null on the first update.
   */
  update(components: Float32Array | Float64Array, rows: number): Float64Array | null {
    if (!Number.isInteger(rows) || rows < 1 || components.length % rows !== 0) {
      throw new RangeError(
        `ConvergenceTracker.update: ${components.length} values cannot be ${rows} rows; pass the component count as rows`,
      );
    }
    const d = components.length / rows;
    const current = Float64Array.from(components);
    const previous = this.previous;
    if (previous !== null && previous.length / this.previousRows !== d) {
      throw new RangeError(
        `ConvergenceTracker.update: components have width ${d} but earlier ones had ${previous.length / this.previousRows}; call reset() first`,
      );
    }
    if (previous !== null) {
      const shared = Math.min(rows, this.previousRows);
      const sims = new Float64Array(shared);
      for (let j = 0; j < shared; j++) sims[j] = cosine(current, previous, j * d, d);
      this.sims = sims;
    }
    this.previous = current;
    this.previousRows = rows;
    this.count++;
    return this.sims === null ? null : this.sims.slice();
  }

  /** True when the first `prefix` components each have similarity `>= tau` (`prefix = 0`: true). */
  isConverged(prefix: number): boolean {
    if (!Number.isInteger(prefix) || prefix < 0)
      throw new RangeError(`ConvergenceTracker.isConverged: prefix must be an integer >= 0, got ${prefix}`);
    if (prefix === 0) return true;
    const sims = this.sims;
    if (sims === null || sims.length < prefix) return false;
    for (let j = 0; j < prefix; j++) if (!((sims[j] as number) >= this.tau)) return false;
    return true;
  }

  /** Forgets all history. */
  reset(): void {
    this.previous = null;
    this.previousRows = 0;
    this.sims = null;
    this.count = 0;
  }
}

function cosine(a: Float64Array, b: Float64Array, offset: number, d: number): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = offset; i < offset + d; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}
