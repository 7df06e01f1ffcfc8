import { Rng } from '@peftjs/core';
import type { SpamAssassinMessage } from '@peftjs/models';
import { CliError } from '../cli-error';

/** One classification example: the text the model reads and its class (0 ham, 1 spam). */
export interface SpamExample {
  readonly id: string;
  /** SpamAssassin corpus the message came from (`easy-ham-1`, ..., `spam-2`). */
  readonly group: string;
  readonly label: 0 | 1;
  /** `<subject>\n<body>`, whitespace runs collapsed, cut to the split's `maxBytes` UTF-8 bytes. */
  readonly text: string;
}

export interface SpamSplitOptions {
  /** UTF-8 bytes of each message the model reads (byte-level tokenizer: one byte, one token). */
  readonly maxBytes: number;
  /** Messages held out, split between ham and spam in proportion to their counts. */
  readonly heldOutSize: number;
  /** Seed of the split (fixed for a task: it is not the run seed). */
  readonly seed: number | string;
}

export interface SpamSplit {
  readonly train: readonly SpamExample[];
  readonly heldOut: readonly SpamExample[];
  /** Messages dropped because an earlier message gives the same model input (same label). */
  readonly duplicates: number;
  /** Messages dropped because the same model input occurs with both labels (every copy is dropped). */
  readonly conflicting: number;
}

/**
 * The text a classifier reads from a raw e-mail: the `Subject` header's value (unfolded; empty when
 * the message has none), a newline, and the body after the first blank line, every run of
 * whitespace collapsed to one space. The other headers are dropped: they name the mailboxes and
 * relays each corpus was collected from, which would let a model tell the corpora apart rather than
 * ham from spam.
 */
export function spamInputText(raw: string): string {
  const end = raw.search(/\r?\n\r?\n/);
  const headers = end < 0 ? raw : raw.slice(0, end);
  const body = end < 0 ? '' : raw.slice(end);
  const subject = /^Subject:(.*(?:\r?\n[ \t].*)*)/im.exec(headers)?.[1] ?? '';
  const squash = (s: string) => s.replace(/\s+/g, ' ').trim();
  return `${squash(subject)}\n${squash(body)}`;
}

/**
 * A deterministic held-out split of SpamAssassin for sequence classification. Every message of the
 * five corpora is used (easy-ham-1, easy-ham-2, hard-ham-1: ham; spam-1, spam-2: spam). Each
 * becomes {@link spamInputText} cut to `maxBytes` bytes; messages whose cut text repeats an earlier
 * one are dropped (the first is kept; when the copies disagree on the label all are dropped), so no
 * model input is in both splits. Then, per class, a permutation from `Rng.derive(seed, "spam-split/<label>")`
 * puts its first `round(heldOutSize * classCount / total)` messages in the held-out split, in that
 * order, and the rest in training (package order). A smaller `heldOutSize` with the same seed holds
 * out a subset of a larger one's held-out messages.
 *
 * @throws {@link CliError} when `maxBytes` or `heldOutSize` is not a positive integer, or the held-out
 *   split would leave a class with no training message.
 */
export function splitSpamAssassin(messages: readonly SpamAssassinMessage[], options: SpamSplitOptions): SpamSplit {
  const { maxBytes, heldOutSize } = options;
  if (!Number.isInteger(maxBytes) || maxBytes <= 0)
    throw new CliError(`spam split: maxBytes must be a positive integer, got ${maxBytes}`);
  if (!Number.isInteger(heldOutSize) || heldOutSize <= 0)
    throw new CliError(`spam split: heldOutSize must be a positive integer, got ${heldOutSize}`);
  const encoder = new TextEncoder();
  const decoder = new TextDecoder('utf-8', { fatal: false });
  const byKey = new Map<string, { example: SpamExample; copies: number; conflict: boolean }>();
  for (const m of messages) {
    const bytes = encoder.encode(spamInputText(m.text)).subarray(0, maxBytes);
    const key = Array.from(bytes, (b) => String.fromCharCode(b)).join('');
    const seen = byKey.get(key);
    if (seen === undefined) {
      // A cut inside a multi-byte character decodes to U+FFFD; the tokenizer cuts at maxBytes again.
      const example = { id: m.id, group: m.group, label: m.label, text: decoder.decode(bytes) };
      byKey.set(key, { example, copies: 1, conflict: false });
    } else {
      seen.copies++;
      if (seen.example.label !== m.label) seen.conflict = true;
    }
  }
  const kept = [...byKey.values()].filter((e) => !e.conflict).map((e) => e.example);
  const conflicting = [...byKey.values()].filter((e) => e.conflict).reduce((n, e) => n + e.copies, 0);
  const duplicates = messages.length - kept.length - conflicting;
  const train: SpamExample[] = [];
  const heldOut: SpamExample[] = [];
  for (const label of [0, 1] as const) {
    const members = kept.filter((e) => e.label === label);
    const take = Math.round((heldOutSize * members.length) / kept.length);
    if (take >= members.length)
      throw new CliError(
        `spam split: holding out ${heldOutSize} messages leaves no ${label === 1 ? 'spam' : 'ham'} to train on; use a smaller heldOutSize`,
      );
    const order = Rng.derive(options.seed, `spam-split/${label}`).permutation(members.length);
    const held = new Set(order.slice(0, take));
    for (const i of order.slice(0, take)) heldOut.push(members[i] as SpamExample);
    members.forEach((e, i) => {
      if (!held.has(i)) train.push(e);
    });
  }
  return { train, heldOut, duplicates, conflicting };
}
