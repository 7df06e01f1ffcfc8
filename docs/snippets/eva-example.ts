import { setBackend } from '@peftjs/core';
import { loadPretrained, loadMobyDick, joinTexts, lmBatches } from '@peftjs/models';
import { computeEvaState, applyEva } from '@peftjs/eva';

await setBackend('auto'); // native TensorFlow if installed, else wasm
const model = await loadPretrained('packages/models/checkpoints/gpt2-sotu-byte');
const text = joinTexts(await loadMobyDick({ split: 'train' }));
const batches = lmBatches(text, { batchSize: 4, seqLen: 64, seed: 0, loop: true });

const state = await computeEvaState(model, batches, { r: 4, rho: 2, tau: 0.99, targetModules: ['c_attn', 'c_fc'] });
console.log(`converged after ${state.steps} batches`);
console.log('ranks', state.ranks); // sums to 4 x the number of target layers
const handle = applyEva(model, state, { alpha: 8 });
console.log('trainable parameters', handle.trainableParameterCount);
