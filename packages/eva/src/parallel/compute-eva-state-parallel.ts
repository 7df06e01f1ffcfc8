import { Worker } from 'node:worker_threads';
import { getBackendInfo, Linear, NonFiniteError, type AnyModule, type Batch } from '@peftjs/core';
import { resolveTargets } from '@peftjs/hooks';
import { getRankAllocator, maxRanksFor } from '@peftjs/rank-allocator';
import { ConvergenceTracker, IncrementalPCA, mergeStates, type IncrementalPCAJSON } from '@peftjs/streaming-svd';
import { parseEvaConfig, type EvaConfig, type EvaConfigInput } from '../eva-config';
import { createLayerRuns, EvaError, type EvaData, type LayerRun } from '../eva-loop';
import { runEvaLoop, type RowSource } from '../run-eva-loop';
import type { EvaState } from '../eva-state';
import type { ComputeEvaOptions } from '../compute-eva-state';
import { PhaseClock } from '../phase-clock';
import { toWire, type FromWorker, type WireBatch, type WorkerInit } from './wire';

/** {@link computeEvaStateParallel}'s options: those of `computeEvaState` but `decomposer`, and where the workers get the model. */
export interface ParallelEvaOptions extends Omit<ComputeEvaOptions, 'decomposer'> {
  /** Worker threads to shard the batches over (an integer >= 1); a round feeds each one batch. */
  readonly workers: number;
  /** The checkpoint directory `model` was loaded from (`loadPretrained`); every worker loads it. */
  readonly modelDir: string;
}

/**
 * EVA steps 1-4 as `computeEvaState` does them (Node only, from `@peftjs/eva/node`), with the forward
 * passes and PCA updates sharded over `options.workers` worker threads: in each round every worker
 * takes the next batch, updates its own running PCA per layer, and the main thread merges the
 * workers' states (their union). The loop itself (rank reallocation, convergence, replay,
 * `maxSteps`) is `runEvaLoop`, the same as in one thread. Each worker loads the model from
 * `options.modelDir`.
 * @throws EvaError for a bad `workers`, a missing `modelDir`, a `decomposer` (only IncrementalPCA
 * runs in the workers) or a worker that fails; `NonFiniteError` as `computeEvaState`.
 */
export async function computeEvaStateParallel(
  model: AnyModule,
  data: EvaData,
  config: EvaConfigInput | EvaConfig,
  options: ParallelEvaOptions,
): Promise<EvaState> {
  const cfg = parseEvaConfig(config);
  const { workers, modelDir } = options;
  if (!Number.isInteger(workers) || workers < 1)
    throw new EvaError(`computeEvaStateParallel: workers must be an integer >= 1, got ${String(workers)}`);
  if (typeof modelDir !== 'string')
    throw new EvaError(
      'computeEvaStateParallel needs options.modelDir, the checkpoint directory each worker loads the model from',
    );
  if ((options as { decomposer?: unknown }).decomposer !== undefined)
    throw new EvaError(
      'computeEvaStateParallel uses IncrementalPCA in every worker; drop options.decomposer or call computeEvaState',
    );
  const allocator = options.allocator ?? getRankAllocator('explainedVariance');
  const started = performance.now();
  const targets = resolveTargets(
    model,
    cfg.targetModules === null
      ? (path: string, m: AnyModule) => m instanceof Linear && path !== ''
      : cfg.targetModules instanceof RegExp
        ? cfg.targetModules
        : [...cfg.targetModules],
  );
  const limits: Record<string, number> = {};
  for (const t of targets) {
    if (!(t.module instanceof Linear))
      throw new EvaError(
        `Layer "${t.name}" (${t.module.typeName}) is not a Linear layer; EVA with workers targets Linear layers`,
      );
    limits[t.name] = Math.min(t.module.inFeatures, t.module.outFeatures); // as the single-process loop
  }
  const maxRanks = maxRanksFor(cfg.r, cfg.rho, limits);
  // No decomposer in this thread until the shards' states are merged into one.
  const runs = createLayerRuns(
    targets.map((t) => ({ name: t.name, inFeatures: (t.module as Linear).inFeatures })),
    maxRanks,
    cfg,
    () => new ConvergenceTracker({ tau: cfg.tau }),
    null,
  );
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
  const clock = new PhaseClock(); // forward = the workers' rounds (their forward passes and local PCA updates)
  return runEvaLoop(data, runs, cfg, workerSource(pool, runs, clock), {
    allocator,
    clock,
    startedMs: started,
    onProgress: options.onProgress,
  });
}

/**
 * Rows from worker threads: each batch of a round goes to its own worker, which fits its running
 * PCA per layer; the round ends by merging every worker's latest state per layer (their union).
 */
function workerSource(pool: PoolWorker[], runs: Map<string, LayerRun>, clock: PhaseClock): RowSource<Batch> {
  const attached = new Set(runs.keys());
  const latest = pool.map(() => new Map<string, IncrementalPCAJSON>());
  let round: WireBatch[] = [];
  return {
    roundSize: pool.length,
    add: (batch) => void round.push(toWire(batch)),
    async flush() {
      const batches = round;
      round = [];
      const replies = await clock.measure('forward', () =>
        Promise.all(batches.map((batch, w) => (pool[w] as PoolWorker).step(batch, [...attached]))),
      );
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
          const merged = mergeStates(
            latest.flatMap((m) => (m.has(layer) ? [IncrementalPCA.fromJSON(m.get(layer) as IncrementalPCAJSON)] : [])),
          );
          run.pca = merged;
          // Groups are resolved after the first round: members have no tracker and are never fitted.
          run.tracker?.update(merged.components, merged.effectiveComponents);
        }
      });
      return {
        batches: batches.length,
        groups: (replies[0] as Stepped).groups,
        rowsPerLayer: replies[0]?.rowsPerLayer ?? {},
      };
    },
    close: async () => void (await Promise.all(pool.map((w) => w.close()))),
    attach: (layer) => void attached.add(layer),
    detach: (layer) => void attached.delete(layer),
    isAttached: (layer) => attached.has(layer),
  };
}

type Stepped = Extract<FromWorker, { type: 'stepped' }>;

interface PoolWorker {
  step(batch: WireBatch, attached: string[]): Promise<Stepped>;
  close(): Promise<void>;
}

/** The worker script: the TS source under tsx/vitest, the built file in `dist/`. */
function workerUrl(): { url: URL; execArgv: string[] } {
  const here = import.meta.url;
  if (here.endsWith('.ts'))
    return { url: new URL('./eva-worker-source.mjs', here), execArgv: ['--conditions=@peftjs/source'] };
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
    if (message.type === 'error') {
      p?.reject(
        message.code === 'E_NON_FINITE'
          ? new NonFiniteError(message.subject ?? 'EVA worker', `EVA worker: ${message.message}`)
          : new EvaError(`EVA worker: ${message.message}`),
      );
    } else p?.resolve(message);
  });
  const ask = (post: () => void) =>
    new Promise<FromWorker>((resolve, reject) => {
      pending = { resolve, reject };
      post();
    });
  await ask(() => undefined); // the first message is "ready" (or an error loading the model)
  return {
    step: async (batch, attached) =>
      (await ask(() => worker.postMessage({ type: 'step', batch, attached }))) as Stepped,
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
