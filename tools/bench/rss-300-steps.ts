// Memory stays flat while training: 300 LoRA training steps of the demo-shaped GPT-2 on a backend,
// sampling RSS, the V8 heap and tf.memory().numTensors every 10 steps. Writes
// tools/bench/results/rss-<steps>-steps-<backend>.json with the samples and the RSS growth from step 50 to 300.
// Run: npx tsx --conditions=@peftjs/source tools/bench/rss-300-steps.ts [--backend native] [--threads 1] [--steps 300]
import { mkdirSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { setBackend, type BackendName, type TokenBatch } from '@peftjs/core';
import { injectAdapters } from '@peftjs/lora';
import { Gpt2LMHeadModel, gpt2Config } from '@peftjs/models';
import { AdamW, train, type DataSource } from '@peftjs/trainer';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? (process.argv[i + 1] as string) : fallback;
}
const steps = Number(arg('steps', '300'));
const info = await setBackend(arg('backend', 'native') as BackendName, { threads: Number(arg('threads', '1')) });
const [batchSize, seqLen, vocab] = [4, 64, 256];
const model = new Gpt2LMHeadModel(
  gpt2Config({
    vocabSize: vocab,
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
const data: DataSource<TokenBatch> = {
  *batches() {
    for (let s = 0; ; s++) {
      const ids = Int32Array.from({ length: batchSize * seqLen }, (_, i) => (i * 7919 + s * 131) % vocab);
      yield { inputIds: tf.tensor2d(ids, [batchSize, seqLen], 'int32') };
    }
  },
};
const mib = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;
const samples: { step: number; rssMiB: number; heapUsedMiB: number; numTensors: number; loss: number }[] = [];
await train({
  model,
  data,
  maxSteps: steps,
  optimizer: new AdamW({ learningRate: 1e-3 }),
  callbacks: {
    onStep: (e) => {
      if (e.step % 10 !== 0) return;
      const m = process.memoryUsage();
      samples.push({
        step: e.step,
        rssMiB: mib(m.rss),
        heapUsedMiB: mib(m.heapUsed),
        numTensors: tf.memory().numTensors,
        loss: e.loss,
      });
    },
  },
});
const at = (s: number) => samples.find((x) => x.step === s);
const result = {
  command: `npx tsx --conditions=@peftjs/source tools/bench/rss-300-steps.ts ${process.argv.slice(2).join(' ')}`.trim(),
  date: new Date().toISOString(),
  backend: info.name,
  threads: info.threads,
  batch: [batchSize, seqLen],
  steps,
  rssGrowthMiBFromStep50: (samples[samples.length - 1]?.rssMiB ?? 0) - (at(50)?.rssMiB ?? 0),
  numTensorsFirst: samples[0]?.numTensors,
  numTensorsLast: samples[samples.length - 1]?.numTensors,
  samples,
};
mkdirSync('tools/bench/results', { recursive: true });
writeFileSync(`tools/bench/results/rss-${steps}-steps-${info.name}.json`, `${JSON.stringify(result, null, 2)}\n`);
writeFileSync('docs/data/native-rss.json', `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify({ ...result, samples: undefined }, null, 2)}\n`);
