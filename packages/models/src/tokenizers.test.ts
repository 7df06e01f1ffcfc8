import { describe, expect, it } from 'vitest';
import { ByteTokenizer } from './byte-tokenizer';
import { Gpt2BpeTokenizer } from './gpt2-bpe-tokenizer';

describe('Gpt2BpeTokenizer (r50k_base, GPT-2)', () => {
  it('encodes to the published GPT-2 ids and round-trips', async () => {
    const tok = await Gpt2BpeTokenizer.load();
    // GPT-2 vocabulary: "Hello" = 15496, " world" = 995, "<|endoftext|>" = 50256.
    expect(tok.encode('Hello world')).toEqual([15496, 995]);
    expect(tok.encode('<|endoftext|>')).toEqual([50256]);
    const text = 'The whale, the whale! Call me Ishmael.\nUnion: 1790–2021 ✓';
    expect(tok.decode(tok.encode(text))).toBe(text);
    expect(tok.vocabSize).toBe(50257);
    expect(() => tok.decode([50257])).toThrow(/id 50257 at index 0 is outside \[0, 50257\)/);
  });
});

describe('ByteTokenizer', () => {
  it('maps text to its UTF-8 bytes and back', () => {
    const tok = new ByteTokenizer();
    expect(tok.encode('Aé')).toEqual([65, 0xc3, 0xa9]);
    const text = 'Fellow-Citizens — “liberty” 🇺🇸';
    expect(tok.decode(tok.encode(text))).toBe(text);
    expect(Array.from(tok.encodeBytes('hi'))).toEqual([104, 105]);
    // A window cut inside a multi-byte character decodes with a replacement character.
    expect(tok.decode([0xc3])).toBe('\ufffd');
    expect(() => tok.decode([256])).toThrow(/id 256 at index 0 is not a byte/);
  });
});
