import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareCommand } from './compare-command';
import type { CompareRunKey } from './compare-run';
import type { CompareTask } from './compare-task';

/** A task with no model: a deterministic curve per (method, lr, seed), and fixed "seconds", recording what it ran. */
function fakeTask(ran: CompareRunKey[]): CompareTask {
  const offset: Record<string, number> = { kaiming: 0, eva: -0.05, pissa: 0.02 };
  return {
    name: 'fake',
    description: 'fake task',
    metric: { name: 'validation loss', unit: 'nats/byte', higherIsBetter: false },
    defaultLearningRate: () => 0.01,
    settings: () => ({ steps: 20 }),
    async run(spec) {
      const key = { method: spec.method.label, learningRate: spec.learningRate, seed: spec.seed };
      ran.push(key);
      const base =
        2 +
        (offset[spec.method.label] ?? 0.1) +
        0.03 * ((spec.seed * 7) % 5) +
        Math.abs(Math.log10(spec.learningRate) + 2) * 0.1;
      return {
        ...key,
        trainableParameters: 1234,
        initSeconds: spec.method.kind === 'eva' ? 1.5 : 0.01,
        trainSeconds: 10,
        curve: [0, 10, 20].map((step) => ({ step, value: base + 1 - step / 20 })),
        ...(spec.method.kind === 'eva'
          ? { evaRanks: { 'h.0.attn.c_attn': 6 + spec.seed, 'h.0.mlp.c_fc': 10 - spec.seed } }
          : {}),
      };
    },
  };
}

class StopAfter extends Error {}

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function compare(argv: string[], ran: CompareRunKey[], stopAfter?: number): Promise<string> {
  let out = '';
  const io = { stdout: { write: (t: string) => (out += t) }, stderr: { write: () => true } };
  const hooks =
    stopAfter === undefined
      ? {}
      : {
          onRunStored: (_run: unknown, executed: number) => {
            if (executed === stopAfter) throw new StopAfter(`stopped after ${executed} runs`);
          },
        };
  await compareCommand(argv, io, hooks, fakeTask(ran));
  return out;
}

/** The printed table without the last line (which says how many runs were resumed). */
const table = (out: string) => out.slice(0, out.indexOf('\nRan '));

describe('peftjs compare: resume', () => {
  const args = (out: string) => ['--methods', 'kaiming,eva,pissa', '--seeds', '3', '--lr', '0.01,0.001', '--out', out];

  it('continues a killed comparison without redoing finished runs and prints the same table', async () => {
    const full = await mkdtemp(join(tmpdir(), 'peftjs-compare-full-'));
    const killed = await mkdtemp(join(tmpdir(), 'peftjs-compare-killed-'));
    dirs.push(full, killed);
    const ranFull: CompareRunKey[] = [];
    const uninterrupted = await compare(args(full), ranFull);
    expect(ranFull).toHaveLength(3 * 2 * 3);

    const ranFirst: CompareRunKey[] = [];
    await expect(compare(args(killed), ranFirst, 7)).rejects.toBeInstanceOf(StopAfter);
    expect(ranFirst).toHaveLength(7);
    expect(
      (await readdir(join(killed, 'runs'))).filter((f) => f.endsWith('.json') && f !== 'config.json'),
    ).toHaveLength(7);

    const ranSecond: CompareRunKey[] = [];
    const resumed = await compare(args(killed), ranSecond);
    expect(ranSecond).toHaveLength(18 - 7);
    const key = (k: CompareRunKey) => `${k.method}/${k.learningRate}/${k.seed}`;
    expect(ranSecond.map(key).filter((k) => ranFirst.map(key).includes(k))).toEqual([]);
    expect(resumed).toContain('Ran 11 runs (7 runs resumed');
    expect(table(resumed)).toBe(table(uninterrupted));
    const summary = (dir: string) =>
      readFile(join(dir, 'results.json'), 'utf8').then((t) => JSON.stringify(JSON.parse(t).summary));
    expect(await summary(killed)).toBe(await summary(full));

    const third: CompareRunKey[] = [];
    await compare(args(killed), third);
    expect(third).toEqual([]);
  });

  it('refuses to resume into a directory made with other settings', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'peftjs-compare-other-'));
    dirs.push(dir);
    await compare(['--methods', 'kaiming,eva', '--seeds', '2', '--out', dir], []);
    await expect(compare(['--methods', 'kaiming,eva', '--seeds', '2', '--quick', '--out', dir], [])).rejects.toThrow(
      /holds runs made with other settings/,
    );
  });

  it('writes an HTML report whose charts are SVG rendered by Vega-Lite, with units on the axes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'peftjs-compare-report-'));
    dirs.push(dir);
    await compare(['--methods', 'kaiming,eva', '--seeds', '2', '--out', dir], []);
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    expect(html.match(/<svg /g)?.length).toBe(3);
    expect(html).toContain('optimizer step (steps)');
    expect(html).toContain('validation loss (nats/byte)');
    expect(html).toContain('LoRA rank (components)');
    expect(html).not.toContain('<script');
  });

  it('rejects an unknown method, allocator or baseline with a usage error', async () => {
    await expect(compare(['--methods', 'kaiming,nope'], [])).rejects.toThrow(/unknown method "nope"/);
    await expect(compare(['--methods', 'kaiming,eva:nope'], [])).rejects.toThrow(/unknown option "nope"/);
    await expect(compare(['--methods', 'eva,pissa'], [])).rejects.toThrow(/--baseline "kaiming" is not among/);
  });
});
