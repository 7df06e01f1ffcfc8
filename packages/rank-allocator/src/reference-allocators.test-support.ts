// Test-only: independent reference allocators (the input arbitraries are in ./testing/arbitraries).
import type { LayerSpectrum } from './rank-allocator';

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Reference for explainedVariance without groups, by a different algorithm than the sort-and-cut
 * implementation: hand out the budget one unit at a time to the layer whose next component has the
 * largest ratio (ties: lower next index, then lower name).
 */
export function greedyExplainedVariance(layers: readonly LayerSpectrum[], budget: number): Record<string, number> {
  const rank = new Map(layers.map((l) => [l.name, 0]));
  for (let unit = 0; unit < budget; unit++) {
    let best: LayerSpectrum | undefined;
    for (const l of layers) {
      const j = rank.get(l.name)!;
      if (j >= l.maxRank) continue;
      if (best === undefined) {
        best = l;
        continue;
      }
      const jb = rank.get(best.name)!;
      const [r, rb] = [l.explainedVarianceRatio[j]!, best.explainedVarianceRatio[jb]!];
      if (r > rb || (r === rb && (j < jb || (j === jb && l.name < best.name)))) best = l;
    }
    if (best === undefined) break;
    rank.set(best.name, rank.get(best.name)! + 1);
  }
  return Object.fromEntries(rank);
}

/** Reference for uniform: one unit at a time to the lowest-ranked layer below its cap (ties: lower name). */
export function greedyUniform(layers: readonly LayerSpectrum[], budget: number): Record<string, number> {
  const rank = new Map(layers.map((l) => [l.name, 0]));
  for (let unit = 0; unit < budget; unit++) {
    const open = layers.filter((l) => rank.get(l.name)! < l.maxRank);
    if (open.length === 0) break;
    open.sort((a, b) => rank.get(a.name)! - rank.get(b.name)! || byCodeUnits(a.name, b.name));
    rank.set(open[0]!.name, rank.get(open[0]!.name)! + 1);
  }
  return Object.fromEntries(rank);
}

export const sum = (values: Iterable<number>): number => {
  let s = 0;
  for (const v of values) s += v;
  return s;
};
