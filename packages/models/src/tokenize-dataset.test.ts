import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { disposeBatch, isPeftjsError, setBackend } from '@peftjs/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ByteTokenizer } from './byte-tokenizer';
import { ChatTemplate } from './chat-template';
import { parseDataset, type DataFormat } from './data-formats';
import { exampleBatches } from './example-batches';
import { fixtureDir } from './fixtures.test-support';
import { prepareDataset } from './prepare-dataset';
import { tokenizeDataset } from './tokenize-dataset';
import type { Tokenizer } from './tokenizer';

const M = -100;
const bytes = (s: string) => Array.from(new TextEncoder().encode(s));
const templates = (
  JSON.parse(readFileSync(join(fixtureDir('chat-templates'), 'reference.json'), 'utf8')) as {
    templates: Record<string, string>;
  }
).templates;

/** Bytes, with BOS = 257 prepended unless `addSpecialTokens: false` (as Hugging Face tokenizers do), EOS = 256. */
class SpecialByteTokenizer implements Tokenizer {
  readonly name = 'special-bytes';
  readonly vocabSize = 258;
  readonly eosTokenId = 256;
  readonly padTokenId = 256;
  encode(text: string, options: { addSpecialTokens?: boolean } = {}): number[] {
    return [...(options.addSpecialTokens === false ? [] : [257]), ...bytes(text)];
  }
  decode(ids: ArrayLike<number>): string {
    return new ByteTokenizer().decode(Array.from(ids).filter((i) => i < 256));
  }
}

const parse = (lines: object[], format?: DataFormat) =>
  parseDataset(lines.map((l) => JSON.stringify(l)).join('\n'), { source: 'd.jsonl', ...(format ? { format } : {}) });

beforeAll(async () => {
  await setBackend('cpu');
});

describe('tokenizeDataset', () => {
  it('masks the prompt of prompt/completion examples, and ends them with EOS', () => {
    const data = parse([{ prompt: '2+2=', completion: ' 4' }]);
    const plain = tokenizeDataset(data, { tokenizer: new ByteTokenizer(), maxLength: 64 });
    expect(plain.examples).toEqual([{ inputIds: bytes('2+2= 4'), labels: [M, M, M, M, 32, 52] }]);
    const special = tokenizeDataset(data, { tokenizer: new SpecialByteTokenizer(), maxLength: 64 });
    expect(special.examples).toEqual([
      { inputIds: [257, ...bytes('2+2= 4'), 256], labels: [M, M, M, M, M, 32, 52, 256] },
    ]);
    expect([special.tokens, special.scoredTokens, special.truncated, special.dropped]).toEqual([8, 3, 0, 0]);
  });

  it('counts truncation, and drops examples whose completion is cut away entirely', () => {
    const data = parse([
      { prompt: '2+2=', completion: ' 4' },
      { prompt: 'long prompt', completion: 'x' },
    ]);
    const cut = tokenizeDataset(data, { tokenizer: new SpecialByteTokenizer(), maxLength: 6 });
    expect(cut.examples).toEqual([{ inputIds: [257, ...bytes('2+2= ')], labels: [M, M, M, M, M, 32] }]);
    expect([cut.truncated, cut.dropped]).toEqual([2, 1]);
  });

  it('scores only assistant turns of chat data, rendered by the template (positions found in the Jinja2 reference text)', () => {
    const messages = [
      { role: 'user', content: ' padded question ' },
      { role: 'assistant', content: 'One.' },
      { role: 'user', content: 'And two?' },
      { role: 'assistant', content: 'Two.\nDone.' },
    ];
    const template = new ChatTemplate(templates['chatml'] as string);
    // Reference rendering from Python Jinja2; each assistant turn is its content plus "<|im_end|>\n".
    const text =
      '<|im_start|>user\n padded question <|im_end|>\n<|im_start|>assistant\nOne.<|im_end|>\n<|im_start|>user\nAnd two?<|im_end|>\n<|im_start|>assistant\nTwo.\nDone.<|im_end|>\n';
    const expected = bytes(text).map(() => M);
    for (const turn of ['One.<|im_end|>\n', 'Two.\nDone.<|im_end|>\n']) {
      const at = text.indexOf(`assistant\n${turn}`) + 'assistant\n'.length;
      for (let i = at; i < at + turn.length; i++) expected[i] = bytes(text)[i] as number;
    }
    expect(() =>
      tokenizeDataset(parse([{ messages }]), { tokenizer: new ByteTokenizer(), maxLength: 512, chatTemplate: null }),
    ).toThrow(/chat data needs the checkpoint's chat template/);
    const withTemplate = tokenizeDataset(parse([{ messages }]), {
      tokenizer: new ByteTokenizer(),
      maxLength: 512,
      chatTemplate: template,
    });
    expect(withTemplate.examples).toEqual([{ inputIds: bytes(text), labels: expected }]);
    expect(withTemplate.scoredTokens).toBe(15 + 21); // "One.<|im_end|>\n" + "Two.\nDone.<|im_end|>\n"
  });

  it('encodes rendered chat without adding special tokens again (the template writes <s>)', () => {
    const template = new ChatTemplate(templates['inst'] as string, { bosToken: '<s>', eosToken: '</s>' });
    const data = parse([
      {
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello there.' },
        ],
      },
    ]);
    const { examples } = tokenizeDataset(data, {
      tokenizer: new SpecialByteTokenizer(),
      maxLength: 512,
      chatTemplate: template,
    });
    const text = '<s>[INST] Hi [/INST] Hello there.</s>';
    const scored = ' Hello there.</s>';
    expect(examples[0]?.inputIds).toEqual(bytes(text));
    expect(examples[0]?.labels).toEqual([...bytes(text.slice(0, -scored.length)).map(() => M), ...bytes(scored)]);
  });

  it('packs text into sequences of maxLength, JSONL documents separated by EOS', () => {
    const plain = tokenizeDataset(parseDataset('abcdefghij', { source: 'a.txt' }), {
      tokenizer: new ByteTokenizer(),
      maxLength: 4,
    });
    expect(plain.examples.map((e) => e.inputIds)).toEqual([bytes('abcd'), bytes('efgh'), bytes('ij')]);
    expect(plain.examples.every((e) => e.labels === e.inputIds || e.labels.join() === e.inputIds.join())).toBe(true);
    const docs = tokenizeDataset(parse([{ text: 'ab' }, { text: 'cd' }]), {
      tokenizer: new SpecialByteTokenizer(),
      maxLength: 3,
    });
    expect(docs.examples.map((e) => e.inputIds)).toEqual([
      [257, 97, 98],
      [256, 257, 99],
      [100, 256],
    ]);
    expect([docs.truncated, docs.tokens, docs.scoredTokens]).toEqual([0, 8, 8]);
  });
});

