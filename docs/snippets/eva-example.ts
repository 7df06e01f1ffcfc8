import { setBackend } from '@peftjs/core';
import { CausalLanguageModel, joinTexts, lmBatches, loadMobyDick } from '@peftjs/models';
import { bundledCheckpoint, loadPretrained } from '@peftjs/models/node';
import { applyEva, computeEvaState, evaRanks } from '@peftjs/eva';

await setBackend('auto'); // native TensorFlow if installed, else wasm
const model = await loadPretrained(bundledCheckpoint('gpt2-sotu-byte'), { as: CausalLanguageModel }); // GPT-2, SOTU
const text = joinTexts(await loadMobyDick({ split: 'train' }));
const batches = lmBatches(text, { batchSize: 4, seqLen: 128, seed: 0 });

const state = await computeEvaState(model, () => batches.from(0), { r: 4, rho: 2, tau: 0.99 });
console.log(`EVA: ${state.steps} batches, converged: ${state.converged}`);
console.log(evaRanks(state)); // rank per layer; they sum to 4 x the number of layers
const handle = applyEva(model, state, { alpha: 8 }); // LoRA with A = components, B = 0
console.log(handle.parameterCount());
