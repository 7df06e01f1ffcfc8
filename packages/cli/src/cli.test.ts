import { mkdtemp, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setBackend } from '@peftjs/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { decodeSafetensors } from '@peftjs/core';
import { ByteTokenizer } from '@peftjs/models';
import { savePretrained } from '@peftjs/models/node';
import { runCli } from './cli';
import { tinyGpt2 } from '@peftjs/test-utils/models';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) } },
    out,
    err,
  };
}

let dir = '';
beforeAll(async () => {
  await setBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'peftjs-cli-'));
});

describe('peftjs CLI', () => {
  it('prints help for every command with exit code 0', async () => {
    for (const argv of [
      ['--help'],
      ['demo', '--help'],
      ['eva', 'init', '--help'],
      ['train', '-h'],
      ['help', 'train'],
    ]) {
      const { io: streams, out } = io();
      expect(await runCli(argv, streams)).toBe(0);
      expect(out.join('')).toMatch(/Usage: peftjs/);
    }
  });

  it('reports user mistakes in one line with a non-zero exit code and no stack trace', async () => {
    const empty = join(dir, 'empty.txt');
    const binary = join(dir, 'latin1.txt');
    const notCheckpoint = join(dir, 'not-a-checkpoint');
    await writeFile(empty, '  \n');
    await writeFile(binary, Buffer.from([0x68, 0xe9, 0x6c, 0x6c, 0xff]));
    await mkdir(notCheckpoint, { recursive: true });
    const cases: [string[], RegExp][] = [
      [['frobnicate'], /unknown command "frobnicate"/],
      [['eva'], /did you mean `peftjs eva init`/],
      [['eva', 'init', '--text', empty, '--out', dir], /--model is required/],
      [['eva', 'init', '--model', notCheckpoint, '--text', empty, '--out', dir], /the file is empty/],
      [['eva', 'init', '--model', notCheckpoint, '--text', binary, '--out', dir], /not valid UTF-8/],
      [['eva', 'init', '--model', notCheckpoint, '--text', join(dir, 'missing.txt'), '--out', dir], /no such file/],
      [
        [
          'train',
          '--model',
          join(dir, 'nope'),
          '--text',
          join(dir, 'x.txt'),
          '--init',
          'eva',
          '--steps',
          '3',
          '--out',
          dir,
        ],
        /no such file/,
      ],
      [
        ['train', '--model', dir, '--text', empty, '--init', 'magic', '--steps', '3', '--out', dir],
        /--init must be one of kaiming, gaussian, pissa, olora, orthogonal, eva; got "magic"/,
      ],
      [['demo', '--bogus'], /Unknown option '--bogus'/],
      [['eva', 'init', '--model', dir, '--text', empty, '--out', dir, '--r', '0'], /--r must be an integer >= 1/],
      [
        ['eva', 'init', '--model', dir, '--text', empty, '--out', dir, '--backend', 'gpu'],
        /--backend must be one of auto, native, wasm, cpu, tensorflow; got "gpu"/,
      ],
      [
        ['train', '--model', dir, '--text', empty, '--init', 'kaiming', '--steps', '1', '--out', dir, '--threads', '0'],
        /--threads must be an integer >= 1/,
      ],
    ];
    for (const [argv, message] of cases) {
      const { io: streams, err } = io();
      const code = await runCli(argv, streams);
      expect(code, argv.join(' ')).toBeGreaterThan(0);
      expect(err.join(''), argv.join(' ')).toMatch(message);
      expect(err.join('')).not.toMatch(/\n\s+at /); // no stack trace
    }
  });

  it('rejects a directory that is not a checkpoint, after the text checks pass', async () => {
    const text = join(dir, 'text.txt');
    await writeFile(text, 'Call me Ishmael. '.repeat(50));
    const notCheckpoint = join(dir, 'plain-dir');
    await mkdir(notCheckpoint, { recursive: true });
    const { io: streams, err } = io();
    expect(await runCli(['eva', 'init', '--model', notCheckpoint, '--text', text, '--out', dir], streams)).toBe(2);
    expect(err.join('')).toMatch(/not a checkpoint directory \(no config.json\)/);
  });
});

