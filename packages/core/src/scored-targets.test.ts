import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from './backend';
import { isPeftjsError } from './peftjs-error';
import { causalLmTargets, classTargets } from './scored-targets';

beforeAll(async () => {
  await setBackend('cpu');
});

// Expected flags are written out by hand from the rule: the prediction at [b, t] targets
// labels[b, t + 1]; it counts when that label is not -100 and position [b, t] is not padding.
describe('causalLmTargets', () => {
  const ids = [
    [5, 6, 7, 0, 0],
    [0, 0, 8, 9, 4],
  ];
  const mask = [
    [1, 1, 1, 0, 0],
    [0, 0, 1, 1, 1],
  ];
  const batch = (labels?: number[][]) => ({
    inputIds: tf.tensor2d(ids, [2, 5], 'int32'),
    attentionMask: tf.tensor2d(mask, [2, 5], 'int32'),
    ...(labels === undefined ? {} : { labels: tf.tensor2d(labels, [2, 5], 'int32') }),
  });

  it('without labels: right padding scores real -> next real only; left padding skips the pad that precedes the first token', () => {
    const input = batch();
    const tensors = tf.memory().numTensors;
    const { targets, scored, count } = causalLmTargets(input, 10);
    expect(tf.memory().numTensors).toBe(tensors);
    tf.dispose([input.inputIds, input.attentionMask]);
    expect(Array.from(scored)).toEqual([1, 1, 0, 0, 0, 0, 0, 1, 1, 0]);
    expect(Array.from(targets)).toEqual([6, 7, 0, 0, 0, 0, 0, 9, 4, 0]);
    expect(count).toBe(4);
  });

  it('with labels: -100 targets are skipped (a prompt), predictions at padding too', () => {
    const labels = [
      [-100, -100, 7, -100, -100],
      [-100, 3, 8, -100, 4],
    ];
    const { scored, count } = causalLmTargets(batch(labels), 10);
    // [1, 0] would target labels[1, 1] = 3 but sits on a pad position, so it is not scored.
    expect(Array.from(scored)).toEqual([0, 1, 0, 0, 0, 0, 0, 0, 1, 0]);
    expect(count).toBe(2);
  });

  it('all labels -100 score nothing; a label outside the vocabulary is a LabelRangeError', () => {
    expect(causalLmTargets(batch(ids.map((r) => r.map(() => -100)))).count).toBe(0);
    let error: unknown;
    try {
      causalLmTargets(batch(), 8);
    } catch (e) {
      error = e;
    }
    expect(isPeftjsError(error) && error.code).toBe('E_LABEL_RANGE');
    expect(String(error)).toMatch(/label 9 at \[1, 3\] is outside the vocabulary \[0, 8\)/);
  });
});

describe('classTargets', () => {
  it('scores every row except -100 ones', () => {
    const { targets, scored, count } = classTargets(tf.tensor1d([2, -100, 0], 'int32'), 3);
    expect(Array.from(targets)).toEqual([2, 0, 0]);
    expect(Array.from(scored)).toEqual([1, 0, 1]);
    expect(count).toBe(2);
    expect(() => classTargets(tf.tensor1d([3], 'int32'), 3)).toThrow(
      /label 3 at \[0\] is outside the classes \[0, 3\)/,
    );
  });
});
