#!/usr/bin/env node
// Incremental PCA, peftjs vs PEFT, side by side in one run, one thread each. This process runs
// @peftjs/streaming-svd's randomized IncrementalPCA (tfjs wasm, single-threaded, or --backend) and
// drives tools/bench/peft_ipca.py (PEFT's IncrementalPCA(lowrank=True) on torch with 1 thread) over
// the same float32 stream, batch by batch: ours fits batch i, then PEFT fits batch i, and so on.
// Interleaving per batch makes the ratio fair on a loaded machine (both sides see the same load);
// the first batch of each pass (cold start on both sides) is reported but not in the median.
// Accuracy: both final states against scikit-learn's exact IncrementalPCA on the same stream.
//
//   /usr/bin/python3 tools/streaming-svd/make_bench_input.py /tmp/x.safetensors      (16384 x 768)
//   npx nx run-many -t build -p core streaming-svd      (the bench imports the built packages)
//   node tools/bench/ipca-vs-peft.mjs --input /tmp/x.safetensors [--k 32] [--batch 1024] [--passes 4]
//        [--top 16] [--backend wasm] [--out tools/bench/results/ipca-vs-peft.json]
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { decodeSafetensors, setBackend } from '@peftjs/core';
import { encodeIncrementalPCA, IncrementalPCA } from '@peftjs/streaming-svd';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values: args } = parseArgs({
  options: {
    input: { type: 'string' },
    k: { type: 'string', default: '32' },
    batch: { type: 'string', default: '1024' },
    passes: { type: 'string', default: '4' },
    top: { type: 'string', default: '16' },
    backend: { type: 'string', default: 'wasm' },
    python: { type: 'string', default: '/usr/bin/python3' },
    out: { type: 'string', default: join(ROOT, 'tools', 'bench', 'results', 'ipca-vs-peft.json') },
  },
});
if (args.input === undefined)
  throw new Error(
    'ipca-vs-peft: --input X.safetensors is required (make it with tools/streaming-svd/make_bench_input.py)',
  );
