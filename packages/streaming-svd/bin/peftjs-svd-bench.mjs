#!/usr/bin/env node
// peftjs-svd-bench: streams a float32 matrix from safetensors through IncrementalPCA in row
// batches, prints one JSON line (median ms per batch, ...) and, when python3 with scikit-learn is
// available, times sklearn's IncrementalPCA on the same stream in the same run and compares.
//
//   npx peftjs-svd-bench --input X.safetensors --k 32 --batch 1024 [--solver exact|randomized|auto]
//                        [--out C.safetensors] [--power-iterations N] [--oversampling N]
//                        [--no-sklearn] [--backend wasm|cpu|auto]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { decodeSafetensors, setBackend } from '@peftjs/core';

import { encodeIncrementalPCA, IncrementalPCA } from '../dist/index.js';

const USAGE =
  'usage: peftjs-svd-bench --input X.safetensors --k 32 --batch 1024 [--solver exact|randomized|auto] [--out C.safetensors] [--power-iterations 4] [--oversampling 10] [--no-sklearn] [--backend wasm]';

function fail(message) {
  process.stderr.write(`peftjs-svd-bench: ${message}\n${USAGE}\n`);
  process.exit(2);
}

let args;
try {
  args = parseArgs({
    options: {
      input: { type: 'string' },
      k: { type: 'string', default: '32' },
      batch: { type: 'string', default: '1024' },
      solver: { type: 'string', default: 'randomized' },
      out: { type: 'string' },
      'power-iterations': { type: 'string' },
      oversampling: { type: 'string' },
      backend: { type: 'string', default: 'wasm' },
      'no-sklearn': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  }).values;
} catch (error) {
  fail(error.message);
}
if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (args.input === undefined) fail('--input is required');
const k = Number(args.k);
const batch = Number(args.batch);
if (!Number.isInteger(k) || k < 1) fail(`--k must be an integer >= 1, got ${args.k}`);
if (!Number.isInteger(batch) || batch < k) fail(`--batch must be an integer >= k (${k}), got ${args.batch}`);

const { tensors } = decodeSafetensors(new Uint8Array(readFileSync(args.input)));
const name = 'x' in tensors ? 'x' : 'X' in tensors ? 'X' : Object.keys(tensors)[0];
const entry = name === undefined ? undefined : tensors[name];
if (entry === undefined || entry.shape.length !== 2) fail(`${args.input} must hold a 2-D tensor "x" [rows, d]`);
const [rows, d] = entry.shape;
const x = entry.data instanceof Float32Array ? entry.data : Float32Array.from(entry.data, Number);

const backend = await setBackend(args.backend);
const tuning = {};
if (args['power-iterations'] !== undefined) tuning.powerIterations = Number(args['power-iterations']);
if (args.oversampling !== undefined) tuning.oversampling = Number(args.oversampling);
const pca = new IncrementalPCA({ nComponents: k, solver: args.solver, ...tuning });
const times = [];
let solverUsed = null;
for (let start = 0; start + k <= rows; start += batch) {
  const end = Math.min(start + batch, rows);
  const t0 = performance.now();
  const result = pca.partialFit(x.subarray(start * d, end * d), { rows: end - start, cols: d });
  times.push(performance.now() - t0);
  if (result.status === 'fitted') solverUsed = result.solver;
}
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const report = {
  solver: solverUsed,
  power_iterations: pca.options.powerIterations,
  oversampling: pca.options.oversampling,
  backend: backend.name,
  rows,
  d,
  k,
  batch,
  batches: times.length,
  ms_per_batch: round(median(times)),
  ms_first_batch: round(times[0] ?? 0),
  ms_total: round(times.reduce((a, b) => a + b, 0)),
  explained_variance_ratio_sum: round(
    pca.explainedVarianceRatio.reduce((a, b) => a + b, 0),
    6,
  ),
};

if (!args['no-sklearn']) Object.assign(report, compareWithSklearn());

if (args.out !== undefined) {
  // components [k, d] F32, singular_values / explained_variance_ratio [k], mean / var [d] F64 + metadata
  writeFileSync(args.out, encodeIncrementalPCA(pca));
  report.out = args.out;
}
process.stdout.write(`${JSON.stringify(report)}\n`);

function round(value, digits = 2) {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Runs bin/sklearn-ipca.py on the same file and stream; returns timing + accuracy fields. */
function compareWithSklearn() {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'sklearn-ipca.py');
  const dir = mkdtempSync(join(tmpdir(), 'peftjs-svd-bench-'));
  const out = join(dir, 'sklearn.safetensors');
  try {
    for (const python of ['/usr/bin/python3', 'python3']) {
      const run = spawnSync(python, [script, args.input, String(k), String(batch), out], { encoding: 'utf8' });
      if (run.error !== undefined || run.status !== 0) continue;
      const sk = JSON.parse(run.stdout.trim().split('\n').pop());
      const ref = decodeSafetensors(new Uint8Array(readFileSync(out))).tensors;
      return {
        sklearn_ms_per_batch: round(sk.ms_per_batch),
        speedup_vs_sklearn: round(sk.ms_per_batch / median(times)),
        sklearn_python: python,
        ...accuracy(ref),
      };
    }
    return { sklearn: 'skipped: no python3 with scikit-learn found' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Component |cos| (components whose singular value is 2% away from both neighbours) and ratio error. */
function accuracy(ref) {
  const kk = Math.min(pca.effectiveComponents, ref.singular_values.shape[0]);
  const s = ref.singular_values.data;
  const ours = pca.components;
  const theirs = ref.components.data;
  const ratio = pca.explainedVarianceRatio;
  let minCos = 1;
  let separated = 0;
  let maxRatioDiff = 0;
  for (let j = 0; j < kk; j++) {
    maxRatioDiff = Math.max(maxRatioDiff, Math.abs(ratio[j] - ref.explained_variance_ratio.data[j]));
    const prev = j > 0 ? s[j - 1] : Infinity;
    const next = j + 1 < kk ? s[j + 1] : -Infinity;
    if (!(prev - s[j] > 0.02 * s[j] && s[j] - next > 0.02 * s[j])) continue;
    let dot = 0;
    for (let c = 0; c < d; c++) dot += ours[j * d + c] * theirs[j * d + c];
    minCos = Math.min(minCos, Math.abs(dot));
    separated++;
  }
  return {
    min_abs_cos_vs_sklearn: round(minCos, 6),
    separated_components: separated,
    max_ratio_diff_vs_sklearn: Number(maxRatioDiff.toExponential(2)),
  };
}
