// LoRA fine-tuning throughput of the demo GPT-2 through @peftjs/trainer (a benchmark, not a test).
// Run: npx tsx --conditions=@peftjs/source tools/trainer/bench-lora.ts [--backend wasm] [--steps 8] [--warmup 2]
// Prints one JSON object: the command, backend, model shape, and tokens/s over the measured steps.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { getBackendInfo, setBackend } from '@peftjs/core';
import type { AnyModule, BackendName, TokenBatch } from '@peftjs/core';
import { injectAdapters } from '@peftjs/lora';
import { Gpt2LMHeadModel, gpt2Config, joinTexts, lmBatches, loadMobyDick } from '@peftjs/models';
import { bundledCheckpoint, loadPretrained } from '@peftjs/models/node';
import { AdamW, train } from '@peftjs/trainer';
import type { DataSource } from '@peftjs/trainer';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? (process.argv[i + 1] as string) : fallback;
}

const backend = arg('backend', 'wasm') as BackendName;
const steps = Number(arg('steps', '8'));
const warmup = Number(arg('warmup', '2'));
const batchSize = 8;
const seqLen = 128;
const r = 8;

async function demoModel(): Promise<{ model: AnyModule; source: string }> {
  const dir = bundledCheckpoint('gpt2-sotu-byte');
  if (existsSync(join(dir, 'model.safetensors')))
    return { model: (await loadPretrained(dir)) as AnyModule, source: 'bundled gpt2-sotu-byte' };
  // The bundled checkpoint is not built yet: same architecture, random weights (throughput does not depend on them).
  const config = gpt2Config({ vocabSize: 256, nEmbd: 128, nLayer: 4, nHead: 4, nPositions: 256 });
  return {
    model: new Gpt2LMHeadModel(config, { seed: 0 }),
    source: 'random init, demo shape (4 layers, 128 wide, vocab 256)',
  };
}

await setBackend(backend);
const { model, source } = await demoModel();
const lora = injectAdapters(model, { r, alpha: 16, targetModules: ['c_attn', 'c_proj', 'c_fc'], seed: 0 });
const text = joinTexts(await loadMobyDick({ split: 'train' }));
const stream = lmBatches(text, { batchSize, seqLen, loop: true, seed: 0 });
const data: DataSource<TokenBatch> = {
  batchesPerEpoch: stream.batchesPerEpoch,
  batches: (epoch, start) => stream.from(epoch * stream.batchesPerEpoch + start),
};
const stamps: number[] = [];
await train({
  model,
  data,
  maxSteps: warmup + steps,
  optimizer: new AdamW({ learningRate: 1e-3 }),
  callbacks: { onStep: () => void stamps.push(performance.now()) },
});
const seconds = ((stamps[stamps.length - 1] as number) - (stamps[warmup - 1] as number)) / 1000;
const tokens = steps * batchSize * seqLen;
const trainable = model.trainableParameters().reduce((n, [, p]) => n + p.size, 0);
process.stdout.write(
  `${JSON.stringify(
    {
      command:
        `npx tsx --conditions=@peftjs/source tools/trainer/bench-lora.ts ${process.argv.slice(2).join(' ')}`.trim(),
      backend: (await getBackendInfo()).name,
      model: source,
      batch: [batchSize, seqLen],
      lora: {
        r,
        targets: ['c_attn', 'c_proj', 'c_fc'],
        trainableParameters: trainable,
        adapterParameters: lora.adapterParameters().length,
      },
      warmupSteps: warmup,
      measuredSteps: steps,
      secondsPerStep: seconds / steps,
      tokensPerSecond: tokens / seconds,
    },
    null,
    2,
  )}\n`,
);
