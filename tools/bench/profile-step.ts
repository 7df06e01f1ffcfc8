// Where a training step's time goes, kernel by kernel (tf.profile), on a backend.
// Run: npx tsx --conditions=@peftjs/source tools/bench/profile-step.ts [--backend native] [--threads 1]
import * as tf from '@tensorflow/tfjs-core';
import { setBackend, type BackendName } from '@peftjs/core';
import { injectAdapters } from '@peftjs/lora';
import { Gpt2LMHeadModel, gpt2Config } from '@peftjs/models';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? (process.argv[i + 1] as string) : fallback;
}
await setBackend(arg('backend', 'native') as BackendName, { threads: Number(arg('threads', '1')) });
const model = new Gpt2LMHeadModel(
  gpt2Config({
    vocabSize: 256,
    nEmbd: 128,
    nLayer: 4,
    nHead: 4,
    nPositions: 256,
    residPdrop: 0,
    embdPdrop: 0,
    attnPdrop: 0,
  }),
  { seed: 0 },
);
injectAdapters(model, { r: 8, alpha: 16, targetModules: ['c_attn', 'c_proj', 'c_fc'], seed: 0 });
const ids = tf.tensor2d(
  Int32Array.from({ length: 1024 }, (_, i) => (i * 7919) % 256),
  [8, 128],
  'int32',
);
const params = model.trainableParameters().map(([, p]) => p.value);
const step = () => tf.tidy(() => void tf.variableGrads(() => model.loss({ inputIds: ids }) as tf.Scalar, params));
step();
const t0 = performance.now();
step();
const wall = performance.now() - t0;
const info = await tf.profile(step);
const byName = new Map<string, { ms: number; calls: number }>();
for (const k of info.kernels) {
  const e = byName.get(k.name) ?? { ms: 0, calls: 0 };
  e.ms += Number(k.kernelTimeMs);
  e.calls += 1;
  byName.set(k.name, e);
}
const rows = [...byName.entries()].sort((a, b) => b[1].ms - a[1].ms);
const total = rows.reduce((n, [, e]) => n + e.ms, 0);
process.stdout.write(
  `wall ${wall.toFixed(1)} ms/step (forward+backward, no optimizer); kernels ${total.toFixed(1)} ms in ${info.kernels.length} calls\n`,
);
for (const [name, e] of rows.slice(0, 25))
  process.stdout.write(`${name.padEnd(24)} ${e.ms.toFixed(2).padStart(9)} ms ${String(e.calls).padStart(5)} calls\n`);
