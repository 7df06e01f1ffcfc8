import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { decodeSafetensors } from '@peftjs/core';

/** Absolute path of a committed test fixture directory. */
export function fixtureDir(name: string): string {
  return new URL(`../test/fixtures/${name}`, import.meta.url).pathname;
}

export interface Reference {
  inputIds: tf.Tensor2D;
  attentionMask: tf.Tensor2D;
  positionIds: Int32Array;
  logits: Float32Array;
  logitsShape: number[];
  loss: number;
}

/** The inputs and PyTorch reference outputs written by tools/models/make_parity_fixtures.py. */
export function readReference(name: string): Reference {
  const { tensors } = decodeSafetensors(new Uint8Array(fs.readFileSync(`${fixtureDir(name)}/reference.safetensors`)));
  const get = (k: string) => {
    const t = tensors[k];
    if (t === undefined) throw new Error(`reference for ${name} lacks ${k}`);
    return t;
  };
  const ids = get('input_ids');
  const mask = get('attention_mask');
  return {
    inputIds: tf.tensor2d(ids.data as Int32Array, ids.shape as [number, number], 'int32'),
    attentionMask: tf.tensor2d(mask.data as Int32Array, mask.shape as [number, number], 'int32'),
    positionIds: get('position_ids').data as Int32Array,
    logits: get('logits').data as Float32Array,
    logitsShape: get('logits').shape,
    loss: (get('loss').data as Float32Array)[0] as number,
  };
}

/** Max |a - b| over positions where `mask` is 1 (rows of `[B, T, V]` logits). */
export function maxAbsDiffAtTokens(a: Float32Array, b: Float32Array, mask: ArrayLike<number>, vocab: number): number {
  let worst = 0;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] === 0) continue;
    for (let v = 0; v < vocab; v++) worst = Math.max(worst, Math.abs((a[i * vocab + v] as number) - (b[i * vocab + v] as number)));
  }
  return worst;
}
