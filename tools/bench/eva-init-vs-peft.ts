// EVA initialisation, peftjs vs PEFT, side by side in one run, one thread each, on the same checkpoint,
// the same token batches and the same config. This process runs `computeEvaState` (tfjs, --backend)
// and drives tools/bench/peft_eva_init.py (PEFT's get_eva_state_dict on the same GPT-2 in torch with
// 1 thread) through a pipe; rounds alternate who goes first, so both see the same machine load.
// It also checks that both give the same ranks and components (|cos| per allotted component).
//
//   npx tsx --conditions=@peftjs/source tools/bench/eva-init-vs-peft.ts [--backend wasm] [--rounds 3]
//       [--model DIR (default: the bundled gpt2-sotu-byte)] [--batches 32] [--batch-size 8] [--seq-len 128]
//       [--r 8] [--rho 2] [--tau 0.99] [--targets c_attn,c_proj,c_fc] [--out tools/bench/results/eva-init-vs-peft-<backend>.json]
//
// The batches are the first --batches of the demo's Moby Dick training stream (byte tokens, seed 1),
// replayed in order by both sides (PEFT cycles its dataloader).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { decodeSafetensors, encodeSafetensors, setBackend, type BackendName, type TokenBatch } from '@peftjs/core';
import { computeEvaState, evaRanks, type EvaState } from '@peftjs/eva';
import { ByteTokenizer, lmBatches, loadMobyDick } from '@peftjs/models';
import { bundledCheckpoint, loadPretrained } from '@peftjs/models/node';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values: args } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    rounds: { type: 'string', default: '3' },
    model: { type: 'string' },
    batches: { type: 'string', default: '32' },
    'batch-size': { type: 'string', default: '8' },
    'seq-len': { type: 'string', default: '128' },
    r: { type: 'string', default: '8' },
    rho: { type: 'string', default: '2' },
    tau: { type: 'string', default: '0.99' },
    targets: { type: 'string', default: 'c_attn,c_proj,c_fc' },
    python: { type: 'string', default: '/usr/bin/python3' },
    out: { type: 'string' },
  },
});
const backendName = args.backend as BackendName;
const rounds = Number(args.rounds);
const modelDir = args.model ?? bundledCheckpoint('gpt2-sotu-byte');
const [count, batchSize, seqLen] = [Number(args.batches), Number(args['batch-size']), Number(args['seq-len'])];
const config = {
  r: Number(args.r),
  rho: Number(args.rho),
  tau: Number(args.tau),
  targetModules: args.targets.split(','),
  seed: 1,
};
const out = args.out ?? join(ROOT, 'tools', 'bench', 'results', `eva-init-vs-peft-${backendName}.json`);
const dir = mkdtempSync(join(tmpdir(), 'eva-init-vs-peft-'));

process.env['PEFTJS_THREADS'] ??= '1'; // one thread, as PEFT's torch here (read by the native backend)
const backend = await setBackend(backendName);
const model = await loadPretrained(modelDir);
model.eval();
const text = (await loadMobyDick({ split: 'train' })).map((c) => c.text).join('\n');
const stream = lmBatches(text, { tokenizer: new ByteTokenizer(), batchSize, seqLen, seed: 1 });
const batches: TokenBatch[] = Array.from({ length: count }, (_, i) => stream.batchAt(i));
const stacked = (key: 'inputIds' | 'attentionMask' | 'labels') => {
  const data = new Int32Array(count * batchSize * seqLen);
  batches.forEach((b, i) => {
    data.set((b[key] as tf.Tensor).dataSync() as Int32Array, i * batchSize * seqLen);
  });
  return { dtype: 'I32' as const, shape: [count, batchSize, seqLen], data };
};
const batchFile = join(dir, 'batches.safetensors');
writeFileSync(
  batchFile,
  encodeSafetensors({
    input_ids: stacked('inputIds'),
    attention_mask: stacked('attentionMask'),
    labels: stacked('labels'),
  }),
);

