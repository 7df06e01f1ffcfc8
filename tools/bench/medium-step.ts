// A model past wasm's 4 GB heap: random weights with GPT-2-medium's shape (24 layers, width 1024,
// 16 heads, vocab 50257, 1024 positions; 355M parameters), LoRA r=8 on c_attn/c_proj/c_fc, one
// AdamW training step on a 2 x 128 token batch. Records step time and peak memory (VmHWM).
// Run: npx tsx --conditions=@peftjs/source tools/bench/medium-step.ts [--backend native] [--threads 2] [--steps 2]
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { setBackend, type BackendName, type TokenBatch } from '@peftjs/core';
import { injectAdapters } from '@peftjs/lora';
import { Gpt2LMHeadModel, gpt2Config } from '@peftjs/models';
import { AdamW, train, type DataSource } from '@peftjs/trainer';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? (process.argv[i + 1] as string) : fallback;
}
const peakMiB = (): number => Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024;

const backend = arg('backend', 'native') as BackendName;
const threads = Number(arg('threads', '2'));
const steps = Number(arg('steps', '2'));
const [batchSize, seqLen] = [2, 128];
const info = await setBackend(backend, { threads });
const t0 = performance.now();
const config = gpt2Config({
  vocabSize: 50257,
  nEmbd: 1024,
  nLayer: 24,
  nHead: 16,
  nPositions: 1024,
  residPdrop: 0,
  embdPdrop: 0,
  attnPdrop: 0,
});
const model = new Gpt2LMHeadModel(config, { seed: 0 });
const parameters = [...model.namedParameters()].reduce((n, [, p]) => n + p.size, 0);
injectAdapters(model, { r: 8, alpha: 16, targetModules: ['c_attn', 'c_proj', 'c_fc'], seed: 0 });
const buildSeconds = (performance.now() - t0) / 1000;
const afterBuildMiB = peakMiB();

const data: DataSource<TokenBatch> = {
  *batches() {
    for (let s = 0; ; s++) {
      const ids = Int32Array.from({ length: batchSize * seqLen }, (_, i) => (i * 7919 + s * 31) % 50257);
      yield { inputIds: tf.tensor2d(ids, [batchSize, seqLen], 'int32') };
    }
  },
};
const stamps: number[] = [performance.now()];
const losses: number[] = [];
await train({
  model,
  data,
  maxSteps: steps,
  optimizer: new AdamW({ learningRate: 1e-4 }),
  callbacks: {
    onStep: (e) => {
      stamps.push(performance.now());
      losses.push(e.loss);
    },
  },
});
const stepSeconds = stamps.slice(1).map((t, i) => (t - (stamps[i] as number)) / 1000);
const result = {
  command: `npx tsx --conditions=@peftjs/source tools/bench/medium-step.ts ${process.argv.slice(2).join(' ')}`.trim(),
  date: new Date().toISOString(),
  backend: info.name,
  threads: info.threads,
  model: 'GPT-2-medium shape, random weights (24 x 1024, 16 heads, vocab 50257)',
  parameters,
  batch: [batchSize, seqLen],
  lora: { r: 8, targets: ['c_attn', 'c_proj', 'c_fc'] },
  buildSeconds,
  stepSeconds,
  losses,
  peakRssMiBAfterBuild: afterBuildMiB,
  peakRssMiB: peakMiB(),
  numTensorsAfter: tf.memory().numTensors,
};
mkdirSync('tools/bench/results', { recursive: true });
writeFileSync('tools/bench/results/medium-step.json', `${JSON.stringify(result, null, 2)}\n`);
writeFileSync('docs/data/native-medium-step.json', `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
