// Matmul GFLOP/s per training-step shape through tf.matMul on native (tfjs dispatch, output
// allocation and dispose included) and wasm, against the BLAS's own peak: the raw addon GEMM on a
// 1024^3 square, same thread count. Writes tools/bench/results/matmul-gflops.json and
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

const peakShape = GEMM_SHAPES[GEMM_SHAPES.length - 1] as GemmShape;
const peak = timeGemm(addon, peakShape);
const rows: (string | number)[][] = [];
for (const shape of GEMM_SHAPES) {
  await tf.setBackend('native');
  const native = timeTf(shape);
  const raw = timeGemm(addon, shape);
  await tf.setBackend('wasm');
  const wasm = shape[0].startsWith('peak') ? Number.NaN : timeTf(shape);
  rows.push([shape[0] as string, Math.round(native * 10) / 10, Math.round(raw * 10) / 10, Math.round((100 * native) / peak), Number.isNaN(wasm) ? 'not run' : Math.round(wasm * 10) / 10]);
}
const result = {
  title: `Native backend: matmul GFLOP/s per shape vs the BLAS's peak (${threads} thread${threads > 1 ? 's' : ''})`,
  description: `tf.matMul on native includes tfjs dispatch, output allocation and dispose; "raw" is the addon GEMM alone; the BLAS peak is the raw ${peakShape[0]} GEMM: ${peak.toFixed(1)} GFLOP/s (${info.blas}).`,
  command: `npx tsx --conditions=@peftjs/source tools/bench/matmul-gflops.ts --threads ${threads}`,
  machine: `${cpus().length} x ${cpus()[0]?.model}, shared with other jobs`,
  backend: `native (${info.blas}), wasm`,
  recordedAt: new Date().toISOString(),
  blasPeakGflops: peak,
  tables: [{ caption: 'GFLOP/s', columns: ['shape', 'tf.matMul native', 'raw addon GEMM', 'native % of BLAS peak', 'tf.matMul wasm'], rows }],
};
mkdirSync('tools/bench/results', { recursive: true });
writeFileSync(`tools/bench/results/matmul-gflops-${threads}t.json`, `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(`docs/data/native-matmul-${threads}t.json`, `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
