import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSafetensors, setBackend } from '@peftjs/core';
import { LlamaForCausalLM, parseLlamaConfig } from '@peftjs/models';
import { savePretrained } from '@peftjs/models/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    streams: { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) } },
    out,
    err,
  };
}

async function run(argv: string[]): Promise<{ out: string; err: string }> {
  const { streams, out, err } = io();
  const code = await runCli(argv, streams);
  expect(code, `${argv.join(' ')}\n${err.join('')}`).toBe(0);
  return { out: out.join(''), err: err.join('') };
}

const CONVERSATIONS = [
  ['Call me Ishmael.', 'Aye, Ishmael.'],
  ['Where is the whale?', 'Off the starboard bow.'],
  ['Who is the captain?', 'Captain Ahab.'],
  ['What ship is this?', 'The Pequod.'],
  ['Is the sea calm?', 'Calm as glass.'],
  ['What does Ahab want?', 'The white whale.'],
  ['Who throws the harpoon?', 'Queequeg.'],
  ['Where do we sail from?', 'Nantucket.'],
];

let dir = '';
let modelDir = '';
beforeAll(async () => {
  await setBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'peftjs-workflow-'));
  // A Llama-family checkpoint folder: committed config, tokenizer and chat template, seeded random weights.
  modelDir = join(dir, 'llama-chat');
  await cp(new URL('../test/fixtures/llama-chat', import.meta.url).pathname, modelDir, { recursive: true });
  const config = JSON.parse(await readFile(join(modelDir, 'config.json'), 'utf8')) as Record<string, unknown>;
  const model = new LlamaForCausalLM(parseLlamaConfig(config), { seed: 7 });
  await savePretrained(model, join(dir, 'weights'));
  model.dispose();
  await cp(join(dir, 'weights', 'model.safetensors'), join(modelDir, 'model.safetensors'));
});

describe('the fine-tuning workflow on a Llama-family checkpoint', () => {
  it('chat JSONL -> eva init -> train (label-masked) -> generate with the adapter -> merge -> generate from the merged folder: same tokens', async () => {
    const data = join(dir, 'chat.jsonl');
    await writeFile(
      data,
      CONVERSATIONS.map(([q, a]) =>
        JSON.stringify({
          messages: [
            { role: 'user', content: q },
            { role: 'assistant', content: a },
          ],
        }),
      ).join('\n'),
    );
    // No --targets: the architecture's defaults, printed at start.
    const common = [
      '--model',
      modelDir,
      '--data',
      data,
      '--max-length',
      '64',
      '--batch-size',
      '4',
      '--r',
      '2',
      '--seed',
      '3',
    ];

    const evaDir = join(dir, 'eva');
    const eva = await run(['eva', 'init', ...common, '--tau', '0.9', '--max-steps', '20', '--out', evaDir]);
    expect(eva.out).toMatch(
      /^Targets: q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj \(the default for LlamaForCausalLM; choose with --targets\)$/m,
    );
    // The data line reports what the label mask keeps: assistant tokens only, a strict subset.
    const [, tokens, scored] =
      /Data .*chat\.jsonl \(chat\): 8 sequence\(s\), ([\d,]+) tokens \(([\d,]+) scored\), 0 truncated at --max-length 64, 0 dropped/.exec(
        eva.err,
      ) ?? [];
    expect(Number(scored)).toBeGreaterThan(0);
    expect(Number(scored)).toBeLessThan(Number(tokens));
    const summary = JSON.parse(await readFile(join(evaDir, 'summary.json'), 'utf8')) as {
      ranks: Record<string, number>;
    };
    expect(Object.keys(summary.ranks)).toHaveLength(14); // 7 projections x 2 layers
    expect(Object.values(summary.ranks).reduce((a, b) => a + b, 0)).toBe(2 * 14); // budget r per layer

    const adapterDir = join(dir, 'adapter');
    const trained = await run([
      'train',
      ...common,
      '--init',
      'eva',
      '--eva-state',
      join(evaDir, 'eva_state.safetensors'),
      '--steps',
      '4',
      '--lr',
      '0.01',
      '--eval-fraction',
      '0.25',
      '--out',
      adapterDir,
    ]);
    expect(trained.err).toMatch(/Data .*\(chat\): 6 sequence\(s\).*; held out: 2 sequence\(s\)/);
    expect(trained.out).toMatch(/Held-out loss by step: 0: \d+\.\d+, .*4: \d+\.\d+/);
    const adapter = decodeSafetensors(await readFile(join(adapterDir, 'adapter_model.safetensors')));
    const b = adapter.tensors['base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight'];
    expect(b !== undefined && Array.from(b.data as Float32Array).some((x) => x !== 0)).toBe(true); // trained

    const chat = ['--chat', 'Who is the captain?', '--max-new-tokens', '12', '--json'];
    const withAdapter = JSON.parse(
      (await run(['generate', '--model', modelDir, '--adapter', adapterDir, ...chat])).out,
    ) as { tokens: number[]; promptTokens: number; cache: boolean };
    const again = JSON.parse((await run(['generate', '--model', modelDir, '--adapter', adapterDir, ...chat])).out) as {
      tokens: number[];
    };
    const uncached = JSON.parse(
      (await run(['generate', '--model', modelDir, '--adapter', adapterDir, ...chat, '--no-cache'])).out,
    ) as { tokens: number[]; cache: boolean };
    expect(withAdapter.tokens.length).toBeGreaterThan(0);
    expect(again.tokens).toEqual(withAdapter.tokens); // greedy decoding is deterministic
    expect(uncached.cache).toBe(false);
    expect(uncached.tokens).toEqual(withAdapter.tokens);

    const mergedDir = join(dir, 'merged');
    const merged = await run(['merge', '--model', modelDir, '--adapter', adapterDir, '--out', mergedDir]);
    const adapted = Object.values(summary.ranks).filter((r) => r > 0).length;
    expect(merged.out).toMatch(new RegExp(`Merged ${adapted} adapted layer\\(s\\)`));
    expect(merged.out).toMatch(
      /model\.safetensors \(F32\) and config\.json, generation_config\.json, tokenizer\.json, tokenizer_config\.json, chat_template\.jinja/,
    );
    const fromMerged = JSON.parse((await run(['generate', '--model', mergedDir, ...chat])).out) as { tokens: number[] };
    expect(fromMerged.tokens).toEqual(withAdapter.tokens);
  }, 240_000);
});
