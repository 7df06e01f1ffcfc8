// Matmul GFLOP/s per training-step shape through tf.matMul on native (tfjs dispatch, output
// allocation and dispose included) and wasm, against the BLAS's own peak: the best raw addon GEMM
// rate over these shapes, same thread count (short calls: on a shared machine long ones mostly
// measure time slices lost to other jobs). Writes tools/bench/results/matmul-gflops.json and
// docs/data/native-matmul.json.
// Run: npx tsx --conditions=@peftjs/source tools/bench/matmul-gflops.ts [--threads 1]
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { loadAddon, registerNativeBackend } from '@peftjs/backend-native';
import { GEMM_SHAPES, timeGemm, type GemmShape } from './gemm-shapes.mjs';

const threads = Number(process.argv[process.argv.indexOf('--threads') + 1] || 1);
const info = registerNativeBackend({ threads });
const addon = loadAddon();

function timeTf(shape: GemmShape): number {
  const [, batch, m, n, k, ta, tb] = shape;
  const lead = batch > 1 ? [batch] : [];
  const a = tf.randomUniform([...lead, ...(ta ? [k, m] : [m, k])]);
  const b = tf.randomUniform([...lead, ...(tb ? [n, k] : [k, n])]);
  const call = () => tf.dispose(tf.matMul(a, b, ta === 1, tb === 1));
  for (let i = 0; i < 3; i++) call();
  const flop = 2 * batch * m * n * k;
  const samples: number[] = [];
  const end = performance.now() + 400;
  while (performance.now() < end || samples.length < 5) {
    const reps = Math.max(1, Math.round(2e7 / flop));
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) call();
    samples.push((flop * reps) / ((performance.now() - t0) / 1000) / 1e9);
  }
  tf.dispose([a, b]);
  samples.sort((p, q) => p - q);
  return samples[Math.floor(samples.length / 2)] as number;
}

const measured: { shape: GemmShape; native: number; raw: number; wasm: number }[] = [];
for (const shape of GEMM_SHAPES) {
  await tf.setBackend('native');
  const native = timeTf(shape);
  const raw = timeGemm(addon, shape);
  await tf.setBackend('wasm');
  measured.push({ shape, native, raw, wasm: timeTf(shape) });
}
const peak = Math.max(...measured.map((m) => m.raw));
const r1 = (x: number) => Math.round(x * 10) / 10;
const rows = measured.map((m) => [
  m.shape[0],
  r1(m.native),
  r1(m.raw),
  Math.round((100 * m.native) / peak),
  r1(m.wasm),
]);
const result = {
  title: `Native backend: matmul GFLOP/s per shape vs the BLAS's peak (${threads} thread${threads > 1 ? 's' : ''})`,
  description: `tf.matMul on native includes tfjs dispatch, output allocation and dispose; "raw" is the addon GEMM alone; the BLAS peak is the best raw GEMM rate over these shapes: ${peak.toFixed(1)} GFLOP/s (${info.blas}).`,
  command: `npx tsx --conditions=@peftjs/source tools/bench/matmul-gflops.ts --threads ${threads}`,
  machine: `${cpus().length} x ${cpus()[0]?.model}, shared with other jobs`,
  backend: `native (${info.blas}), wasm`,
  recordedAt: new Date().toISOString(),
  blasPeakGflops: peak,
  tables: [
    {
      caption: 'GFLOP/s',
      columns: ['shape', 'tf.matMul native', 'raw addon GEMM', 'native % of BLAS peak', 'tf.matMul wasm'],
      rows,
    },
  ],
};
mkdirSync('tools/bench/results', { recursive: true });
writeFileSync(`tools/bench/results/matmul-gflops-${threads}t.json`, `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(`docs/data/native-matmul-${threads}t.json`, `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
