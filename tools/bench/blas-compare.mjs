// oneDNN vs OpenBLAS under the same addon: builds the addon twice in a scratch folder
// (PEFTJS_NATIVE_BLAS=onednn / openblas), then times the training step's GEMM shapes on one thread,
// alternating the two builds shape by shape, in child processes. OpenBLAS runs with the core type
// our loader would pick (OPENBLAS_CORETYPE from the CPU flags) and, for comparison, with its own detection.
// Writes tools/bench/results/blas-compare.json and docs/data/native-blas.json.
// Run: node tools/bench/blas-compare.mjs [--rounds 3]
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GEMM_SHAPES } from './gemm-shapes.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const pkg = join(root, 'packages', 'backend-native');
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1] || 3);

if (process.argv[2] === '--child') {
  const { timeGemm } = await import('./gemm-shapes.mjs');
  const addon = (await import('node:module')).createRequire(import.meta.url)(process.argv[3]);
  addon.setThreads(1);
  const shape = GEMM_SHAPES[Number(process.argv[4])];
  process.stdout.write(JSON.stringify({ gflops: timeGemm(addon, shape), core: addon.info().core }));
  process.exit(0);
}

const gyp = join(
  dirname(process.execPath),
  '..',
  'lib',
  'node_modules',
  'npm',
  'node_modules',
  'node-gyp',
  'bin',
  'node-gyp.js',
);
const builds = {};
for (const blas of ['onednn', 'openblas']) {
  const dir = mkdtempSync(join(tmpdir(), `peftjs-${blas}-`));
  for (const part of ['native', 'scripts', 'binding.gyp'])
    cpSync(join(pkg, part), join(dir, part), { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{"name":"scratch","version":"0.0.0"}');
  execFileSync(process.execPath, [gyp, 'rebuild', `--nodedir=${join(dirname(process.execPath), '..')}`], {
    cwd: dir,
    env: { ...process.env, PEFTJS_NATIVE_BLAS: blas },
    stdio: 'ignore',
  });
  builds[blas] = join(dir, 'build', 'Release', 'peftjs_native.node');
}
const flags = new Set(
  (
    readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('flags')) ?? ''
  ).split(/\s+/),
);
const coretype =
  flags.has('avx512f') && flags.has('avx512bw') && flags.has('avx512vl')
    ? 'SkylakeX'
    : flags.has('avx2')
      ? 'Haswell'
      : undefined;
const variants = [
  { name: 'oneDNN', file: builds.onednn, env: {} },
  {
    name: `OpenBLAS (OPENBLAS_CORETYPE=${coretype}, as our loader sets)`,
    file: builds.openblas,
    env: coretype ? { OPENBLAS_CORETYPE: coretype } : {},
  },
  { name: 'OpenBLAS (its own CPU detection)', file: builds.openblas, env: { OPENBLAS_CORETYPE: '' } },
];
const table = GEMM_SHAPES.map(([name]) => ({ shape: name, ...Object.fromEntries(variants.map((v) => [v.name, []])) }));
const cores = {};
for (let round = 0; round < rounds; round++) {
  for (let s = 0; s < GEMM_SHAPES.length; s++) {
    for (const v of round % 2 ? [...variants].reverse() : variants) {
      const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', ...v.env };
      if (v.env.OPENBLAS_CORETYPE === '') delete env.OPENBLAS_CORETYPE;
      const out = spawnSync(process.execPath, [join(here, 'blas-compare.mjs'), '--child', v.file, String(s)], {
        env,
        encoding: 'utf8',
      });
      const r = JSON.parse(out.stdout);
      table[s][v.name].push(r.gflops);
      cores[v.name] = r.core;
    }
  }
}
const median = (xs) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];
const rows = table.map((row) => [row.shape, ...variants.map((v) => Math.round(median(row[v.name]) * 10) / 10)]);
const result = {
  command: `node tools/bench/blas-compare.mjs --rounds ${rounds}`,
  recordedAt: new Date().toISOString(),
  machine: `${cpus().length} x ${cpus()[0]?.model}, shared with other jobs`,
  cores,
  columns: ['GEMM (one thread, raw addon call)', ...variants.map((v) => `${v.name} GFLOP/s`)],
  rows,
  sumOfStepShapesMs: Object.fromEntries(
    variants.map((v, i) => [
      v.name,
      GEMM_SHAPES.slice(0, -1).reduce((t, [, b, m, n, k], s) => t + (2 * b * m * n * k) / (rows[s][i + 1] * 1e6), 0),
    ]),
  ),
};
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'blas-compare.json'), `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(
  join(root, 'docs', 'data', 'native-blas.json'),
  `${JSON.stringify(
    {
      title: 'Native backend: oneDNN vs OpenBLAS GEMM (the BLAS choice)',
      description:
        'Median GFLOP/s of the addon GEMM on the shapes of one LoRA training step, one thread, the builds alternating shape by shape. Sum of step shapes (ms, lower is better): ' +
        Object.entries(result.sumOfStepShapesMs)
          .map(([k, v]) => `${k} ${v.toFixed(2)}`)
          .join('; '),
      command: result.command,
      machine: result.machine,
      recordedAt: result.recordedAt,
      tables: [{ caption: 'GFLOP/s per shape', columns: result.columns, rows }],
    },
    null,
    2,
  )}\n`,
);
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