const k = Number(args.k);
const batch = Number(args.batch);
const passes = Number(args.passes);
const top = Math.min(Number(args.top), k);
const oneThread = { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' };
const dir = mkdtempSync(join(tmpdir(), 'ipca-vs-peft-'));

const { tensors } = decodeSafetensors(new Uint8Array(readFileSync(args.input)));
const entry = tensors.x ?? Object.values(tensors)[0];
const [rows, d] = entry.shape;
const x = entry.data instanceof Float32Array ? entry.data : Float32Array.from(entry.data, Number);
const batches = Math.floor(rows / batch);
process.env.PEFTJS_THREADS ??= '1'; // one thread, as PEFT's torch here (read by the native backend)
const backend = await setBackend(args.backend);

// PEFT's side: a python worker answering one JSON line per command
const worker = spawn(args.python, [join(ROOT, 'tools/bench/peft_ipca.py'), args.input, String(k), String(batch)], {
  env: oneThread,
  stdio: ['pipe', 'pipe', 'inherit'],
});
const lines = createInterface({ input: worker.stdout })[Symbol.asyncIterator]();
const answer = async () => {
  const { value, done } = await lines.next();
  if (done) throw new Error('ipca-vs-peft: the PEFT worker exited early');
  return JSON.parse(value);
};
const ask = async (command) => {
  worker.stdin.write(`${command}\n`);
  return answer();
};

try {
  const peftInfo = await answer();
  const sklearnOut = join(dir, 'sklearn.safetensors');
  const sk = spawnSync(
    args.python,
    [join(ROOT, 'packages/streaming-svd/bin/sklearn-ipca.py'), args.input, String(k), String(batch), sklearnOut],
    { encoding: 'utf8', env: oneThread },
  );
  if (sk.status !== 0) throw new Error(`sklearn-ipca.py failed: ${sk.stderr}`);
  const sklearn = JSON.parse(sk.stdout.trim().split('\n').pop());

  const pairs = []; // [ours ms, peft ms] per warm batch
  const cold = [];
  let pca = null;
  for (let pass = 0; pass < passes; pass++) {
    pca = new IncrementalPCA({ nComponents: k, solver: 'randomized' });
    await ask('reset');
    for (let i = 0; i < batches; i++) {
      const t0 = performance.now();
      pca.partialFit(x.subarray(i * batch * d, (i + 1) * batch * d), { rows: batch, cols: d });
      const ours = performance.now() - t0;
      const peft = (await ask(`fit ${i}`)).ms;
      (i === 0 ? cold : pairs).push([ours, peft]);
    }
  }
  const oursOut = join(dir, 'ours.safetensors');
  const peftOut = join(dir, 'peft.safetensors');
  writeFileSync(oursOut, encodeIncrementalPCA(pca));
  await ask(`save ${peftOut}`);

  const reference = decodeSafetensors(new Uint8Array(readFileSync(sklearnOut))).tensors;
  const accuracy = (file) => {
    const t = decodeSafetensors(new Uint8Array(readFileSync(file))).tensors;
    const cos = [];
    for (let j = 0; j < top; j++) {
      let dot = 0;
      for (let c = 0; c < d; c++)
        dot += Number(t.components.data[j * d + c]) * Number(reference.components.data[j * d + c]);
      cos.push(round(Math.abs(dot), 6));
    }
    return { min_abs_cos: Math.min(...cos), abs_cos: cos };
  };
  const oursMs = median(pairs.map(([o]) => o));
  const peftMs = median(pairs.map(([, p]) => p));
  const result = {
    bench:
      'IncrementalPCA partial_fit: peftjs randomized (warm-started subspace iteration) vs PEFT IncrementalPCA(lowrank=True), interleaved per batch',
    command: `node tools/bench/ipca-vs-peft.mjs --input ${args.input} --k ${k} --batch ${batch} --passes ${passes} --top ${top} --backend ${args.backend}`,
    machine: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, load average at end ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
    input: { file: args.input, rows, d, k, batch, batches_per_pass: batches, passes },
    ours: { backend: backend.name, threads: 1, ...pca.options },
    peft: { torch: peftInfo.torch, threads: peftInfo.threads, lowrank_q: 2 * k, lowrank_niter: 4, lowrank_seed: 42 },
    sklearn: { version: sklearn.sklearn, ms_per_batch: round(sklearn.ms_per_batch) },
    warm_batches: pairs.length,
    ours_ms_per_batch_median: round(oursMs),
    peft_ms_per_batch_median: round(peftMs),
    speedup_vs_peft: round(peftMs / oursMs, 3),
    speedup_vs_peft_median_of_pairs: round(median(pairs.map(([o, p]) => p / o)), 3),
    cold_first_batch_ms: { ours: round(median(cold.map(([o]) => o))), peft: round(median(cold.map(([, p]) => p))) },
    target_speedup: 1.5,
    accuracy_vs_sklearn: { top, ours: accuracy(oursOut), peft: accuracy(peftOut), target_min_abs_cos: 0.99 },
  };
  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(args.out, `${JSON.stringify(result, null, 2)}\n`);
  const { speedup_vs_peft, speedup_vs_peft_median_of_pairs, ours_ms_per_batch_median, peft_ms_per_batch_median } =
    result;
  process.stdout.write(
    `${JSON.stringify({ speedup_vs_peft, speedup_vs_peft_median_of_pairs, ours_ms_per_batch_median, peft_ms_per_batch_median, ours_min_abs_cos_top: result.accuracy_vs_sklearn.ours.min_abs_cos, out: args.out })}\n`,
  );
} finally {
  worker.stdin.end('quit\n');
  rmSync(dir, { recursive: true, force: true });
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function round(value, digits = 2) {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
