import { PeftjsError } from '@peftjs/core';
import type { ChatMessage, ChatTemplate } from './chat-template';
import type { DataRecord, ParsedDataset } from './data-formats';
import { IGNORE_INDEX } from './lm-loss';
import type { Tokenizer } from './tokenizer';

/** One tokenized training sequence: `labels[t]` is `inputIds[t]` where the loss scores it, {@link IGNORE_INDEX} elsewhere. */
export interface TokenizedExample {
  /** Token ids of the sequence. */
  readonly inputIds: readonly number[];
  /** Same length as `inputIds`; not shifted (the model's loss shifts). */
  readonly labels: readonly number[];
}

/** Options of {@link tokenizeDataset}. */
export interface TokenizeDatasetOptions {
  /**
   * The checkpoint's tokenizer. When its `encode` accepts `{ addSpecialTokens: false }` (Hugging
   * Face tokenizers), rendered chat text is encoded without adding special tokens again, as
   * transformers' `apply_chat_template` does; the template writes them itself.
   */
  readonly tokenizer: Tokenizer;
  /** Tokens per sequence (>= 2): packed text is cut at this length, longer examples are truncated. */
  readonly maxLength: number;
  /** Needed for `chat` data. */
  readonly chatTemplate?: ChatTemplate | null;
}

/** Tokenized data and what tokenization did to it. */
export interface TokenizedDataset {
  /** The sequences, in record order. */
  readonly examples: readonly TokenizedExample[];
  /** Examples longer than `maxLength` that were cut to it (their end is lost). Packed text is never truncated. */
  readonly truncated: number;
  /** Examples dropped because truncation left none of their completion tokens. */
  readonly dropped: number;
  /** Tokens in all examples. */
  readonly tokens: number;
  /** Tokens whose label is scored (not {@link IGNORE_INDEX}). */
  readonly scoredTokens: number;
}

type Encode = (text: string, options?: { addSpecialTokens?: boolean }) => number[];

/**
 * Tokenizes parsed records into training sequences (TRL `SFTTrainer` conventions):
 * - text (plain file or JSONL `text`): each document encoded as the tokenizer does by default,
 *   JSONL documents followed by EOS, all concatenated and cut into sequences of `maxLength`
 *   (the last may be shorter); every token is scored.
 * - prompt/completion: `prompt + completion` (+ EOS); labels are {@link IGNORE_INDEX} on the prompt's tokens.
 * - chat: the conversation rendered by the chat template and encoded without added special
 *   tokens; only assistant turns are scored: the tokens between the rendering of the messages
 *   before an assistant turn (with the generation prompt) and the rendering up to its end.
 * The prompt/completion boundary is the longest common prefix of the prompt's tokens and the
 * whole example's tokens, so a merge across the boundary is scored rather than lost.
 * @throws PeftjsError `E_CHAT_TEMPLATE` for chat data without a template; `E_DATA_MAX_LENGTH` for `maxLength < 2`.
 */
export function tokenizeDataset(data: ParsedDataset, options: TokenizeDatasetOptions): TokenizedDataset {
  const { tokenizer, maxLength } = options;
  if (!Number.isInteger(maxLength) || maxLength < 2)
    throw new PeftjsError('E_DATA_MAX_LENGTH', `tokenizeDataset: maxLength must be an integer >= 2, got ${maxLength}`);
  const encode: Encode = tokenizer.encode.bind(tokenizer);
  const eos = tokenizer.eosTokenId;
  const examples: TokenizedExample[] = [];
  let truncated = 0;
  let dropped = 0;
  const texts = data.records.filter((r): r is Extract<DataRecord, { kind: 'text' }> => r.kind === 'text');
  if (texts.length > 0) {
    // Documents of a JSONL file end with EOS so packed sequences show where one ends; a plain file is one document.
    const separator = data.format === 'jsonl-text' && eos !== null ? [eos] : [];
    const stream = texts.flatMap((r) => [...encode(r.text), ...separator]);
    for (let start = 0; start + 1 < stream.length; start += maxLength) {
      const ids = stream.slice(start, start + maxLength);
      examples.push({ inputIds: ids, labels: ids });
    }
  }
  for (const record of data.records) {
    if (record.kind === 'text') continue;
    const full =
      record.kind === 'chat'
        ? chatExample(record.messages, encode, options.chatTemplate ?? null, data.source)
        : promptCompletionExample(record.prompt, record.completion, encode, eos);
    if (full.inputIds.length > maxLength) {
      truncated++;
      const cut = { inputIds: full.inputIds.slice(0, maxLength), labels: full.labels.slice(0, maxLength) };
      if (cut.labels.every((l) => l === IGNORE_INDEX)) dropped++;
      else examples.push(cut);
    } else if (full.labels.some((l) => l !== IGNORE_INDEX)) {
      examples.push(full);
    } else {
      dropped++;
    }
  }
  let tokens = 0;
  let scoredTokens = 0;
  for (const e of examples) {
    tokens += e.inputIds.length;
    for (const l of e.labels) if (l !== IGNORE_INDEX) scoredTokens++;
  }
  return { examples, truncated, dropped, tokens, scoredTokens };
}

function promptCompletionExample(
  prompt: string,
  completion: string,
  encode: Encode,
  eos: number | null,
): TokenizedExample {
  const ids = [...encode(prompt + completion)];
  if (eos !== null && ids[ids.length - 1] !== eos) ids.push(eos);
  const boundary = commonPrefixLength(encode(prompt), ids);
  return { inputIds: ids, labels: ids.map((id, i) => (i < boundary ? IGNORE_INDEX : id)) };
}

function chatExample(
  messages: readonly ChatMessage[],
  encode: Encode,
  template: ChatTemplate | null,
  source: string,
): TokenizedExample {
  if (template === null) {
    throw new PeftjsError(
      'E_CHAT_TEMPLATE',
      `${source}: chat data needs the checkpoint's chat template, and it has none (no chat_template.jinja, no chat_template in tokenizer_config.json); add one or use prompt/completion data`,
    );
  }
  const raw = (text: string) => encode(text, { addSpecialTokens: false });
  const ids = raw(template.render(messages));
  const labels = new Array<number>(ids.length).fill(IGNORE_INDEX);
  messages.forEach((m, i) => {
    if (m.role !== 'assistant') return;
    const start = commonPrefixLength(raw(template.render(messages.slice(0, i), { addGenerationPrompt: true })), ids);
    const end = commonPrefixLength(raw(template.render(messages.slice(0, i + 1))), ids);
    for (let t = start; t < end; t++) labels[t] = ids[t] as number;
  });
  return { inputIds: ids, labels };
}

function commonPrefixLength(a: readonly number[], b: readonly number[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}
