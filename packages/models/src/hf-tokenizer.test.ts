import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '@peftjs/core';
import { ByteTokenizer } from './byte-tokenizer';
import { fixtureDir } from './fixtures.test-support';
import { HfTokenizer } from './hf-tokenizer';
import { llamaConfig } from './llama-config';
import { LlamaForCausalLM } from './llama-model';
import { loadTokenizer } from './load-tokenizer';
import { savePretrained } from './pretrained';

beforeAll(async () => {
  await setBackend('wasm');
});

interface Row {
  text: string;
  ids: number[];
  decoded: string;
}

// expected.json rows were written by tokenizers 0.23 / transformers 5.18: ids = tokenizer(text)["input_ids"], decoded = tokenizer.decode(ids).
describe.each(['tokenizer-bytelevel', 'tokenizer-sentencepiece'])('%s reproduces Hugging Face', (name) => {
  const dir = fixtureDir(`hf/${name}`);
  const rows = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8')) as Row[];

  it.each(rows.map((r) => [JSON.stringify(r.text), r] as const))('encode and decode %s exactly', async (_, row) => {
    const tokenizer = await loadTokenizer(dir);
    expect(tokenizer.encode(row.text)).toEqual(row.ids);
    expect(tokenizer.decode(row.ids)).toBe(row.decoded);
  });

  it('decode is pure: same output twice, input untouched', async () => {
    const tokenizer = await loadTokenizer(dir);
    for (const row of rows) {
      const ids = [...row.ids];
      expect(tokenizer.decode(ids)).toBe(tokenizer.decode(ids));
      expect(ids).toEqual(row.ids);
    }
  });

  it('every id is inside the vocabulary; out-of-range ids are E_TOKEN_RANGE', async () => {
    const tokenizer = await loadTokenizer(dir);
    for (const row of rows) expect(row.ids.every((id) => id < tokenizer.vocabSize)).toBe(true);
    expect(() => tokenizer.decode([tokenizer.vocabSize])).toThrow(expect.objectContaining({ code: 'E_TOKEN_RANGE' }));
  });
});

describe('special tokens', () => {
  it('the Llama-style tokenizer adds <s> (id 1) unless asked not to', async () => {
    const tokenizer = (await loadTokenizer(fixtureDir('hf/tokenizer-sentencepiece'))) as HfTokenizer;
    const rows = JSON.parse(
      fs.readFileSync(path.join(fixtureDir('hf/tokenizer-sentencepiece'), 'expected.json'), 'utf8'),
    ) as Row[];
    const first = rows[0] as Row;
    expect(tokenizer.encode(first.text)[0]).toBe(1);
    // Without special tokens: the same ids minus the leading <s> (hand-checked against the row above).
    expect(tokenizer.encode(first.text, { addSpecialTokens: false })).toEqual(first.ids.slice(1));
    expect(tokenizer.bosTokenId).toBe(1);
    expect(tokenizer.eosTokenId).toBe(2);
  });

  it('<|endoftext|> is recognised anywhere in the text, including glued to words', async () => {
    const tokenizer = await loadTokenizer(fixtureDir('hf/tokenizer-bytelevel'));
    const eot = tokenizer.eosTokenId;
    expect(eot).toBe(0);
    expect(tokenizer.encode('a<|endoftext|>b')).toContain(0);
    expect(tokenizer.encode('<|endoftext|>')).toEqual([0]);
    expect(tokenizer.padTokenId).toBe(0); // no pad_token: eos pads
  });
});

describe('loadTokenizer', () => {
  it('a folder with no tokenizer is a one-line E_TOKENIZER error naming tokenizer.json', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peftjs-notok-'));
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ model_type: 'llama', vocab_size: 256 }));
    await expect(loadTokenizer(dir)).rejects.toMatchObject({
      code: 'E_TOKENIZER',
      message: expect.stringMatching(/^No tokenizer\.json in .*$/),
    });
    fs.rmSync(dir, { recursive: true });
  });

  it('byte-level models keep the byte tokenizer by their config, not by vocabulary size', async () => {
    const byte = await loadTokenizer(new URL('../checkpoints/gpt2-sotu-byte', import.meta.url).pathname);
    expect(byte).toBeInstanceOf(ByteTokenizer);
    // A model with a 256-entry vocabulary but a real tokenizer.json uses that tokenizer.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peftjs-tok256-'));
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ model_type: 'gpt2', vocab_size: 256 }));
    for (const f of ['tokenizer.json', 'tokenizer_config.json'])
      fs.copyFileSync(path.join(fixtureDir('hf/tokenizer-bytelevel'), f), path.join(dir, f));
    expect(await loadTokenizer(dir)).toBeInstanceOf(HfTokenizer);
    fs.rmSync(dir, { recursive: true });
  });
});

describe('savePretrained({ tokenizer })', () => {
  it('writes tokenizer.json + tokenizer_config.json that load back to the same encodings; a ByteTokenizer marks config.json', async () => {
    const source = await loadTokenizer(fixtureDir('hf/tokenizer-sentencepiece'));
    const model = new LlamaForCausalLM(
      llamaConfig({ vocabSize: 512, hiddenSize: 8, intermediateSize: 8, numHiddenLayers: 1, numAttentionHeads: 2 }),
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peftjs-savetok-'));
    await savePretrained(model, path.join(dir, 'hf'), { tokenizer: source });
    const back = await loadTokenizer(path.join(dir, 'hf'));
    const rows = JSON.parse(
      fs.readFileSync(path.join(fixtureDir('hf/tokenizer-sentencepiece'), 'expected.json'), 'utf8'),
    ) as Row[];
    for (const row of rows) expect(back.encode(row.text)).toEqual(row.ids);
    await savePretrained(model, path.join(dir, 'byte'), { tokenizer: new ByteTokenizer() });
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'byte', 'config.json'), 'utf8'))).toMatchObject({
      peftjs_tokenizer: 'byte',
      dtype: 'float32',
    });
    expect(await loadTokenizer(path.join(dir, 'byte'))).toBeInstanceOf(ByteTokenizer);
    model.dispose();
    fs.rmSync(dir, { recursive: true });
  });
});
