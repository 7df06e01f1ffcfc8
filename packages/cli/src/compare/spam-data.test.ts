import { describe, expect, it } from 'vitest';
import { PeftjsError } from '@peftjs/core';
import { loadSpamAssassin, type SpamAssassinMessage } from '@peftjs/models';
import { splitSpamAssassin, spamInputText, type SpamExample } from './spam-data';
import { SPAM_TASK_DEFAULTS, SPAM_TASK_QUICK } from './spam-compare-task';

const message = (id: number, label: 0 | 1, body: string, subject = `message ${id}`): SpamAssassinMessage => ({
  id: String(id).padStart(5, '0'),
  group: label === 1 ? 'spam-1' : 'easy-ham-1',
  label,
  text: `From someone@example.com\nReceived: by relay-${id}\nSubject: ${subject}\nX-Id: ${id}\n\n${body}`,
});

const inputs = (examples: readonly SpamExample[]) => examples.map((e) => e.text);

describe('spamInputText', () => {
  it('keeps the unfolded subject and the body, drops the other headers, collapses whitespace', () => {
    const raw = 'Return-Path: <a@b.c>\nSubject: Cheap\n\tpills   now\nTo: x@y.z\n\nBuy\n\n  today!\t\n';
    expect(spamInputText(raw)).toBe('Cheap pills now\nBuy today!');
    expect(spamInputText('From: a@b.c\n\nno subject here')).toBe('\nno subject here');
    expect(spamInputText('Subject: only headers')).toBe('only headers\n');
  });
});

describe('splitSpamAssassin (synthetic messages)', () => {
  const messages = [
    ...Array.from({ length: 30 }, (_, i) => message(i, 0, `ham body number ${i}`)),
    ...Array.from({ length: 10 }, (_, i) => message(100 + i, 1, `spam body number ${i}`)),
    // 200 repeats 0's model input (other headers differ, which the model never sees): dropped
    message(200, 0, 'ham body number 0', 'message 0'),
    // 201 and 202 give the same input with different labels: both dropped
    message(201, 0, 'contested', 'same'),
    message(202, 1, 'contested', 'same'),
  ];

  it('drops repeated inputs and conflicting copies, and holds out round(size * class share) per class', () => {
    const split = splitSpamAssassin(messages, { maxBytes: 64, heldOutSize: 8, seed: 's' });
    expect(split.duplicates).toBe(1);
    expect(split.conflicting).toBe(2);
    // 40 kept: 30 ham -> round(8 * 30 / 40) = 6 held out, 10 spam -> 2.
    expect(split.heldOut.filter((e) => e.label === 0)).toHaveLength(6);
    expect(split.heldOut.filter((e) => e.label === 1)).toHaveLength(2);
    expect(split.train).toHaveLength(32);
    expect(inputs([...split.train, ...split.heldOut]).some((t) => t.includes('contested'))).toBe(false);
  });

  it('is deterministic, disjoint, seed-dependent, and nested for a smaller held-out size', () => {
    const a = splitSpamAssassin(messages, { maxBytes: 64, heldOutSize: 8, seed: 's' });
    const again = splitSpamAssassin(messages, { maxBytes: 64, heldOutSize: 8, seed: 's' });
    expect(again).toEqual(a);
    const heldIds = new Set(a.heldOut.map((e) => e.id));
    expect(a.train.some((e) => heldIds.has(e.id))).toBe(false);
    expect(new Set([...a.train, ...a.heldOut].map((e) => e.id)).size).toBe(40);
    const other = splitSpamAssassin(messages, { maxBytes: 64, heldOutSize: 8, seed: 't' });
    expect(other.heldOut.map((e) => e.id)).not.toEqual(a.heldOut.map((e) => e.id));
    const smaller = splitSpamAssassin(messages, { maxBytes: 64, heldOutSize: 4, seed: 's' });
    expect(smaller.heldOut.every((e) => heldIds.has(e.id))).toBe(true);
  });

  it('cuts each input to maxBytes bytes, so messages that differ only later are duplicates', () => {
    const long = [
      ...messages.slice(0, 30),
      message(300, 1, 'the same long opening line, then one ending'),
      message(301, 1, 'the same long opening line, then another ending', 'message 300'),
      ...messages.slice(30, 40),
    ];
    const short = splitSpamAssassin(long, { maxBytes: 40, heldOutSize: 4, seed: 's' });
    expect(short.duplicates).toBe(1);
    const all = [...short.train, ...short.heldOut];
    expect(all.every((e) => new TextEncoder().encode(e.text).length <= 40)).toBe(true);
    // "message 300\n" is 12 bytes, then the body's first 28
    expect(all.find((e) => e.id === '00300')?.text).toBe('message 300\nthe same long opening line, ');
    expect(splitSpamAssassin(long, { maxBytes: 200, heldOutSize: 4, seed: 's' }).duplicates).toBe(0);
  });

  it('refuses bad sizes with a usage error naming the field', () => {
    expect(() => splitSpamAssassin(messages, { maxBytes: 0, heldOutSize: 8, seed: 's' })).toThrow(/maxBytes/);
    expect(() => splitSpamAssassin(messages, { maxBytes: 64, heldOutSize: 1.5, seed: 's' })).toThrow(PeftjsError);
    expect(() => splitSpamAssassin(messages, { maxBytes: 64, heldOutSize: 40, seed: 's' })).toThrow(
      /leaves no ham to train on/,
    );
  });
});

describe('splitSpamAssassin (the SpamAssassin corpus, task settings)', () => {
  it('splits every message into disjoint, deterministic train and held-out sets; quick holds out a subset', async () => {
    const all = await loadSpamAssassin();
    const options = {
      maxBytes: SPAM_TASK_DEFAULTS.maxBytes,
      heldOutSize: SPAM_TASK_DEFAULTS.heldOutSize,
      seed: SPAM_TASK_DEFAULTS.splitSeed,
    };
    const split = splitSpamAssassin(all, options);
    expect(split.train.length + split.heldOut.length + split.duplicates + split.conflicting).toBe(all.length);
    expect(split.heldOut).toHaveLength(SPAM_TASK_DEFAULTS.heldOutSize);
    const held = new Set(inputs(split.heldOut));
    expect(held.size).toBe(split.heldOut.length);
    expect(inputs(split.train).some((t) => held.has(t))).toBe(false);
    expect(new Set(inputs(split.train)).size).toBe(split.train.length);
    const groups = new Set(split.train.map((e) => e.group));
    expect([...groups].sort()).toEqual(['easy-ham-1', 'easy-ham-2', 'hard-ham-1', 'spam-1', 'spam-2']);
    // the held-out spam share matches the kept corpus's within rounding
    const kept = split.train.length + split.heldOut.length;
    const spamKept = [...split.train, ...split.heldOut].filter((e) => e.label === 1).length;
    expect(split.heldOut.filter((e) => e.label === 1).length).toBe(Math.round((options.heldOutSize * spamKept) / kept));
    expect(splitSpamAssassin(all, options)).toEqual(split);
    const quick = splitSpamAssassin(all, { ...options, heldOutSize: SPAM_TASK_QUICK.heldOutSize });
    const heldIds = new Set(split.heldOut.map((e) => e.id));
    expect(quick.heldOut.every((e) => heldIds.has(e.id))).toBe(true);
  });
});
