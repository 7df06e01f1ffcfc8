// The in-browser EVA demo: loaded on demand by EvaDemo.vue (never during server-side rendering).
// Everything comes from the site's own static files: /models/gpt2-sotu-byte/*, /data/moby-dick.txt
// and the tfjs wasm binaries in /wasm/. No node: module is used on this path.
import * as tf from '@tensorflow/tfjs-core';
import * as wasmBackend from '@tensorflow/tfjs-backend-wasm';
import { decodeSafetensors, disposeBatch, setBackend, type TensorEntry, type TokenBatch } from '@peftjs/core';
import { Gpt2LMHeadModel, lmBatches, parseGpt2Config } from '@peftjs/models';
import { applyEva, computeEvaState, type EvaState } from '@peftjs/eva';
import { AdamW } from '@peftjs/trainer';

export type DemoBackend = 'wasm' | 'webgl';

export interface DemoSettings {
  /** Site base URL, ending in "/". */
  readonly base: string;
  readonly backend: DemoBackend;
  /** LoRA rank budget per layer, and EVA's rho. */
  readonly r: number;
  readonly rho: number;
  /** EVA batches at most (the demo uses what it has when they run out, as `onMaxSteps: 'use-partial'`). */
  readonly evaSteps: number;
  readonly loraSteps: number;
  /** Held-out loss every this many LoRA steps (and before the first). */
  readonly evalEvery: number;
  readonly batchSize: number;
  readonly seqLen: number;
  readonly learningRate: number;
}

export const DEFAULT_SETTINGS: Omit<DemoSettings, 'base' | 'backend'> = {
  r: 4,
  rho: 2,
  evaSteps: 6,
  loraSteps: 24,
  evalEvery: 2,
  batchSize: 4,
  seqLen: 64,
  learningRate: 3e-3,
};

export interface DemoEvents {
  status(stage: 'loading' | 'eva' | 'training' | 'done', message: string): void;
  evaProgress(step: number, converged: number, total: number): void;
  ranks(ranks: Record<string, number>): void;
  /** Training loss of LoRA step `step` (a new batch each step, so it is noisy). */
  loss(step: number, loss: number): void;
  /** Loss on the same held-out batch after `step` LoRA steps (0 = EVA-initialised, before training). */
  heldOutLoss(step: number, loss: number): void;
}

export interface DemoResult {
  readonly backend: string;
  readonly evaSeconds: number;
  readonly trainSeconds: number;
  readonly evaSteps: number;
  readonly trainableParameters: number;
  readonly heldOutBefore: number;
  readonly heldOutAfter: number;
}

const CHECKPOINT = 'models/gpt2-sotu-byte/';

async function fetchOk(url: string): Promise<Response> {
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(`GET ${url} answered HTTP ${response.status}; the docs build copies this file into the site (tools/docs/copy-assets.mjs)`);
  }
  return response;
}

async function selectBackend(settings: DemoSettings): Promise<string> {
  if (settings.backend === 'webgl') {
    if (!(await tf.setBackend('webgl'))) throw new Error('this browser has no usable WebGL; choose the wasm backend');
    await tf.ready();
    return tf.getBackend();
  }
  // The wasm binaries are served by this site; tfjs must be told where before the backend starts.
  wasmBackend.setWasmPaths(`${settings.base}wasm/`);
  const info = await setBackend('wasm', { loader: async () => wasmBackend });
  return info.name;
}

/** The browser equivalent of `loadPretrained`: config.json + model.safetensors fetched and decoded. */
async function loadGpt2(base: string): Promise<Gpt2LMHeadModel> {
  const [configResponse, weightsResponse] = await Promise.all([fetchOk(`${base}${CHECKPOINT}config.json`), fetchOk(`${base}${CHECKPOINT}model.safetensors`)]);
  const config = parseGpt2Config(await configResponse.json());
  const { tensors } = decodeSafetensors(new Uint8Array(await weightsResponse.arrayBuffer()));
  const model = new Gpt2LMHeadModel(config);
  for (const [name, parameter] of model.namedParameters()) {
    const key = [name, name.replace(/^transformer\./, '')].find((k) => k in tensors);
    const entry: TensorEntry | undefined = key === undefined ? undefined : tensors[key];
    if (entry === undefined) throw new Error(`model.safetensors has no tensor "${name}" (nor without the "transformer." prefix)`);
    // GPT-2 stores its Conv1D projections as [in, out]; Linear keeps PyTorch's [out, in].
    const conv1d = /\.(c_attn|c_proj|c_fc)\.weight$/.test(name);
    const value = tf.tidy(() => {
      const t = tf.tensor(Float32Array.from(entry.data as ArrayLike<number>), entry.shape, 'float32');
      return conv1d ? tf.transpose(t) : t;
    });
    if (value.shape.join(',') !== parameter.shape.join(',')) {
      value.dispose();
      throw new Error(`tensor "${name}" has shape [${entry.shape.join(', ')}] but the model built from config.json needs [${parameter.shape.join(', ')}]`);
    }
    parameter.assign(value);
    value.dispose();
  }
  return model.eval();
}

