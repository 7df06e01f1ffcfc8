import type { Tokenizer } from './tokenizer';

interface BpeFunctions {
  encode(text: string, options?: { allowedSpecial?: Set<string> }): number[];
  decode(ids: Iterable<number>): string;
}

/**
 * GPT-2's byte-level BPE (vocabulary 50257, `<|endoftext|>` = 50256), backed by `gpt-tokenizer`'s
 * `r50k_base` encoding, which is GPT-2's. Create with `await Gpt2BpeTokenizer.load()` (the merge
 * table, about 1 MB, loads on first use, not at import).
 */
export class Gpt2BpeTokenizer implements Tokenizer {
  readonly name = 'gpt2';
  readonly vocabSize = 50257;
  readonly eosTokenId = 50256;
  /** GPT-2 has no pad token; as is usual, `<|endoftext|>` pads and the attention mask hides it. */
  readonly padTokenId = 50256;

  private constructor(private readonly bpe: BpeFunctions) {}

  /** Loads `gpt-tokenizer`'s `r50k_base` tables (a dynamic import) and returns the tokenizer. */
  static async load(): Promise<Gpt2BpeTokenizer> {
    const mod: BpeFunctions = await import('gpt-tokenizer/encoding/r50k_base');
    return new Gpt2BpeTokenizer(mod);
  }

  /** Encodes text; `<|endoftext|>` in the text is encoded as the special token 50256. */
  encode(text: string): number[] {
    return this.bpe.encode(text, { allowedSpecial: new Set(['<|endoftext|>']) });
  }

  /**
   * The text of `ids`, as `GPT2Tokenizer.decode` (byte-level, so any id sequence decodes).
   * @throws RangeError when an id is not an integer in `[0, 50257)`.
   */
  decode(ids: ArrayLike<number>): string {
    const list = Array.from(ids);
    list.forEach((id, i) => {
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize)
        throw new RangeError(`Gpt2BpeTokenizer.decode: id ${id} at index ${i} is outside [0, ${this.vocabSize})`);
    });
    return this.bpe.decode(list);
  }
}