describe('prepareDataset', () => {
  const records = Array.from({ length: 10 }, (_, i) => ({ prompt: `q${i}=`, completion: `a${i}` }));
  const options = { tokenizer: new ByteTokenizer(), maxLength: 32 };

  it('holds out a seeded fraction of the lines, disjoint from training', () => {
    const a = prepareDataset(parse(records), { ...options, evalFraction: 0.2, seed: 5 });
    const b = prepareDataset(parse(records), { ...options, evalFraction: 0.2, seed: 5 });
    expect(a.train.examples).toHaveLength(8);
    expect(a.eval?.examples).toHaveLength(2);
    expect(b).toEqual(a);
    const key = (e: { inputIds: readonly number[] }) => e.inputIds.join();
    const trainKeys = new Set(a.train.examples.map(key));
    expect(a.eval?.examples.some((e) => trainKeys.has(key(e)))).toBe(false);
    const seeds = new Set(
      Array.from({ length: 6 }, (_, s) =>
        prepareDataset(parse(records), { ...options, evalFraction: 0.2, seed: s })
          .eval?.examples.map(key)
          .join('|'),
      ),
    );
    expect(seeds.size).toBeGreaterThan(1);
  });

  it('splits a plain text file by packed sequence, and takes held-out data from its own file', () => {
    const text = prepareDataset(parseDataset('x'.repeat(40), { source: 'a.txt' }), {
      tokenizer: new ByteTokenizer(),
      maxLength: 4,
      evalFraction: 0.25,
    });
    expect([text.train.examples.length, text.eval?.examples.length, text.train.tokens]).toEqual([7, 3, 28]);
    const own = prepareDataset(parse(records), { ...options, evalData: parse(records.slice(0, 3)) });
    expect([own.train.examples.length, own.eval?.examples.length]).toEqual([10, 3]);
    expect(prepareDataset(parse(records), options).eval).toBeNull();
  });

  it('rejects impossible splits and data with no training sequence, as PeftjsErrors', () => {
    const code = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return isPeftjsError(error) ? error.code : 'other';
      }
      return null;
    };
    expect(
      code(() => prepareDataset(parse(records), { ...options, evalFraction: 0.2, evalData: parse(records) })),
    ).toBe('E_DATA_SPLIT');
    expect(code(() => prepareDataset(parse(records), { ...options, evalFraction: 1 }))).toBe('E_DATA_SPLIT');
    expect(code(() => prepareDataset(parse(records.slice(0, 1)), { ...options, evalFraction: 0.5 }))).toBe(
      'E_DATA_SPLIT',
    );
    expect(() => prepareDataset(parse(records), { ...options, maxLength: 3 })).toThrow(
      /d.jsonl: no training sequence: all 10 example\(s\) lost their completion to truncation at 3 tokens/,
    );
  });
});

describe('exampleBatches', () => {
  it('right-pads each batch to its longest example, with label -100 on padding, and leaks no tensor', () => {
    const examples = [
      { inputIds: [5, 6, 7], labels: [M, 6, 7] },
      { inputIds: [1, 2, 3, 4, 5], labels: [M, M, 3, 4, 5] },
    ];
    const stream = exampleBatches(examples, { batchSize: 2, padTokenId: 9, shuffle: false });
    const before = tf.memory().numTensors;
    const batch = stream.batchAt(0);
    expect(batch.inputIds.arraySync()).toEqual([
      [5, 6, 7, 9, 9],
      [1, 2, 3, 4, 5],
    ]);
    expect(batch.attentionMask?.arraySync()).toEqual([
      [1, 1, 1, 0, 0],
      [1, 1, 1, 1, 1],
    ]);
    expect(batch.labels?.arraySync()).toEqual([
      [M, 6, 7, M, M],
      [M, M, 3, 4, 5],
    ]);
    disposeBatch(batch);
    expect(tf.memory().numTensors).toBe(before);
    const looping = exampleBatches(examples, { batchSize: 1, padTokenId: 0, loop: true, seed: 3 });
    const order = Array.from({ length: 6 }, (_, i) => {
      const b = looping.batchAt(i);
      const first = (b.inputIds.arraySync() as number[][])[0]?.[0];
      disposeBatch(b);
      return first;
    });
    expect(order.filter((x) => x === 5)).toHaveLength(3); // each example once per epoch
  });
});
