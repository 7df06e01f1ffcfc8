import { findGroups, layerAt } from './find-groups';
import type { LayerSpectrum } from './rank-allocator';

/**
 * Within each identical-input group, the representative ends with the group's largest rank
 * (EVA-SPEC step 4; PEFT swaps ranks between a layer and its hook layer the same way). If a member
 * holds more than the representative, the two swap ranks; among several members holding the
 * maximum, the lowest name in code-unit order swaps. The multiset of ranks, and so the sum, is
 * unchanged, and no rank exceeds its `maxRank` because the representative has the group's largest
 * `maxRank` (validated). Updates `ranks` (indexed like `layers`) in place.
 */
export function giveRepresentativesLargestRank(layers: readonly LayerSpectrum[], ranks: number[]): void {
  for (const group of findGroups(layers)) {
    const rep = group.representative;
    let holder = rep;
    for (const i of group.members) {
      const better = (ranks[i] ?? 0) - (ranks[holder] ?? 0);
      if (better > 0 || (better === 0 && holder !== rep && layerAt(layers, i).name < layerAt(layers, holder).name)) {
        holder = i;
      }
    }
    if (holder === rep) continue;
    const repRank = ranks[rep] ?? 0;
    ranks[rep] = ranks[holder] ?? 0;
    ranks[holder] = repRank;
  }
}
