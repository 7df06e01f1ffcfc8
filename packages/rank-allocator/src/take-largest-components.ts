import type { LayerSpectrum } from './rank-allocator';

interface Candidate {
  readonly layer: number;
  readonly j: number;
  readonly ratio: number;
  readonly preferred: boolean;
}

/**
 * EVA-SPEC step 4: candidates are `(L, ratio_L[j])` for `j < maxRank_L`; take the `budget` best and
 * return, per layer (same indexing as `layers`), how many of its candidates were taken.
 *
 * Order ("best first"), a total order so the result does not depend on input order:
 *   1. preferred candidates (`j < preferred[L]`) before the rest (all candidates when omitted),
 *   2. larger ratio first,
 *   3. lower component index `j` first,
 *   4. layer name ascending in code-unit order.
 * Ratios are sorted descending within a layer, so the taken candidates of each layer are a prefix
 * `j = 0 .. rank_L - 1`, and `sum rank_L = min(budget, sum maxRank_L)`.
 */
export function takeLargestComponents(
  layers: readonly LayerSpectrum[],
  budget: number,
  preferred?: readonly number[],
): number[] {
  const candidates: Candidate[] = [];
  layers.forEach((layer, i) => {
    const cut = preferred?.[i] ?? layer.maxRank;
    for (let j = 0; j < layer.maxRank; j++) {
      candidates.push({ layer: i, j, ratio: layer.explainedVarianceRatio[j] ?? 0, preferred: j < cut });
    }
  });
  const name = (c: Candidate): string => layers[c.layer]?.name ?? '';
  candidates.sort((a, b) => {
    if (a.preferred !== b.preferred) return a.preferred ? -1 : 1;
    if (a.ratio !== b.ratio) return b.ratio - a.ratio;
    if (a.j !== b.j) return a.j - b.j;
    const na = name(a);
    const nb = name(b);
    return na < nb ? -1 : na > nb ? 1 : 0;
  });
  const counts = layers.map(() => 0);
  const taken = Math.min(budget, candidates.length);
  for (let t = 0; t < taken; t++) {
    const c = candidates[t];
    if (c !== undefined) counts[c.layer] = (counts[c.layer] ?? 0) + 1;
  }
  return counts;
}
