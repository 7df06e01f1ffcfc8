import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { Linear, setBackend } from '@peftjs/core';

beforeAll(async () => {
  await setBackend('wasm');
});

describe('README', () => {
  it('embeds test/readme-example.ts verbatim, and the example prints what the README says', async () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const example = readFileSync(new URL('../test/readme-example.ts', import.meta.url), 'utf8');
    expect(readme).toContain(`\`\`\`ts\n${example}\`\`\``);
    expect(example.trim().split('\n').length).toBeLessThanOrEqual(15);
    const printed: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void printed.push(args.join(' ')));
    const before = tf.memory().numTensors;
    try {
      await import('../test/readme-example');
    } finally {
      spy.mockRestore();
    }
    expect(printed).toHaveLength(1);
    const expected = /```text\n(.*)\n```/.exec(readme)?.[1];
    expect(printed[0]).toBe(expected);
    // Only the example's model remains (what a fresh Linear(2, 1) holds): training left nothing behind.
    const afterExample = tf.memory().numTensors;
    const probe = new Linear(2, 1);
    const heldByLinear = tf.memory().numTensors - afterExample;
    probe.dispose();
    expect(afterExample - before).toBe(heldByLinear);
  });
});
