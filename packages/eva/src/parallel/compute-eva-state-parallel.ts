import { Worker } from 'node:worker_threads';
import { disposeBatch, getBackendInfo, Linear, type AnyModule, type Batch } from '@peftjs/core';
import { resolveTargets } from '@peftjs/hooks';
import { getRankAllocator, maxRanksFor } from '@peftjs/rank-allocator';
import { ConvergenceTracker, IncrementalPCA, mergeStates, type IncrementalPCAJSON } from '@peftjs/streaming-svd';
import type { EvaConfig } from '../eva-config';
import { assertEveryLayerFitted, EvaError, iterate, finishState, resolveGroups, updateRanksAndConvergence, type EvaData, type Feeder, type LayerRun } from '../eva-loop';
import type { EvaState } from '../eva-state';
import type { ComputeEvaOptions } from '../compute-eva-state';
import { PhaseClock } from '../phase-clock';
import { toWire, type FromWorker, type WireBatch, type WorkerInit } from './wire';

/**
 * EVA with the forward passes and PCA updates sharded over `workers` threads: in each round every
 * worker takes the next batch, updates its own running PCA per layer, and the main thread merges
 * the workers' states (their union), then reallocates ranks and checks convergence as the
 * single-process loop does after each batch. Each worker loads the model from `modelDir`.
 */
export async function computeEvaStateParallel(model: AnyModule, modelDir: string, data: EvaData, cfg: EvaConfig, options: ComputeEvaOptions & { workers: number }): Promise<EvaState> {
  const allocator = options.allocator ?? getRankAllocator('explainedVariance');
  const started = performance.now();
  const targets = resolveTargets(model, cfg.targetModules === null ? (path: string, m: AnyModule) => m instanceof Linear && path !== '' : cfg.targetModules instanceof RegExp ? cfg.targetModules : [...cfg.targetModules]);
  const limits: Record<string, number> = {};
  for (const t of targets) {
    if (!(t.module instanceof Linear)) throw new EvaError(`Layer "${t.name}" (${t.module.typeName}) is not a Linear layer; EVA with workers targets Linear layers`);
    limits[t.name] = Math.min(t.module.inFeatures, t.module.outFeatures); // as the single-process loop
  }
  const maxRanks = maxRanksFor(cfg.r, cfg.rho, limits);
  const runs = new Map<string, LayerRun>();
  for (const t of targets) {
    runs.set(t.name, { name: t.name, inFeatures: (t.module as Linear).inFeatures, maxRank: maxRanks[t.name] as number, pca: null, tracker: new ConvergenceTracker({ tau: cfg.tau }), representative: t.name, rank: cfg.r, fits: 0, converged: false });
  }
  const attached = new Set(runs.keys());
  const feeder: Feeder = { attach: (n) => void attached.add(n), detach: (n) => void attached.delete(n), isAttached: (n) => attached.has(n) };
  const init: WorkerInit = {
    modelDir,
    targets: targets.map((t) => t.name),
    useLabelMask: cfg.useLabelMask,
    labelMaskValue: cfg.labelMaskValue,
    maxRanks,
    solver: cfg.solver,
    seed: cfg.seed,
    backend: (await getBackendInfo()).requested,
  };
  const pool = await Promise.all(Array.from({ length: options.workers }, () => startWorker(init)));
  const latest = pool.map(() => new Map<string, IncrementalPCAJSON>());
  const budget = cfg.r * runs.size;
  let steps = 0;
  let allConverged = false;
  let groupsResolved = false;
  const clock = new PhaseClock(); // forward = the workers' rounds (their forward passes and local PCA updates)
  try {
    outer: for (let epoch = 0; ; epoch++) {
      let batchesThisEpoch = 0;
      let round: WireBatch[] = [];
      const flush = async (): Promise<boolean> => {
        const replies = await clock.measure('forward', () => Promise.all(round.map((batch, w) => (pool[w] as PoolWorker).step(batch, [...attached]))));
        if (!groupsResolved) {
          resolveGroups((replies[0] as Stepped).groups, runs);
          for (const run of runs.values()) if (run.representative !== run.name) run.tracker = null;
          groupsResolved = true;
        }
        const fittedLayers = new Set<string>();
        replies.forEach((reply, w) => {
          for (const [layer, json] of Object.entries(reply.fitted)) {
            (latest[w] as Map<string, IncrementalPCAJSON>).set(layer, json);
            fittedLayers.add(layer);
            (runs.get(layer) as LayerRun).fits++;
          }
        });
        clock.measure('pca', () => {
          for (const layer of fittedLayers) {
            const run = runs.get(layer) as LayerRun;
            run.pca = mergeStates(latest.flatMap((m) => (m.has(layer) ? [IncrementalPCA.fromJSON(m.get(layer) as IncrementalPCAJSON)] : [])));
            (run.tracker as ConvergenceTracker).update(run.pca.components, run.pca.effectiveComponents);
          }
        });
        steps += round.length;
        round = [];
        allConverged = clock.measure('allocation', () => updateRanksAndConvergence(runs, allocator, budget, feeder));
        options.onProgress?.({ step: steps, convergedLayers: [...runs.values()].filter((r) => r.converged).length, totalLayers: runs.size, rowsPerLayer: replies[0]?.rowsPerLayer ?? {}, phases: clock.snapshot() });
        return allConverged || steps >= cfg.maxSteps;
      };
      for await (const batch of iterate(data)) {
        batchesThisEpoch++;
        try {
          round.push(toWire(batch));
        } finally {
          if (typeof data === 'function') disposeBatch(batch as Batch);
        }
        if (round.length === pool.length || steps + round.length >= cfg.maxSteps) {
          if (await flush()) break outer;
        }
      }
      if (round.length > 0 && (await flush())) break;
      if (batchesThisEpoch === 0) throw new EvaError(epoch === 0 ? 'EVA received no data: the batch source is empty' : 'EVA ran out of data: the batch factory returned no batches when called again');
      if (epoch === 0) assertEveryLayerFitted(runs, steps);
    }
  } finally {
    await Promise.all(pool.map((w) => w.close()));
  }
  return finishState(runs, cfg, { steps, allConverged, startedMs: started, phases: clock.snapshot() });
}

