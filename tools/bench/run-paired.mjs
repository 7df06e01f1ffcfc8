// Paired benchmark: peftjs (tools/bench/lora-step.ts) and PyTorch (tools/bench/pytorch_lora.py) on the
// same model, batch, dropout (0) and thread count, interleaved run by run in one script so that both
// see the same machine load. Writes tools/bench/results/native-vs-pytorch.json with every run and the
// per-round ratios (ours / PyTorch tokens per second; > 1 means peftjs is faster).
// Run: node tools/bench/run-paired.mjs [--rounds 3] [--threads 1,2] [--modes train,forward] [--backend native]
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pairedDocs } from './paired-docs.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const rounds = Number(arg('rounds', '3'));
const threadList = arg('threads', '1,2').split(',').map(Number);
const modes = arg('modes', 'train,forward').split(',');
const backend = arg('backend', 'native');
const out = arg('out', join(root, 'tools', 'bench', 'results', 'native-vs-pytorch.json'));

// Debian's torch 1.13 calls the system BLAS (OpenBLAS through libblas.so.3): give it the same
// core type our loader picks (Debian OpenBLAS 0.3.21 misdetects recent Xeons) and the same threads.
const flags = new Set(
  (
    readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('flags')) ?? ''
  ).split(/\s+/),
);
const coretype =
  process.env.OPENBLAS_CORETYPE ??
  (flags.has('avx512f') && flags.has('avx512bw') && flags.has('avx512vl')
    ? 'SkylakeX'
    : flags.has('avx2')
      ? 'Haswell'
      : undefined);

function run(cmd, args, threads) {
  const env = { ...process.env, NX_DAEMON: 'false', ...(coretype ? { OPENBLAS_CORETYPE: coretype } : {}) };
  if (cmd !== process.execPath)
    Object.assign(env, { OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) });
  const text = execFileSync(cmd, args, { cwd: root, encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'ignore'] });
  const line = text
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .pop();
  return JSON.parse(line);
}

const runs = [];
const ratios = [];
for (let round = 0; round < rounds; round++) {
  for (const threads of threadList) {
    for (const mode of modes) {
      // Alternate which side goes first so neither always gets the fresher machine.
      const ours = () =>
        run(
          process.execPath,
          [
            '--import',
            'tsx',
            '--conditions=@peftjs/source',
            'tools/bench/lora-step.ts',
            '--backend',
            backend,
            '--threads',
            String(threads),
            '--mode',
            mode,
          ],
          threads,
        );
      const torch = () =>
        run('/usr/bin/python3', ['tools/bench/pytorch_lora.py', '--threads', String(threads), '--mode', mode], threads);
      const [a, b] = round % 2 === 0 ? [ours(), torch()] : [torch(), ours()].reverse();
      const pair = { round, threads, mode, peftjs: a, pytorch: b, ratio: a.tokensPerSecond / b.tokensPerSecond };
      runs.push(pair);
      ratios.push(pair.ratio);
      process.stderr.write(
        `round ${round} ${mode} ${threads}T: peftjs ${a.tokensPerSecond.toFixed(0)} tok/s, pytorch ${b.tokensPerSecond.toFixed(0)} tok/s, ratio ${pair.ratio.toFixed(2)}\n`,
      );
    }
  }
}
const median = (xs) => {
  const s = [...xs].sort((p, q) => p - q);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const summary = [];
for (const threads of threadList) {
  for (const mode of modes) {
    const sel = runs.filter((r) => r.threads === threads && r.mode === mode);
    summary.push({
      mode,
      threads,
      peftjsTokensPerSecondMedian: median(sel.map((r) => r.peftjs.tokensPerSecond)),
      pytorchTokensPerSecondMedian: median(sel.map((r) => r.pytorch.tokensPerSecond)),
      ratioMedian: median(sel.map((r) => r.ratio)),
      ratioMin: Math.min(...sel.map((r) => r.ratio)),
      ratioMax: Math.max(...sel.map((r) => r.ratio)),
    });
  }
}
const result = {
  command: `node tools/bench/run-paired.mjs ${process.argv.slice(2).join(' ')}`.trim(),
  date: new Date().toISOString(),
  openblasCoretype: coretype ?? null,
  machine: {
    cpus: (await import('node:os')).cpus().length,
    model: (await import('node:os')).cpus()[0]?.model,
    note: 'shared with other jobs; ratios come from runs interleaved in this one script',
  },
  setup:
    'GPT-2 4 layers, width 128, 4 heads, vocab 256, dropout 0; batch 8 x 128 tokens; LoRA r=8 alpha=16 on c_attn/c_proj/c_fc; AdamW lr 1e-3; train = forward + backward + optimizer step; forward = logits only (no grad)',
  summary,
  runs,
};
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(join(root, 'docs', 'data', 'native-vs-pytorch.json'), `${JSON.stringify(pairedDocs(result), null, 2)}\n`);
process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
