import * as tf from '@tensorflow/tfjs-core';
import { disposeBatch, setBackend } from '@peftjs/core';
import { captureLayerInputs } from '@peftjs/hooks';
import { ByteTokenizer, ChatTemplate, exampleBatches, parseDataset, prepareDataset } from '@peftjs/models';
import { beforeAll, describe, expect, it } from 'vitest';
import { tinyGpt2 } from '@peftjs/test-utils/models';

/** A short template (the tiny model has 64 positions): "u:" / "a:" role prefixes, one line per message. */
const TEMPLATE =
  "{% for m in messages %}{{ m['role'][0] + ':' + m['content'] + '\\n' }}{% endfor %}{% if add_generation_prompt %}a:{% endif %}";

beforeAll(async () => {
  await setBackend('wasm');
});

describe("label-masked chat data in EVA's activation capture", () => {
  it('feeds EVA exactly the assistant tokens with useLabelMask, and every real token without it', () => {
    const jsonl = [
      {
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello there.' },
        ],
      },
      {
        messages: [
          { role: 'user', content: 'Why?' },
          { role: 'assistant', content: 'Because.' },
        ],
      },
    ]
      .map((l) => JSON.stringify(l))
      .join('\n');
    const data = prepareDataset(parseDataset(jsonl, { source: 'chat.jsonl' }), {
      tokenizer: new ByteTokenizer(),
      maxLength: 128,
      chatTemplate: new ChatTemplate(TEMPLATE),
    });
    // By hand (one byte per token): row 1 "u:Hi\n" + "a:Hello there.\n" = 5 + 15 = 20 tokens, "Hello there.\n" = 13 scored;
    // row 2 "u:Why?\n" + "a:Because.\n" = 7 + 11 = 18 tokens, "Because.\n" = 9 scored.
    expect(data.train.examples.map((e) => e.inputIds.length)).toEqual([20, 18]);
    expect(data.train.scoredTokens).toBe(22);
    const model = tinyGpt2(3);
    const batch = exampleBatches(data.train.examples, { batchSize: 2, padTokenId: 0, shuffle: false }).batchAt(0);
    const before = tf.memory().numTensors;
    for (const [useLabelMask, kept] of [
      [true, 22],
      [false, 38],
    ] as const) {
      const rows: Record<string, number> = {};
      const capture = captureLayerInputs(model, {
        targets: ['c_attn', 'c_fc'],
        useLabelMask,
        onRows: (layer, x) => (rows[layer] = x.shape[0]),
      });
      const step = capture.step(batch, () => model.call(batch));
      capture.remove();
      expect(step.positions).toBe(2 * 20);
      expect(step.kept).toBe(kept);
      expect(Object.values(rows)).toEqual([kept, kept, kept, kept]);
    }
    expect(tf.memory().numTensors).toBe(before);
    disposeBatch(batch);
    model.dispose();
  });
});
