import { PeftjsError, Rng } from '@peftjs/core';
import type { DataFormat, ParsedDataset } from './data-formats';
import { IGNORE_INDEX } from './lm-loss';
import { tokenizeDataset, type TokenizedDataset, type TokenizeDatasetOptions } from './tokenize-dataset';

/** Options of {@link prepareDataset}: tokenization plus where the held-out data come from. */
export interface PrepareDatasetOptions extends TokenizeDatasetOptions {
  /** Held-out data from its own file (exclusive with `evalFraction`). */
  readonly evalData?: ParsedDataset | null;
  /** Fraction in (0, 1) of the training examples held out for evaluation, chosen by `seed` (exclusive with `evalData`). */
  readonly evalFraction?: number | null;
  /** Seed of the held-out choice (default 0). */
  readonly seed?: number | string;
}

/** Training and held-out sequences, ready for {@link exampleBatches}. */
export interface PreparedDataset {
  /** The format of the training data. */
  readonly format: DataFormat;
  /** The training sequences. */
  readonly train: TokenizedDataset;
  /** `null` without `evalData` or `evalFraction`. */
  readonly eval: TokenizedDataset | null;
}

/**
 * Tokenizes a parsed data file and splits off held-out data: from `evalData`, or a seeded
 * `evalFraction` of the examples: of the JSONL lines (before tokenization, so no line is in both
 * splits), or of the packed sequences of a plain text file. At least one example goes to each side.
 * @throws PeftjsError `E_DATA_SPLIT` for both held-out options, a fraction outside (0, 1) or too few examples to split;
 *   `E_DATA_EMPTY` when no training sequence is left (all dropped by truncation, or the text is under 2 tokens).
 */
export function prepareDataset(data: ParsedDataset, options: PrepareDatasetOptions): PreparedDataset {
  const fraction = options.evalFraction ?? null;
  const evalData = options.evalData ?? null;
  if (fraction !== null && evalData !== null)
    throw new PeftjsError(
      'E_DATA_SPLIT',
      'Give held-out data either as a file or as a fraction of the training data, not both',
    );
  if (fraction !== null && !(fraction > 0 && fraction < 1))
    throw new PeftjsError('E_DATA_SPLIT', `The held-out fraction must be in (0, 1), got ${fraction}`);
  const seed = options.seed ?? 0;
  let train: TokenizedDataset;
  let held: TokenizedDataset | null = null;
  if (fraction === null) {
    train = tokenizeDataset(data, options);
    if (evalData !== null) held = nonEmpty(tokenizeDataset(evalData, options), evalData.source, options.maxLength);
  } else if (data.format === 'text') {
    const all = tokenizeDataset(data, options);
    const [keep, out] = split(all.examples, fraction, seed, data.source, 'packed sequences');
    train = { ...all, examples: keep, ...count(keep) };
    held = { ...all, examples: out, ...count(out) };
  } else {
    const [keep, out] = split(data.records, fraction, seed, data.source, 'lines');
    train = tokenizeDataset({ ...data, records: keep }, options);
    held = nonEmpty(
      tokenizeDataset({ ...data, records: out }, options),
      `${data.source} (held-out lines)`,
      options.maxLength,
    );
  }
  return { format: data.format, train: nonEmpty(train, data.source, options.maxLength), eval: held };
}

function split<T>(
  items: readonly T[],
  fraction: number,
  seed: number | string,
  source: string,
  what: string,
): [T[], T[]] {
  const n = items.length;
  const heldOut = Math.max(1, Math.round(fraction * n));
  if (n - heldOut < 1)
    throw new PeftjsError(
      'E_DATA_SPLIT',
      `${source}: ${n} ${what} cannot be split ${1 - fraction}/${fraction}; add data or give held-out data as its own file`,
    );
  const order = Rng.derive(seed, 'eval-split').permutation(n);
  const out = new Set(order.slice(0, heldOut));
  return [items.filter((_, i) => !out.has(i)), items.filter((_, i) => out.has(i))];
}

function count(examples: TokenizedDataset['examples']): { tokens: number; scoredTokens: number } {
  let tokens = 0;
  let scoredTokens = 0;
  for (const e of examples) {
    tokens += e.inputIds.length;
    for (const l of e.labels) if (l !== IGNORE_INDEX) scoredTokens++;
  }
  return { tokens, scoredTokens };
}

function nonEmpty(data: TokenizedDataset, source: string, maxLength: number): TokenizedDataset {
  if (data.examples.length === 0) {
    const why =
      data.dropped > 0
        ? `all ${data.dropped} example(s) lost their completion to truncation at ${maxLength} tokens; raise the max length`
        : 'the text has fewer than 2 tokens';
    throw new PeftjsError('E_DATA_EMPTY', `${source}: no training sequence: ${why}`);
  }
  return data;
}
