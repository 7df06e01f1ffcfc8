import type { Tokenizer } from './tokenizer';

/**
 * The `config.json` field that marks a byte-level model (one token per UTF-8 byte) such as the
 * bundled `gpt2-sotu-byte`: `"peftjs_tokenizer": "byte"`. Hugging Face keeps unknown config fields.
 */
export const BYTE_TOKENIZER_FIELD = 'peftjs_tokenizer';

/**
 * Byte-level tokenizer for the bundled demo models: a token is one UTF-8 byte (vocabulary 256).
 * Decoding invalid UTF-8 (a window cut inside a multi-byte character) yields U+FFFD, never an error.
 * Padding uses byte 0 (NUL), which the attention mask hides.
 */
export class ByteTokenizer implements Tokenizer {
  readonly name = 'byte';
  readonly vocabSize = 256;
  readonly eosTokenId = null;
  readonly padTokenId = 0;
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });

  /** The UTF-8 bytes of `text`, one id per byte. */
  encode(text: string): number[] {
    return Array.from(this.encoder.encode(text));
  }

  /** UTF-8 bytes as a typed array (no copy into a JS array, for whole corpora). */
  encodeBytes(text: string): Uint8Array {
    return this.encoder.encode(text);
  }

  /**
   * The text whose UTF-8 bytes are `ids`; invalid sequences become U+FFFD.
   * @throws RangeError when an id is not an integer in 0..255.
   */
  decode(ids: ArrayLike<number>): string {
    const bytes = new Uint8Array(ids.length);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      if (!Number.isInteger(id) || id < 0 || id > 255)
        throw new RangeError(`ByteTokenizer.decode: id ${id} at index ${i} is not a byte (0..255)`);
      bytes[i] = id;
    }
    return this.decoder.decode(bytes);
  }
}
