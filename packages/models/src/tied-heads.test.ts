import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeSafetensors, setBackend, type TensorEntry } from '@peftjs/core';
import { readSafetensorsFile } from '@peftjs/core/node';
import { CausalLanguageModel } from './causal-lm';
import { fixtureDir, logitsOn, maxAbsDiffAtTokens, readHfReference } from './fixtures.test-support';
import { loadPretrained } from './pretrained';

let tmp: string;
beforeAll(async () => {
  await setBackend('wasm');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'peftjs-tied-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A copy of an HF fixture with an edited config and extra/changed tensors. */
async function variant(
  name: string,
  fixture: string,
  config: Record<string, unknown>,
  tensors: (t: Record<string, TensorEntry>) => void,
): Promise<string> {
  const src = fixtureDir(`hf/${fixture}`);
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'config.json'),
    JSON.stringify({ ...JSON.parse(fs.readFileSync(path.join(src, 'config.json'), 'utf8')), ...config }),
  );
  const { tensors: t } = await readSafetensorsFile(path.join(src, 'model.safetensors'));
  tensors(t);
  fs.writeFileSync(path.join(dir, 'model.safetensors'), encodeSafetensors(t));
  fs.copyFileSync(path.join(src, 'reference.safetensors'), path.join(dir, 'reference.safetensors'));
  return dir;
}

const scaled = (e: TensorEntry, k: number): TensorEntry => ({
  dtype: 'F32',
  shape: e.shape,
  data: (e.data as Float32Array).map((v) => v * k),
});

/**
 * The reference for an untied head is arithmetic on transformers' own logits: with no bias,
 * `lm_head.weight = 2 * embedding` gives exactly twice the tied model's logits.
 */
describe.each([
  ['gpt2', 'transformer.wte.weight'],
  ['qwen2', 'model.embed_tokens.weight'],
  ['gemma3', 'model.embed_tokens.weight'],
])('tie_word_embeddings both ways: %s', (fixture, embedding) => {
  it('tie_word_embeddings: false with its own lm_head.weight uses that head (2 x embedding -> 2 x logits)', async () => {
    const dir = await variant(`${fixture}-untied`, fixture, { tie_word_embeddings: false }, (t) => {
      t['lm_head.weight'] = scaled(t[embedding] as TensorEntry, 2);
    });
    const model = await loadPretrained(dir, { as: CausalLanguageModel });
    expect([...model.namedParameters()].map(([n]) => n)).toContain('lm_head.weight');
    const ref = readHfReference(dir);
    const doubled = ref.logits.map((v) => 2 * v);
    // Tolerance 2e-4: twice the 1e-4 of the tied model's parity.
    expect(
      maxAbsDiffAtTokens(logitsOn(model, ref), doubled, ref.mask, ref.logitsShape[2] as number),
    ).toBeLessThanOrEqual(2e-4);
    ref.dispose();
    model.dispose();
  });

  it('a tied model whose file also stores an identical lm_head.weight loads; a different one is E_CHECKPOINT', async () => {
    const same = await variant(`${fixture}-copy`, fixture, { tie_word_embeddings: true }, (t) => {
      t['lm_head.weight'] = scaled(t[embedding] as TensorEntry, 1);
    });
    const model = await loadPretrained(same, { as: CausalLanguageModel });
    const ref = readHfReference(same);
    expect(
      maxAbsDiffAtTokens(logitsOn(model, ref), ref.logits, ref.mask, ref.logitsShape[2] as number),
    ).toBeLessThanOrEqual(1e-4);
    ref.dispose();
    model.dispose();
    const differs = await variant(`${fixture}-other`, fixture, { tie_word_embeddings: true }, (t) => {
      t['lm_head.weight'] = scaled(t[embedding] as TensorEntry, 2);
    });
    await expect(loadPretrained(differs)).rejects.toMatchObject({
      code: 'E_CHECKPOINT',
      message: expect.stringMatching(/tie_word_embeddings is true, but "lm_head.weight" .* differs/),
    });
  });

  it('tie_word_embeddings: false without lm_head.weight is a missing tensor, never a silent tie', async () => {
    const dir = await variant(`${fixture}-nohead`, fixture, { tie_word_embeddings: false }, () => undefined);
    await expect(loadPretrained(dir)).rejects.toMatchObject({
      code: 'E_CHECKPOINT',
      message: expect.stringMatching(/lacks 1 tensor\(s\) .*lm_head\.weight/),
    });
  });
});
