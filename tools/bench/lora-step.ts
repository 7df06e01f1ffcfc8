// One side of the paired PyTorch comparison (run by tools/bench/run-paired.mjs, or alone):
// GPT-2 (4 layers, width 128, vocab 256, dropout 0), batch 8 x 128 tokens, LoRA r=8 on c_attn/c_proj/c_fc,
// AdamW through @peftjs/trainer's train(), as tools/trainer/bench-lora.ts does; or forward-only passes.
// Run: npx tsx --conditions=@peftjs/source tools/bench/lora-step.ts --backend native --threads 1 --mode train|forward [--steps 10] [--warmup 2]
// Prints one JSON line.
import * as tf from '@tensorflow/tfjs-core';
import { getBackendInfo, setBackend, type BackendName, type TokenBatch } from '@peftjs/core';
import { injectAdapters } from '@peftjs/lora';
import { Gpt2LMHeadModel, gpt2Config } from '@peftjs/models';
import { AdamW, train, type DataSource } from '@peftjs/trainer';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? (process.argv[i + 1] as string) : fallback;
}

const backend = arg('backend', 'native') as BackendName;
const threads = Number(arg('threads', '1'));
const mode = arg('mode', 'train');
const steps = Number(arg('steps', mode === 'train' ? '10' : '20'));
const warmup = Number(arg('warmup', '2'));
const [batchSize, seqLen, vocab, r] = [8, 128, 256, 8];

const info = await setBackend(backend, { threads });
const config = gpt2Config({
  vocabSize: vocab,
  nEmbd: 128,
  nLayer: 4,
  nHead: 4,
  nPositions: 256,
  residPdrop: 0,
  embdPdrop: 0,
  attnPdrop: 0,
});
const model = new Gpt2LMHeadModel(config, { seed: 0 });

// Fixed pseudo-random token batches (throughput does not depend on the text).
let seed = 12345;
function tokens(): Int32Array {
  const ids = new Int32Array(batchSize * seqLen);
  for (let i = 0; i < ids.length; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    ids[i] = seed % vocab;
  }
  return ids;
}
const batch = (): TokenBatch => ({ inputIds: tf.tensor2d(tokens(), [batchSize, seqLen], 'int32') });

const stamps: number[] = [];
if (mode === 'train') {
  injectAdapters(model, { r, alpha: 16, targetModules: ['c_attn', 'c_proj', 'c_fc'], seed: 0 });
  const data: DataSource<TokenBatch> = {
    *batches() {
      for (;;) yield batch();
    },
  };
  await train({
    model,
    data,
    maxSteps: warmup + steps,
    optimizer: new AdamW({ learningRate: 1e-3 }),
    callbacks: { onStep: () => void stamps.push(performance.now()) },
  });
} else {
  model.eval();
  for (let i = 0; i < warmup + steps; i++) {
    const b = batch();
    tf.tidy(() => void model.call(b).dataSync());
    tf.dispose(b.inputIds);
    stamps.push(performance.now());
  }
}
const seconds = ((stamps[stamps.length - 1] as number) - (stamps[warmup - 1] as number)) / 1000;
process.stdout.write(
  `${JSON.stringify({
    impl: 'peftjs',
    backend: (await getBackendInfo()).name,
    threads: info.threads,
    mode,
    batch: [batchSize, seqLen],
    steps,
    msPerStep: (seconds / steps) * 1000,
    tokensPerSecond: (steps * batchSize * seqLen) / seconds,
  })}\n`,
);