const oneThread = { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' };
const worker = spawn(
  args.python,
  [
    join(ROOT, 'tools/bench/peft_eva_init.py'),
    modelDir,
    batchFile,
    String(config.r),
    String(config.rho),
    String(config.tau),
    args.targets,
  ],
  { env: oneThread, stdio: ['pipe', 'pipe', 'inherit'] },
);
const lines = createInterface({ input: worker.stdout })[Symbol.asyncIterator]();
const answer = async () => {
  const { value, done } = await lines.next();
  if (done === true) throw new Error('eva-init-vs-peft: the PEFT worker exited early');
  return JSON.parse(value as string);
};
const ask = async (command: string) => {
  worker.stdin.write(`${command}\n`);
  return answer();
};

try {
  const peftInfo = await answer();
  const perRound: Record<string, number | string>[] = [];
  let ours: EvaState | null = null;
  let peftRun: {
    seconds: number;
    forward_seconds: number;
    hook_seconds: number;
    steps: number;
    ranks: Record<string, number>;
  } | null = null;
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? ['ours', 'peft'] : ['peft', 'ours'];
    for (const who of order) {
      if (who === 'ours') ours = await computeEvaState(model, batches, config);
      else peftRun = await ask('run');
    }
    const o = ours as EvaState;
    const p = peftRun as NonNullable<typeof peftRun>;
    perRound.push({
      first: order[0] as string,
      ours_seconds: round(o.seconds, 3),
      peft_seconds: round(p.seconds, 3),
      speedup: round(p.seconds / o.seconds, 3),
      ours_steps: o.steps,
      peft_steps: p.steps,
    });
  }
  const o = ours as EvaState;
  const p = peftRun as NonNullable<typeof peftRun>;
  const peftFile = join(dir, 'peft-state.safetensors');
  await ask(`save ${peftFile}`);
  const peftState = decodeSafetensors(new Uint8Array(readFileSync(peftFile))).tensors;
  const ranks = evaRanks(o);
  const sameRanks = Object.entries(ranks).filter(([name, rank]) => p.ranks[name] === rank).length;
  let minCos = 1;
  let compared = 0;
  for (const layer of o.layers) {
    const theirs = peftState[layer.name];
    const d = layer.inFeatures;
    for (let j = 0; theirs !== undefined && j < Math.min(layer.rank, theirs.shape[0] as number); j++) {
      let dot = 0;
      for (let c = 0; c < d; c++) dot += (layer.componentsData[j * d + c] as number) * Number(theirs.data[j * d + c]);
      minCos = Math.min(minCos, Math.abs(dot));
      compared++;
    }
  }
  const speedups = perRound.map((x) => x['speedup'] as number).sort((a, b) => a - b);
  const result = {
    bench:
      'EVA initialisation: peftjs computeEvaState vs PEFT get_eva_state_dict, same checkpoint, batches and config, interleaved rounds',
    command: `npx tsx --conditions=@peftjs/source tools/bench/eva-init-vs-peft.ts --backend ${backendName} --rounds ${rounds} --batches ${count} --batch-size ${batchSize} --seq-len ${seqLen} --r ${config.r} --rho ${config.rho} --tau ${config.tau} --targets ${args.targets}`,
    machine: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, load average at end ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
    model: relative(ROOT, modelDir),
    data: `first ${count} batches [${batchSize}, ${seqLen}] of Moby Dick (train split, byte tokens, lmBatches seed 1), replayed in order`,
    config: { ...config, targets: args.targets },
    ours: {
      backend: backend.name,
      threads: 1,
      early_exit: true,
      steps: o.steps,
      seconds: round(o.seconds, 3),
      phases: o.phases,
    },
    peft: {
      torch: peftInfo.torch,
      threads: peftInfo.threads,
      svd: 'IncrementalPCA(lowrank=True, q=2k, niter=4, seed 42)',
      steps: p.steps,
      seconds: round(p.seconds, 3),
      model_forward_seconds: round(p.forward_seconds - p.hook_seconds, 3),
      hooks_seconds: round(p.hook_seconds, 3),
    },
    rounds: perRound,
    median_speedup_vs_peft: speedups[speedups.length >> 1],
    target_speedup: 2,
    agreement: {
      layers: o.layers.length,
      same_rank: sameRanks,
      ranks_ours: ranks,
      ranks_peft: p.ranks,
      allotted_components_compared: compared,
      min_abs_cos: round(minCos, 6),
    },
  };
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(
    `${JSON.stringify({ median_speedup_vs_peft: result.median_speedup_vs_peft, rounds: perRound, same_rank: `${sameRanks}/${o.layers.length}`, min_abs_cos: result.agreement.min_abs_cos, out })}\n`,
  );
} finally {
  worker.stdin.end('quit\n');
  for (const b of batches)
    tf.dispose([b.inputIds, b.attentionMask, b.labels].filter((t): t is tf.Tensor2D => t !== undefined));
  model.dispose();
  rmSync(dir, { recursive: true, force: true });
}

function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