describe('the tokenizer comes from the checkpoint folder', () => {
  it('a checkpoint folder without tokenizer.json is a one-line error naming the file', async () => {
    const modelDir = join(dir, 'no-tokenizer');
    const model = tinyGpt2(1);
    await savePretrained(model, modelDir);
    model.dispose();
    const text = join(dir, 'text-nt.txt');
    await writeFile(text, 'Call me Ishmael. '.repeat(50));
    const { io: streams, err } = io();
    expect(
      await runCli(['eva', 'init', '--model', modelDir, '--text', text, '--out', join(dir, 'nt-out')], streams),
    ).toBe(2);
    expect(err.join('')).toMatch(/No tokenizer\.json in .*no-tokenizer/);
  });
});

describe('peftjs eva init + train, end to end', () => {
  it('writes a PEFT-layout EVA state and summary, then trains from it and saves a PEFT adapter', async () => {
    const modelDir = join(dir, 'tiny-gpt2');
    const model = tinyGpt2(5);
    await savePretrained(model, modelDir, { tokenizer: new ByteTokenizer() });
    model.dispose();
    const text = join(dir, 'moby.txt');
    await writeFile(
      text,
      'Call me Ishmael. Some years ago, never mind how long precisely, having little money in my purse. '.repeat(40),
    );
    const evaOut = join(dir, 'eva-out');
    const a = io();
    const common = ['--model', modelDir, '--text', text, '--batch-size', '4', '--seq-len', '32', '--r', '4'];
    expect(
      await runCli(
        ['eva', 'init', ...common, '--tau', '0.9', '--out', evaOut, '--backend', 'native', '--threads', '1'],
        a.io,
      ),
      a.err.join(''),
    ).toBe(0);
    const summary = JSON.parse(await readFile(join(evaOut, 'summary.json'), 'utf8')) as {
      ranks: Record<string, number>;
      steps: number;
      forwardPasses: number;
      seconds: number;
      phases: Record<string, number>;
      backend: unknown;
    };
    // The backend and its thread count are in the progress output and the summary.
    expect(a.err.join('')).toMatch(/^Backend: native \(1 thread, @peftjs\/backend-native\)$/m);
    expect(summary.backend).toEqual({ name: 'native', threads: 1, package: '@peftjs/backend-native' });
    expect(Object.keys(summary.ranks)).toHaveLength(8);
    // where the time went: forward passes, PCA updates, rank allocation (disjoint, within the total)
    expect(Object.keys(summary.phases).sort()).toEqual(['allocationSeconds', 'forwardSeconds', 'pcaSeconds']);
    for (const seconds of Object.values(summary.phases)) expect(seconds).toBeGreaterThan(0);
    expect(Object.values(summary.phases).reduce((x, y) => x + y, 0)).toBeLessThanOrEqual(summary.seconds);
    expect(a.err.join('')).toMatch(
      /^EVA step 1: \d+\/8 layers converged \(forward \d+\.\d\d s, PCA \d+\.\d\d s, allocation \d+\.\d\d s\)$/m,
    );
    expect(Object.values(summary.ranks).reduce((x, y) => x + y, 0)).toBe(32);
    expect(summary.forwardPasses).toBe(summary.steps);
    const state = decodeSafetensors(await readFile(join(evaOut, 'eva_state.safetensors')));
    for (const [name, rank] of Object.entries(summary.ranks)) {
      if (rank > 0) expect(state.tensors[name]?.shape, name).toEqual([rank, name.endsWith('mlp.c_proj') ? 128 : 32]);
    }
    const adapterOut = join(dir, 'adapter');
    const b = io();
    expect(
      await runCli(
        [
          'train',
          ...common,
          '--init',
          'eva',
          '--eva-state',
          join(evaOut, 'eva_state.safetensors'),
          '--steps',
          '2',
          '--out',
          adapterOut,
        ],
        b.io,
      ),
      b.err.join(''),
    ).toBe(0);
    const config = JSON.parse(await readFile(join(adapterOut, 'adapter_config.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(config['init_lora_weights']).toBe('eva');
    expect(config['rank_pattern']).toEqual(Object.fromEntries(Object.entries(summary.ranks).filter(([, r]) => r > 0)));
    const adapter = decodeSafetensors(await readFile(join(adapterOut, 'adapter_model.safetensors')));
    expect(Object.keys(adapter.tensors)).toContain('base_model.model.transformer.h.0.attn.c_attn.lora_A.weight');
  }, 120_000);
});
