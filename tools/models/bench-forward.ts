/**
 * Throughput of the bundled demo GPT-2 (`gpt2-sotu-byte`): forward and forward+backward
 * (full fine-tuning gradients) tokens/s on the wasm and cpu backends. Not a test.
 *
 *   npx tsx --conditions=@peftjs/source tools/models/bench-forward.ts [--batch 8] [--seq 128] [--iters 3]
 *
 * Prints one JSON object (with the command that produced it).
 */
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { setBackend } from '@peftjs/core';
import { Gpt2LMHeadModel } from '@peftjs/models';
import { bundledCheckpoint, loadPretrained } from '@peftjs/models/node';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const BATCH = flag('batch', 8);
const SEQ = flag('seq', 128);
const ITERS = flag('iters', 3);

const results: Record<
  string,
  { forwardTokensPerSecond: number; forwardBackwardTokensPerSecond: number; iterations: number }
> = {};
for (const backend of ['wasm', 'cpu'] as const) {
  await setBackend(backend);
  const model = await loadPretrained(bundledCheckpoint('gpt2-sotu-byte'));
  if (!(model instanceof Gpt2LMHeadModel)) throw new Error('expected GPT-2');
  const ids = tf.randomUniformInt([BATCH, SEQ], 0, 256, 1) as tf.Tensor2D;
  const batch = { inputIds: ids, attentionMask: tf.onesLike(ids) as tf.Tensor2D };
  const vars = model.trainableParameters().map(([, p]) => p.value);
  const forward = () => tf.tidy(() => void model.call(batch).dataSync());
  const backward = () =>
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => model.loss(batch), vars);
      value.dataSync();
      for (const g of Object.values(grads)) g.dataSync();
    });
  const iters = backend === 'cpu' ? 1 : ITERS; // cpu is ~30x slower
  const time = (f: () => void): number => {
    f(); // warm-up (kernel compilation, allocation)
    const t0 = performance.now();
    for (let i = 0; i < iters; i++) f();
    return (performance.now() - t0) / 1000 / iters;
  };
  const tf1 = time(forward);
  const tb1 = time(backward);
  results[backend] = {
    forwardTokensPerSecond: Math.round((BATCH * SEQ) / tf1),
    forwardBackwardTokensPerSecond: Math.round((BATCH * SEQ) / tb1),
    iterations: iters,
  };
  tf.dispose([ids, batch.attentionMask]);
  model.dispose();
}
console.log(
  JSON.stringify(
    {
      command: `npx tsx --conditions=@peftjs/source tools/models/bench-forward.ts ${args.join(' ')}`.trim(),
      model: 'gpt2-sotu-byte (4 layers, width 128, vocab 256)',
      batch: BATCH,
      seqLen: SEQ,
      cpus: os.cpus().length,
      loadAverage: os.loadavg().map((x) => Number(x.toFixed(2))),
      results,
    },
    null,
    2,
  ),
);
