// Turns tools/bench/results/native-vs-pytorch.json (written by run-paired.mjs) into the docs
// benchmarks page's table format: docs/data/native-vs-pytorch.json. Run: node tools/bench/paired-docs.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function pairedDocs(result) {
  const torch = result.runs[0]?.pytorch.torch ?? 'unknown';
  const r1 = (x) => Math.round(x);
  const r2 = (x) => Math.round(x * 100) / 100;
  return {
    title: 'Native backend vs PyTorch: LoRA training and forward passes, same model, batch, dropout and threads',
    description: `${result.setup}. PyTorch ${torch} (Debian python3-torch, CPU). Each pair ran back to back in one script, alternating which went first; ratio = peftjs tokens/s / PyTorch tokens/s (> 1: peftjs faster). OPENBLAS_CORETYPE=${result.openblasCoretype ?? 'unset'} for both.`,
    command: result.command,
    machine: `${result.machine.cpus} x ${result.machine.model}; ${result.machine.note}`,
    backend: result.runs[0]?.peftjs.backend ?? 'native',
    recordedAt: result.date,
    tables: [
      {
        caption: 'Median over rounds',
        columns: [
          'mode',
          'threads',
          'peftjs tokens/s',
          'PyTorch tokens/s',
          'ratio (median)',
          'ratio (min)',
          'ratio (max)',
        ],
        rows: result.summary.map((s) => [
          s.mode,
          s.threads,
          r1(s.peftjsTokensPerSecondMedian),
          r1(s.pytorchTokensPerSecondMedian),
          r2(s.ratioMedian),
          r2(s.ratioMin),
          r2(s.ratioMax),
        ]),
      },
      {
        caption: 'Every pair',
        columns: ['round', 'mode', 'threads', 'peftjs ms/step', 'PyTorch ms/step', 'ratio'],
        rows: result.runs.map((r) => [
          r.round,
          r.mode,
          r.threads,
          r2(r.peftjs.msPerStep),
          r2(r.pytorch.msPerStep),
          r2(r.ratio),
        ]),
      },
    ],
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = JSON.parse(readFileSync(join(root, 'tools', 'bench', 'results', 'native-vs-pytorch.json'), 'utf8'));
  writeFileSync(
    join(root, 'docs', 'data', 'native-vs-pytorch.json'),
    `${JSON.stringify(pairedDocs(result), null, 2)}\n`,
  );
}
