import { PeftjsError } from '@peftjs/core';
import { Tokenizer as HfTokenizerJs } from '@huggingface/tokenizers';
import type { Tokenizer } from './tokenizer';

/** `tokenizer_config.json`: the fields read here (special tokens may be strings or `{ content }` objects). */
type TokenizerConfig = Record<string, unknown>;

/** Options of {@link HfTokenizer.encode}. */
export interface HfEncodeOptions {
  /** Add the special tokens the tokenizer's post-processor adds (`<s>`, ...), as HF's `tokenizer(text)` does (default true). */
  addSpecialTokens?: boolean;
}

/** Options of {@link HfTokenizer.decode}. */
export interface HfDecodeOptions {
  /** Drop special tokens from the text (HF `skip_special_tokens`, default false, as `tokenizer.decode(ids)`). */
  skipSpecialTokens?: boolean;
}

function tokenContent(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && typeof (value as { content?: unknown }).content === 'string')
    return (value as { content: string }).content;
  return null;
}

/**
 * A Hugging Face `tokenizer.json` tokenizer (BPE, byte-level, metaspace/SentencePiece-style with
 * byte fallback, WordPiece, Unigram) run by `@huggingface/tokenizers`, the maintained JS
 * implementation. `encode(text)` equals transformers' `tokenizer(text)["input_ids"]` (special
 * tokens added as the tokenizer's post-processor adds them; added/special tokens recognised
 * anywhere in the text) and `decode(ids)` equals `tokenizer.decode(ids)`. Both are pure.
 * Build with {@link HfTokenizer.fromJson} or `loadTokenizer(dir)`.
 */
export class HfTokenizer implements Tokenizer {
  readonly name = 'hf';
  readonly vocabSize: number;
  readonly eosTokenId: number | null;
  /** Id of `tokenizer_config.json`'s `bos_token`, or null when it names none. */
  readonly bosTokenId: number | null;
  /** `pad_token`, else `eos_token`, else 0 (padding is masked out, never predicted). */
  readonly padTokenId: number;

  private constructor(
    private readonly tokenizer: HfTokenizerJs,
    /** The `tokenizer.json` and `tokenizer_config.json` objects it was built from (written back by `savePretrained`). */
    readonly files: {
      /** The parsed `tokenizer.json`. */
      readonly tokenizerJson: object;
      /** The parsed `tokenizer_config.json` (`{}` when there was none). */
      readonly tokenizerConfig: TokenizerConfig;
    },
  ) {
    const config = files.tokenizerConfig;
    let size = 0;
    for (const id of tokenizer.get_vocab(true).values()) size = Math.max(size, id + 1);
    for (const id of tokenizer.get_added_tokens_decoder().keys()) size = Math.max(size, id + 1);
    this.vocabSize = size;
    const idOf = (field: string): number | null => {
      const content = tokenContent(config[field]);
      return content === null ? null : (tokenizer.token_to_id(content) ?? null);
    };
    this.eosTokenId = idOf('eos_token');
    this.bosTokenId = idOf('bos_token');
    this.padTokenId = idOf('pad_token') ?? this.eosTokenId ?? 0;
  }

  /**
   * @param tokenizerJson - the parsed `tokenizer.json`.
   * @param tokenizerConfig - the parsed `tokenizer_config.json` (`{}` when the folder has none).
   * @throws PeftjsError `E_TOKENIZER` when the library cannot build the tokenizer (an unsupported component).
   */
  static fromJson(tokenizerJson: object, tokenizerConfig: TokenizerConfig = {}): HfTokenizer {
    let tokenizer: HfTokenizerJs;
    try {
      tokenizer = new HfTokenizerJs(tokenizerJson, tokenizerConfig);
    } catch (cause) {
      throw new PeftjsError(
        'E_TOKENIZER',
        `tokenizer.json could not be read by @huggingface/tokenizers (${cause instanceof Error ? cause.message : String(cause)}); check the file or report the component it uses`,
        { cause },
      );
    }
    return new HfTokenizer(tokenizer, { tokenizerJson, tokenizerConfig });
  }

  /** Token ids of `text` (int ids in `[0, vocabSize)`). */
  encode(text: string, options: HfEncodeOptions = {}): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: options.addSpecialTokens ?? true }).ids;
  }

  /**
   * Text of `ids`; `[]` gives `""`.
   * @throws PeftjsError `E_TOKEN_RANGE` for an id that is not an integer in `[0, vocabSize)`.
   */
  decode(ids: ArrayLike<number>, options: HfDecodeOptions = {}): string {
    const list = Array.from(ids);
    list.forEach((id, i) => {
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
        throw new PeftjsError(
          'E_TOKEN_RANGE',
          `HfTokenizer.decode: id ${id} at index ${i} is outside [0, ${this.vocabSize}); decode ids this tokenizer produced`,
        );
      }
    });
    if (list.length === 0) return '';
    return this.tokenizer.decode(list, { skip_special_tokens: options.skipSpecialTokens ?? false });
  }
}
