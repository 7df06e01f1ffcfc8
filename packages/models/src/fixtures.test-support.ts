import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
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
    for (let v = 0; v < vocab; v++)
      worst = Math.max(worst, Math.abs((a[i * vocab + v] as number) - (b[i * vocab + v] as number)));
  }
  return worst;
}

export interface HfReference {
  inputIds: tf.Tensor2D;
  attentionMask: tf.Tensor2D;
  /** 0..T-1 in every row: what HF's forward uses when it is given no position_ids. */
  positionIds: tf.Tensor2D;
  mask: Int32Array;
  logits: Float32Array;
  logitsShape: number[];
  dispose(): void;
}

/** input_ids, attention_mask and logits written by transformers itself (test/fixtures/hf/<case>/reference.safetensors). */
export function readHfReference(dir: string): HfReference {
  const { tensors } = decodeSafetensors(new Uint8Array(fs.readFileSync(`${dir}/reference.safetensors`)));
  const ids = tensors['input_ids'];
  const mask = tensors['attention_mask'];
  const logits = tensors['logits'];
  if (ids === undefined || mask === undefined || logits === undefined)
    throw new Error(`${dir}/reference.safetensors lacks input_ids, attention_mask or logits`);
  const [b, t] = ids.shape as [number, number];
  const inputIds = tf.tensor2d(ids.data as Int32Array, [b, t], 'int32');
  const attentionMask = tf.tensor2d(mask.data as Int32Array, [b, t], 'int32');
  const positionIds = tf.tensor2d(
    Int32Array.from({ length: b * t }, (_, i) => i % t),
    [b, t],
    'int32',
  );
  return {
    inputIds,
    attentionMask,
    positionIds,
    mask: mask.data as Int32Array,
    logits: logits.data as Float32Array,
    logitsShape: logits.shape,
    dispose: () => tf.dispose([inputIds, attentionMask, positionIds]),
  };
}

/** Logits of a causal LM on a reference batch, as a Float32Array (tensors disposed). */
export function logitsOn(
  model: { call(batch: { inputIds: tf.Tensor2D; attentionMask: tf.Tensor2D; positionIds: tf.Tensor2D }): tf.Tensor },
  ref: HfReference,
): Float32Array {
  const out = model.call({ inputIds: ref.inputIds, attentionMask: ref.attentionMask, positionIds: ref.positionIds });
  const data = out.dataSync() as Float32Array;
  out.dispose();
  return data;
}
