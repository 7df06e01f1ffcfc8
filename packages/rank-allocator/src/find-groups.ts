import type { LayerSpectrum } from './rank-allocator';

/** An identical-input group: indices into the layers array, and which one represents it. */
export interface LayerGroup {
  readonly name: string;
  readonly members: readonly number[];
  readonly representative: number;
}

/**
 * Groups layers by `group` and picks each group's representative: the member marked
 * `representative: true`, else the member with the largest `maxRank`, ties going to the lowest
 * name in code-unit order. Independent of input order. Assumes names are unique (validated
 * elsewhere); when several members are marked, the lowest-named marked one is returned and
 * validation reports the conflict.
 */
export function findGroups(layers: readonly LayerSpectrum[]): LayerGroup[] {
  const byGroup = new Map<string, number[]>();
  layers.forEach((layer, i) => {
    if (layer.group === undefined) return;
    const members = byGroup.get(layer.group);
    if (members) members.push(i);
    else byGroup.set(layer.group, [i]);
  });
  const groups: LayerGroup[] = [];
  for (const [name, members] of byGroup) {
    let best = -1;
    for (const i of members) {
      if (best < 0 || precedesAsRepresentative(layerAt(layers, i), layerAt(layers, best))) best = i;
    }
    groups.push({ name, members, representative: best });
  }
  return groups;
}

/** True when `a` is a better representative candidate than `b`. */
function precedesAsRepresentative(a: LayerSpectrum, b: LayerSpectrum): boolean {
  const markA = a.representative === true;
  const markB = b.representative === true;
  if (markA !== markB) return markA;
  if (a.maxRank !== b.maxRank) return a.maxRank > b.maxRank;
  return a.name < b.name;
}

export function layerAt(layers: readonly LayerSpectrum[], i: number): LayerSpectrum {
  const layer = layers[i];
  if (layer === undefined) throw new RangeError(`layer index ${i} out of range [0, ${layers.length})`);
  return layer;
}
