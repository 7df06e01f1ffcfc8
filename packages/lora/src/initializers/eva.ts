import * as tf from '@tensorflow/tfjs-core';
import type { InitializerOptions, LoraInitializer } from '../lora-initializer';
import { normaliseModulePath } from '../module-path';
import { assertKnownOptions, exactPeftValue } from './options';

/** One layer's EVA components: `rows x in` row-major `Float32Array`, or an array of rows. */
export type EvaComponents = Float32Array | readonly (readonly number[])[];

/**
 * EVA (Paischer et al., arXiv 2410.07170; PEFT's `init_lora_weights="eva"`): `A` = the first `r`
 * rows of the layer's precomputed components (right-singular vectors of its input activations,
 * already whitened if wanted), `B = 0`.
 *
 * Options: `{ components: Record<modulePath, EvaComponents> }`. Each entry holds at least `r` rows
 * of length `in` (more rows are allowed; the first `r` are used, so an EVA state computed with
 * `r * rho` components can be passed as is). Keys are module paths; a `.base_layer` segment is
 * ignored, so keys taken from a model with or without adapters both match.
 */
export const evaInitializer: LoraInitializer = {
  mutatesBaseWeight: false,
  peftInitValue: () => 'eva',
  fromPeftInitValue: exactPeftValue('eva'),
  validateOptions(options: InitializerOptions) {
    assertKnownOptions('eva', options, ['components']);
    const components = options['components'];
    if (typeof components !== 'object' || components === null || Array.isArray(components)) {
      throw new Error(
        'init.options.components must be an object mapping module paths to [rank, in] components (Float32Array or number[][]) for the "eva" initialiser',
      );
    }
  },
  initialize({ modulePath, r, inFeatures, outFeatures, options }) {
    const table = options['components'] as Readonly<Record<string, unknown>>;
    const wanted = normaliseModulePath(modulePath);
    const key = Object.keys(table).find((k) => normaliseModulePath(k) === wanted);
    if (key === undefined) {
      throw new Error(
        `EVA init: no components for layer "${modulePath}" (have: ${Object.keys(table).join(', ') || 'none'}); compute the EVA state for every target layer or exclude this one`,
      );
    }
    const rows = componentRows(table[key], modulePath, inFeatures);
    if (rows.count < r) {
      throw new Error(
        `EVA init: layer "${modulePath}" has ${rows.count} component rows of length ${inFeatures} but its rank is ${r}; give at least r rows or lower its rank`,
      );
    }
    return {
      a: tf.tensor2d(rows.data.subarray(0, r * inFeatures), [r, inFeatures]),
      b: tf.zeros([outFeatures, r]),
    };
  },
};

function componentRows(value: unknown, modulePath: string, inFeatures: number): { data: Float32Array; count: number } {
  if (value instanceof Float32Array) {
    if (value.length === 0 || value.length % inFeatures !== 0) {
      throw new Error(
        `EVA init: components of layer "${modulePath}" have ${value.length} values, not a whole number of rows of length ${inFeatures} (the layer's in_features)`,
      );
    }
    return { data: value, count: value.length / inFeatures };
  }
  if (Array.isArray(value)) {
    const data = new Float32Array(value.length * inFeatures);
    value.forEach((row: unknown, i) => {
      if (!Array.isArray(row) || row.length !== inFeatures) {
        const got = Array.isArray(row) ? `length ${row.length}` : typeof row;
        throw new Error(
          `EVA init: component row ${i} of layer "${modulePath}" has ${got}, expected ${inFeatures} numbers (the layer's in_features)`,
        );
      }
      row.forEach((x: unknown, j) => {
        if (typeof x !== 'number' || !Number.isFinite(x))
          throw new Error(`EVA init: component [${i}][${j}] of layer "${modulePath}" is not a finite number`);
        data[i * inFeatures + j] = x;
      });
    });
    return { data, count: value.length };
  }
  throw new Error(
    `EVA init: components of layer "${modulePath}" must be a Float32Array or number[][], got ${typeof value}`,
  );
}
