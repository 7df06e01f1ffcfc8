/*
 * One EVA shard in a worker thread: loads the checkpoint, captures its batches' layer inputs and
 * keeps a running incremental PCA per layer over its own batches. The main thread merges the
 * shards' states (mergeable PCA: the merge equals fitting the union of their rows).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { disposeBatch, NonFiniteError, setBackend, type AnyModule, type BackendName, type Batch } from '@peftjs/core';
import { captureLayerInputs } from '@peftjs/hooks';
import { loadPretrained } from '@peftjs/models/node';
import { IncrementalPCA, type IncrementalPCAJSON } from '@peftjs/streaming-svd';
import { fromWire, type FromWorker, type ToWorker, type WorkerInit } from './wire';

const port = parentPort;
if (port === null) throw new Error('eva-worker must run in a worker thread');
const init = workerData as WorkerInit;

function send(message: FromWorker): void {
  port?.postMessage(message);
}

async function main(): Promise<void> {
  await setBackend(init.backend as BackendName);
  const model = (await loadPretrained(init.modelDir)) as AnyModule & { call(batch: Batch): unknown };
  model.eval();
  const pcas = new Map<string, IncrementalPCA>();
  // Shards keep twice the components EVA needs, so that merging truncated shard states loses
  // no more than one process's incremental updates do; the main thread reads only the first k.
  for (const [name, k] of Object.entries(init.maxRanks))
    pcas.set(name, new IncrementalPCA({ nComponents: 2 * k, solver: init.solver, seed: init.seed }));
  let fitted: Record<string, IncrementalPCAJSON> = {};
  const capture = captureLayerInputs(model, {
    targets: [...init.targets].map((t) => new RegExp(escapeRegExp(t))),
    useLabelMask: init.useLabelMask,
    labelMaskValue: init.labelMaskValue,
    onRows: (layer, rows) => {
      const pca = pcas.get(layer) as IncrementalPCA;
      // EVA's rule (EVA-SPEC step 3), as in the single-process loop: skip a batch with fewer rows than k.
      if (rows.shape[0] < Math.min(init.maxRanks[layer] as number, rows.shape[1])) return;
      if (pca.partialFit(rows).status === 'fitted') fitted[layer] = pca.toJSON();
    },
  });
  send({ type: 'ready' });
  port?.on('message', (message: ToWorker) => {
    if (message.type === 'close') {
      capture.remove();
      model.dispose();
      port.close();
      return;
    }
    try {
      if (capture.steps > 0) {
        const wanted = new Set(message.attached);
        for (const layer of capture.layers) {
          if (capture.representativeOf(layer.name) !== layer.name) continue;
          if (wanted.has(layer.name) && !capture.isAttached(layer.name)) capture.attach(layer.name);
          if (!wanted.has(layer.name) && capture.isAttached(layer.name)) capture.detach(layer.name);
        }
      }
      fitted = {};
      const batch = fromWire(message.batch);
      let rowsPerLayer: Record<string, number>;
      try {
        rowsPerLayer = capture.step(batch, () => model.call(batch)).rowsPerLayer;
      } finally {
        disposeBatch(batch);
      }
      send({
        type: 'stepped',
        groups: capture.groups.map((g) => ({ representative: g.representative, members: [...g.members] })),
        fitted,
        rowsPerLayer,
      });
    } catch (error) {
      // a non-finite activation keeps its code and the layer it names across the thread boundary
      const subject = error instanceof NonFiniteError ? { code: error.code, subject: error.subject } : {};
      send({
        type: 'error',
        name: error instanceof Error ? error.name : 'Error',
        message: error instanceof Error ? error.message : String(error),
        ...subject,
      });
    }
  });
}

/** Targets arrive as exact module paths; match each as a whole path. */
function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

main().catch((error: unknown) =>
  send({
    type: 'error',
    name: error instanceof Error ? error.name : 'Error',
    message: error instanceof Error ? error.message : String(error),
  }),
);