type Stepped = Extract<FromWorker, { type: 'stepped' }>;

interface PoolWorker {
  step(batch: WireBatch, attached: string[]): Promise<Stepped>;
  close(): Promise<void>;
}

/** The worker script: the TS source under tsx/vitest, the built file in `dist/`. */
function workerUrl(): { url: URL; execArgv: string[] } {
  const here = import.meta.url;
  if (here.endsWith('.ts')) return { url: new URL('./eva-worker-source.mjs', here), execArgv: ['--conditions=@peftjs/source'] };
  return { url: new URL('./eva-worker.js', here), execArgv: [] };
}

async function startWorker(init: WorkerInit): Promise<PoolWorker> {
  const { url, execArgv } = workerUrl();
  const worker = new Worker(url, { workerData: init, execArgv });
  let pending: { resolve: (m: FromWorker) => void; reject: (e: Error) => void } | null = null;
  const failure = (error: Error) => {
    pending?.reject(error);
    pending = null;
  };
  worker.on('error', failure);
  worker.on('exit', (code) => failure(new EvaError(`An EVA worker thread exited (code ${code}) before answering`)));
  worker.on('message', (message: FromWorker) => {
    const p = pending;
    pending = null;
    if (message.type === 'error') p?.reject(new EvaError(`EVA worker: ${message.message}`));
    else p?.resolve(message);
  });
  const ask = (post: () => void) =>
    new Promise<FromWorker>((resolve, reject) => {
      pending = { resolve, reject };
      post();
    });
  await ask(() => undefined); // the first message is "ready" (or an error loading the model)
  return {
    step: async (batch, attached) => (await ask(() => worker.postMessage({ type: 'step', batch, attached }))) as Stepped,
    close: async () => {
      worker.removeAllListeners('exit');
      worker.postMessage({ type: 'close' });
      await new Promise<void>((resolve) => {
        worker.once('exit', () => resolve());
        setTimeout(() => void worker.terminate().then(() => resolve()), 2000).unref();
      });
    },
  };
}
