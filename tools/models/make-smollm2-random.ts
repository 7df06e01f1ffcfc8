/**
 * A random-weight model with SmolLM2-135M's config (HuggingFaceTB/SmolLM2-135M: Llama, 30 layers,
 * width 576, 9 heads / 3 kv heads, MLP 1536, vocabulary 49,152, rope theta 100000, tied embeddings),
 * saved in bfloat16 as that checkpoint ships, with a byte-level BPE tokenizer.json (the test fixture's:
 * SmolLM2's own tokenizer is not available offline; its ids all fit the 49,152 vocabulary).
 *
 * Run: npx tsx --conditions=@peftjs/source tools/models/make-smollm2-random.ts OUT_DIR
 * Then: PEFTJS_BACKEND=wasm npm run peftjs -- eva init --model OUT_DIR ... (see packages/models/README.md).
 */
import { setBackend } from '@peftjs/core';
import { LlamaForCausalLM, llamaConfig } from '@peftjs/models';
import { loadTokenizer, savePretrained } from '@peftjs/models/node';

const out = process.argv[2];
if (out === undefined) throw new Error('usage: make-smollm2-random.ts OUT_DIR');
await setBackend('wasm');
const config = llamaConfig({
  vocabSize: 49152,
  hiddenSize: 576,
  intermediateSize: 1536,
  numHiddenLayers: 30,
  numAttentionHeads: 9,
  numKeyValueHeads: 3,
  maxPositionEmbeddings: 8192,
  rmsNormEps: 1e-5,
  ropeTheta: 100000,
  tieWordEmbeddings: true,
  initializerRange: 0.041666666666666664,
  bosTokenId: 0,
  eosTokenId: 0,
});
const model = new LlamaForCausalLM(config, { seed: 135 });
const tokenizer = await loadTokenizer(
  new URL('../../packages/models/test/fixtures/hf/tokenizer-bytelevel', import.meta.url).pathname,
);
await savePretrained(model, out, { dtype: 'BF16', tokenizer });
process.stdout.write(`${out}: ${model.parameterCount()} parameters\n`);
model.dispose();