function heldOutLoss(model: Gpt2LMHeadModel, batch: TokenBatch): number {
  const loss = model.loss(batch);
  const value = loss.dataSync()[0] ?? Number.NaN;
  loss.dispose();
  return value;
}

/** The last tenth of the chapter is held out; EVA and training draw windows from the rest. */
export function splitText(text: string): { train: string; heldOut: string } {
  const cut = Math.floor(text.length * 0.9);
  return { train: text.slice(0, cut), heldOut: text.slice(cut) };
}

/**
 * EVA then LoRA steps on a loaded model: the part of the demo that does not care where the model
 * and text came from (the browser fetches them; `tools/docs/demo-node.ts` runs this on Node).
 */
export async function evaThenLora(
  model: Gpt2LMHeadModel,
  text: string,
  settings: Omit<DemoSettings, 'base' | 'backend'>,
  events: Omit<DemoEvents, 'status'> & { status(stage: 'eva' | 'training', message: string): void },
): Promise<Omit<DemoResult, 'backend'>> {
  const parts = splitText(text);
  const train = lmBatches(parts.train, { batchSize: settings.batchSize, seqLen: settings.seqLen, seed: 0, loop: true });
  // Twice the training batch, from text neither EVA nor training sees: a steadier curve.
  const heldOutBatch = lmBatches(parts.heldOut, { batchSize: 2 * settings.batchSize, seqLen: settings.seqLen, shuffle: false, epochs: 1 }).batchAt(0);
  try {
    // EVA: capture layer inputs, incremental PCA per layer, ranks by explained variance.
    events.status('eva', "computing EVA: incremental PCA of every target layer's inputs");
    const t0 = performance.now();
    const evaBatches = Array.from({ length: settings.evaSteps }, (_, i) => train.batchAt(i));
    let state: EvaState;
    try {
      state = await computeEvaState(
        model,
        evaBatches,
        { r: settings.r, rho: settings.rho, tau: 0.99, maxSteps: settings.evaSteps, onMaxSteps: 'use-partial' },
        { onProgress: (p) => events.evaProgress(p.step, p.convergedLayers, p.totalLayers) },
      );
    } finally {
      for (const b of evaBatches) disposeBatch(b);
    }
    const evaSeconds = (performance.now() - t0) / 1000;
    events.ranks(Object.fromEntries(state.layers.map((l) => [l.name, l.rank])));

    // LoRA from the EVA state (A = components, B = 0, so the model is unchanged), then AdamW on the
    // adapter only. The base model stays in eval mode (no dropout).
    const handle = applyEva(model, state, { alpha: 2 * settings.r });
    const parameters = handle.adapterParameters();
    const trainableParameters = parameters.reduce((sum, [, p]) => sum + p.value.size, 0);
    events.status('training', `training ${trainableParameters.toLocaleString('en')} LoRA parameters with AdamW`);
    const heldOutBefore = heldOutLoss(model, heldOutBatch);
    events.heldOutLoss(0, heldOutBefore);
    const optimizer = new AdamW({ learningRate: settings.learningRate, weightDecay: 0 });
    const byVariable = new Map(parameters.map(([name, p]) => [p.value.name, name]));
    const t1 = performance.now();
    let heldOutAfter = heldOutBefore;
    try {
      for (let step = 1; step <= settings.loraSteps; step++) {
        const batch = train.batchAt(settings.evaSteps + step - 1); // windows EVA did not use
        const { value, grads } = tf.variableGrads(() => model.loss(batch), parameters.map(([, p]) => p.value));
        const named = new Map<string, tf.Tensor>();
        for (const [variableName, grad] of Object.entries(grads)) named.set(byVariable.get(variableName) ?? variableName, grad);
        optimizer.step(parameters, named, settings.learningRate);
        const loss = (await value.data())[0] ?? Number.NaN;
        tf.dispose([value, ...Object.values(grads)]);
        disposeBatch(batch);
        events.loss(step, loss);
        if (step % settings.evalEvery === 0 || step === settings.loraSteps) {
          heldOutAfter = heldOutLoss(model, heldOutBatch);
          events.heldOutLoss(step, heldOutAfter);
        }
        await tf.nextFrame(); // let the page repaint the curve
      }
    } finally {
      optimizer.dispose();
    }
    const trainSeconds = (performance.now() - t1) / 1000;
    return { evaSeconds, trainSeconds, evaSteps: state.steps, trainableParameters, heldOutBefore, heldOutAfter };
  } finally {
    disposeBatch(heldOutBatch);
  }
}

export async function runDemo(settings: DemoSettings, events: DemoEvents): Promise<DemoResult> {
  events.status('loading', 'starting the backend');
  const backend = await selectBackend(settings);
  events.status('loading', `loading the bundled GPT-2 on ${backend}`);
  const model = await loadGpt2(settings.base);
  try {
    const text = await (await fetchOk(`${settings.base}data/moby-dick.txt`)).text();
    const result = await evaThenLora(model, text, settings, events);
    events.status('done', 'done');
    return { backend, ...result };
  } finally {
    model.dispose();
  }
}
