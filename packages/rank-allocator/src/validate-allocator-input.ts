import { findGroups, layerAt } from './find-groups';
import type { LayerSpectrum } from './rank-allocator';
import { RankAllocatorError } from './rank-allocator-error';

/** What an allocator needs beyond the basic checks. */
export interface ValidateAllocatorInputOptions {
  /**
   * The allocator ranks components by their ratio, so every layer needs at least `maxRank`
   * ratios, and members of a group must carry their representative's ratios on the entries
   * they use. Default `false` (ratios are still checked to be finite, >= 0 and descending).
   */
  readonly requireRatios?: boolean;
}

/**
 * Checks an allocator's input and throws a {@link RankAllocatorError} (code `INVALID_INPUT`)
 * naming the layer and field at fault. Every built-in allocator calls it first; a user-written
 * allocator can too.
 *
 * Rules: `budget` is a non-negative safe integer; layer names are unique non-empty strings;
 * `maxRank` is a non-negative safe integer; `explainedVarianceRatio` entries are finite, >= 0 and
 * sorted descending; `group`, when present, is a non-empty string; `representative: true` only on
 * a grouped layer, at most one per group, and on a member with the group's largest `maxRank`.
 */
export function validateAllocatorInput(
  layers: readonly LayerSpectrum[],
  budget: number,
  options: ValidateAllocatorInputOptions = {},
): void {
  const requireRatios = options.requireRatios ?? false;
  if (!Array.isArray(layers)) {
    throw invalid(`layers must be an array of { name, explainedVarianceRatio, maxRank }, got ${describe(layers)}`, {
      field: 'layers',
    });
  }
  if (typeof budget !== 'number' || !Number.isSafeInteger(budget) || budget < 0) {
    throw invalid(
      `budget must be a non-negative integer (the total rank to share, e.g. N * r), got ${describe(budget)}; ` +
        'round it first (e.g. with roundHalfEven)',
      { field: 'budget' },
    );
  }

  const seen = new Map<string, number>();
  layers.forEach((layer: unknown, i) => {
    if (typeof layer !== 'object' || layer === null) {
      throw invalid(
        `layers[${i}] must be an object { name, explainedVarianceRatio, maxRank }, got ${describe(layer)}`,
        {
          field: 'layers',
        },
      );
    }
    checkLayer(layer as LayerSpectrum, i, seen, requireRatios);
  });

  for (const group of findGroups(layers)) {
    const marked = group.members.filter((i) => layerAt(layers, i).representative === true);
    if (marked.length > 1) {
      const names = marked.map((i) => `"${layerAt(layers, i).name}"`).join(', ');
      throw invalid(
        `group "${group.name}" has ${marked.length} layers marked representative (${names}); mark at most one`,
        { layer: layerAt(layers, marked[1] ?? 0).name, field: 'representative' },
      );
    }
    const rep = layerAt(layers, group.representative);
    for (const i of group.members) {
      const member = layerAt(layers, i);
      if (member.maxRank > rep.maxRank) {
        throw invalid(
          `layer "${member.name}" has maxRank ${member.maxRank} but the representative "${rep.name}" of group ` +
            `"${group.name}" has maxRank ${rep.maxRank}; the representative computes the shared SVD, so give it ` +
            'the largest maxRank in its group (or mark another member representative)',
          { layer: member.name, field: 'maxRank' },
        );
      }
      if (!requireRatios || i === group.representative) continue;
      for (let j = 0; j < member.maxRank; j++) {
        if (member.explainedVarianceRatio[j] !== rep.explainedVarianceRatio[j]) {
          throw invalid(
            `layer "${member.name}" has explainedVarianceRatio[${j}] = ${member.explainedVarianceRatio[j]} but ` +
              `its group "${group.name}" representative "${rep.name}" has ${rep.explainedVarianceRatio[j]}; ` +
              "members of an identical-input group share one SVD: pass the representative's ratios for every member",
            { layer: member.name, field: 'explainedVarianceRatio' },
          );
        }
      }
    }
  }
}

function checkLayer(layer: LayerSpectrum, i: number, seen: Map<string, number>, requireRatios: boolean): void {
  const { name } = layer;
  if (typeof name !== 'string' || name.length === 0) {
    throw invalid(`layers[${i}].name must be a non-empty string, got ${describe(name)}`, { field: 'name' });
  }
  const where = `layer "${name}" (layers[${i}])`;
  const previous = seen.get(name);
  if (previous !== undefined) {
    throw invalid(`duplicate layer name "${name}" at layers[${previous}] and layers[${i}]; names must be unique`, {
      layer: name,
      field: 'name',
    });
  }
  seen.set(name, i);

  const { maxRank } = layer;
  if (typeof maxRank !== 'number' || !Number.isSafeInteger(maxRank) || maxRank < 0) {
    throw invalid(`${where}: maxRank must be a non-negative integer, got ${describe(maxRank)}`, {
      layer: name,
      field: 'maxRank',
    });
  }

  const ratios: unknown = layer.explainedVarianceRatio;
  if (typeof ratios !== 'object' || ratios === null || !Number.isSafeInteger((ratios as ArrayLike<unknown>).length)) {
    throw invalid(`${where}: explainedVarianceRatio must be an array of numbers, got ${describe(ratios)}`, {
      layer: name,
      field: 'explainedVarianceRatio',
    });
  }
  const values = ratios as ArrayLike<unknown>;
  for (let j = 0; j < values.length; j++) {
    const v = values[j];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw invalid(
        `${where}: explainedVarianceRatio[${j}] is ${describe(v)}; ratios must be finite and >= 0 ` +
          '(a NaN usually means the layer saw zero total variance; clamp tiny negative round-off to 0)',
        { layer: name, field: 'explainedVarianceRatio' },
      );
    }
    const before = values[j - 1];
    if (j > 0 && typeof before === 'number' && v > before) {
      throw invalid(
        `${where}: explainedVarianceRatio must be sorted descending, but [${j - 1}] = ${before} < [${j}] = ${v}`,
        { layer: name, field: 'explainedVarianceRatio' },
      );
    }
  }
  if (requireRatios && values.length < maxRank) {
    throw invalid(
      `${where}: has ${values.length} explainedVarianceRatio entries but maxRank ${maxRank}; this allocator ` +
        'ranks components, so pass at least maxRank ratios (or lower maxRank to the number of computed components)',
      { layer: name, field: 'explainedVarianceRatio' },
    );
  }

  const { group, representative } = layer;
  if (group !== undefined && (typeof group !== 'string' || group.length === 0)) {
    throw invalid(`${where}: group must be a non-empty string when present, got ${describe(group)}`, {
      layer: name,
      field: 'group',
    });
  }
  if (representative !== undefined && typeof representative !== 'boolean') {
    throw invalid(`${where}: representative must be a boolean when present, got ${describe(representative)}`, {
      layer: name,
      field: 'representative',
    });
  }
  if (representative === true && group === undefined) {
    throw invalid(`${where}: representative: true needs a group; set group or drop the flag`, {
      layer: name,
      field: 'representative',
    });
  }
}

function invalid(message: string, where: { layer?: string; field?: string }): RankAllocatorError {
  return new RankAllocatorError('INVALID_INPUT', message, where);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) {
    return String(value);
  }
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  return typeof value;
}
