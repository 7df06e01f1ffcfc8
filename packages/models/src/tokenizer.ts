/** Text to token ids and back. */
export interface Tokenizer {
  /** A short identifier (`byte`, `gpt2`). */
  readonly name: string;
  /** Number of token ids; every id is in `[0, vocabSize)`. */
  readonly vocabSize: number;
  /** End-of-text token, or `null` when the vocabulary has none. */
  readonly eosTokenId: number | null;
  /** Id used to pad batches (masked out, never predicted). */
  readonly padTokenId: number;
  /** Token ids of `text`, each in `[0, vocabSize)`; special tokens only where the tokenizer's own rules add them. */
  encode(text: string): number[];
  /** The text of `ids`; gives back the text `encode` was given, up to the tokenizer's normalisation. */
  decode(ids: ArrayLike<number>): string;
}
