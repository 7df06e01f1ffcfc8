import { RankAllocatorError } from './rank-allocator-error';
import { roundHalfEven } from './round-half-even';

/**
 * Each layer's `maxRank` for EVA: `min(roundHalfEven(r_L * rho), limit_L)` (EVA-SPEC: a layer may
 * get up to `round(r_L * rho)` components, clamped to what its PCA can produce, `min(in, rows)`).
 *
 * @param r the LoRA rank: one integer >= 1 for every layer, or a record with an integer >= 1 for
 *   every layer in `limits` (extra keys are ignored).
 * @param rho the redistribution factor, finite and >= 1 (`rho = 1` gives `maxRank = r`).
 * @param limits one entry per layer: a non-negative integer cap, or `Infinity` for none. Its keys
 *   are the output's keys.
 */
export function maxRanksFor(
  r: number | Readonly<Record<string, number>>,
  rho: number,
  limits: Readonly<Record<string, number>>,
): Record<string, number> {
  if (typeof rho !== 'number' || !Number.isFinite(rho) || rho < 1) {
    throw new RankAllocatorError(
      'INVALID_OPTIONS',
      `rho must be a finite number >= 1, got ${String(rho)}; rho = 1 means uniform ranks`,
      {
        field: 'rho',
      },
    );
  }
  const entries = Object.entries(limits).map(([name, limit]): [string, number] => {
    const rank = typeof r === 'number' ? r : Object.hasOwn(r, name) ? r[name] : undefined;
    if (typeof rank !== 'number' || !Number.isSafeInteger(rank) || rank < 1) {
      const what = rank === undefined ? 'is missing' : `is ${String(rank)}`;
      throw new RankAllocatorError(
        'INVALID_INPUT',
        `r for layer "${name}" ${what}; r must be an integer >= 1 (one number, or one entry per layer in limits)`,
        { layer: name, field: 'r' },
      );
    }
    if (typeof limit !== 'number' || !(limit === Infinity || (Number.isSafeInteger(limit) && limit >= 0))) {
      throw new RankAllocatorError(
        'INVALID_INPUT',
        `limit for layer "${name}" is ${String(limit)}; use a non-negative integer (e.g. min(inFeatures, rows)) or Infinity`,
        { layer: name, field: 'limits' },
      );
    }
    return [name, Math.min(roundHalfEven(rank * rho), limit)];
  });
  return Object.fromEntries(entries);
}
