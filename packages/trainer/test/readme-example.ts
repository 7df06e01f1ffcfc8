import * as tf from '@tensorflow/tfjs-core';
import { Linear, setBackend } from '@peftjs/core';
import { AdamW, indexedDataSource, train } from '@peftjs/trainer';

await setBackend('wasm');
const point = (i: number): [number, number] => [Math.cos(i), Math.sin(2 * i)];
const target = ([a, b]: [number, number]): number[] => [3 * a - 2 * b + 1]; // y = 3a - 2b + 1
const data = indexedDataSource({ size: 32, batchSize: 8, makeBatch: (ix) => ({
  x: tf.tensor2d(ix.map(point)), y: tf.tensor2d(ix.map((i) => target(point(i)))) }) });
const model = new Linear(2, 1);
const { history } = await train({ model, data, epochs: 100, optimizer: new AdamW({ learningRate: 0.05, weightDecay: 0 }),
  loss: (m, b) => tf.losses.meanSquaredError(b.y, m.call(b.x)) });
const w = [...model.weight.value.dataSync(), ...(model.bias?.value.dataSync() ?? [])].map((v) => v.toFixed(3));
console.log(`${history.length} steps, loss ${history.at(-1)?.loss.toFixed(6)}, w = ${w.join(' ')}`);
