import * as tf from '@tensorflow/tfjs-core';
import { Linear, NonFiniteError, type AnyModule, type Batch, type HookHandle } from '@peftjs/core';
import { gatherKeptRows, type PrepareLayerInputs, type PrepareLayerInputsContext } from './gather-kept-rows';
import {
  inputFingerprint,
  partitionByIdenticalInput,
  type FirstInputRecord,
  type IdenticalInputGroup,
} from './identical-input-groups';
import { keptRowIndex, type KeptRows } from './kept-rows';
import { resolveTargets, type TargetSpec } from './resolve-targets';

/** Options of {@link captureLayerInputs}: which layers, which rows, and the sink `onRows`. */
export interface CaptureOptions {
  /** Layers to hook (see {@link TargetSpec}); default every `Linear`. */
  readonly targets?: TargetSpec;
  /** Token batches: also drop rows whose label is `labelMaskValue` (when labels exist). Default true. */
  readonly useLabelMask?: boolean;
  /** Default -100. */
  readonly labelMaskValue?: number;
  /** Override how rows are taken from a layer's input: one function for every layer, or a map by full layer path. */
  readonly prepareLayerInputs?: PrepareLayerInputs | Readonly<Record<string, PrepareLayerInputs>>;
  /** Find layers with identical inputs on the first step and feed only one per group. Default true. */
  readonly groupIdenticalInputs?: boolean;
  /** Fail on NaN/Inf rows (one sum per fed layer per step, one read-back for all). Default true. */
  readonly checkFinite?: boolean;
  /**
   * Stop the forward pass as soon as every hooked layer has run this step (default true): later layers, the
   * head and any loss are never computed, and as layers are detached the pass stops earlier. The stop is a
   * private signal thrown from the last needed hook and caught by {@link LayerInputCapture.step}; tensors the
   * aborted pass created are freed by its `tf.tidy`. The first step always runs to completion, so that a target
   * layer running more than once per pass is still reported. Set false to run `forward` to completion on every
   * step (its side effects included); the rows handed to `onRows` are the same either way.
   */
  readonly earlyExit?: boolean;
  /**
   * The sink: receives each fed layer's `[n_kept, d]` rows once per step, after the forward pass, in module
   * order, outside any `tf.tidy`. The rows are disposed when it returns; copy (`tf.clone`/`tf.keep`) what you keep.
   */
  readonly onRows: (layer: string, rows: tf.Tensor2D) => void;
}

/** One hooked layer of a {@link LayerInputCapture}. */
export interface CapturedLayer {
  /** Full module path. */
  readonly name: string;
  /** The layer itself. */
  readonly module: AnyModule;
  /** Last dimension of the layer's input: `Linear.inFeatures`, else as seen on the first step (`null` before it). */
  readonly inFeatures: number | null;
}

/** What {@link LayerInputCapture.step} returns. */
export interface CaptureStepResult {
  /** Rows of each fed layer this step (attached representatives, module order); 0 means its sink was not called. */
  readonly rowsPerLayer: Record<string, number>;
  /** Kept positions in the batch (token rows after masks, or feature rows). */
  readonly kept: number;
  /** All positions in the batch (`B*T` or `B`). */
  readonly positions: number;
}

/** A live capture on a model, from {@link captureLayerInputs}: step it once per batch, then `remove()` it. */
export interface LayerInputCapture {
  /** Matched layers in module order. */
  readonly layers: readonly CapturedLayer[];
  /** Identical-input groups with two or more layers, found on the first step (empty before it). */
  readonly groups: readonly IdenticalInputGroup[];
  /** Steps completed. */
  readonly steps: number;
  /**
   * Sets `batch` as the current batch, runs `forward` under `tf.tidy` (everything it creates and does not
   * `tf.keep` is freed, its output included), then feeds the sink. Synchronous.
   */
  step(batch: Batch, forward: () => unknown): CaptureStepResult;
  /** The representative whose rows stand for `layer` (itself unless grouped). */
  representativeOf(layer: string): string;
  /** Stop feeding a layer: its hook is removed (nothing is gathered or copied) until {@link attach}. */
  detach(layer: string): void;
  /** Resume feeding a detached layer from the next step. */
  attach(layer: string): void;
  /** Whether `layer` is fed (not detached). */
  isAttached(layer: string): boolean;
  /** Remove every hook; the capture cannot step afterwards. */
  remove(): void;
}

interface LayerState {
  readonly name: string;
  readonly module: AnyModule;
  readonly prepare: PrepareLayerInputs;
  inFeatures: number | null;
  attached: boolean;
  representative: string;
  handle: HookHandle | null;
}

interface StepState {
  readonly batch: Batch;
  readonly kept: KeptRows;
  readonly first: boolean;
  readonly fired: Map<string, number>;
  /** Gathered rows by layer, kept out of the model's tidy scopes until the sinks have run. */
  readonly rows: Map<string, tf.Tensor2D>;
  readonly firstInputs: Map<string, { input: object; shape: number[] }>;
  readonly fingerprints: Map<object, tf.Tensor1D>;
  /** Hooked layers this step: once that many have fired, the rest of the forward pass is not needed. */
  readonly hooked: number;
  /** Thrown by the last needed hook (with `earlyExit`) and caught by `step`. */
  readonly stop: ForwardStop;
}

/** The early-exit signal of one step (never an `Error`: no stack is captured, and it never escapes `step`). */
class ForwardStop {
  readonly reason = 'every hooked layer has run';
}

/**
 * Hooks the target layers of `model` and, for each {@link LayerInputCapture.step}, hands every fed layer the
 * `[n_kept, d]` matrix of its input rows (kept tokens or feature rows) through `onRows`.
 * Targets are resolved immediately (a target that matches nothing throws, with suggestions).
 */
export function captureLayerInputs(model: AnyModule, options: CaptureOptions): LayerInputCapture {
  const opts = parseOptions(options);
  const resolved = resolveTargets(model, options.targets);
  const prepareFor = preparationLookup(
    options.prepareLayerInputs,
    resolved.map((r) => r.name),
  );
  const layers = new Map<string, LayerState>();
  for (const { name, module } of resolved) {
    layers.set(name, {
      name,
      module,
      prepare: prepareFor(name),
      inFeatures: module instanceof Linear ? module.inFeatures : null,
      attached: true,
      representative: name,
      handle: null,
    });
  }
  let groups: IdenticalInputGroup[] = [];
  let steps = 0;
  let current: StepState | null = null;
  let removed = false;

  const getLayer = (name: string): LayerState => {
    const layer = layers.get(name);
    if (layer === undefined)
      throw new Error(`No captured layer "${name}"; captured layers: ${[...layers.keys()].join(', ')}`);
    return layer;
  };

  const hookFor =
    (layer: LayerState) =>
    (_module: AnyModule, inputs: readonly unknown[]): void => {
      const s = current;
      if (s === null) return; // a forward outside step(): nothing to do
      const count = (s.fired.get(layer.name) ?? 0) + 1;
      s.fired.set(layer.name, count);
      if (count > 1)
        throw new Error(
          `Layer "${layer.name}" ran ${count} times in one forward pass; captureLayerInputs expects each target layer to run once per step. Remove it from targets.`,
        );
      const x = inputs[0];
      if (!(x instanceof tf.Tensor))
        throw new Error(
          `Layer "${layer.name}" (${layer.module.typeName}) received a ${describe(x)} as its first input; targets must be modules whose input is a tensor`,
        );
      if (layer.inFeatures === null) layer.inFeatures = x.shape[x.rank - 1] ?? null;
      if (s.first) {
        s.firstInputs.set(layer.name, { input: x, shape: x.shape });
        if (opts.groupIdenticalInputs && !s.fingerprints.has(x)) s.fingerprints.set(x, tf.keep(inputFingerprint(x)));
      }
      if (layer.attached) {
        const context: PrepareLayerInputsContext = {
          layer: layer.name,
          batch: s.batch,
          keptRows: s.kept.index,
          kept: s.kept.kept,
          positions: s.kept.positions,
          leadingShape: s.kept.leadingShape,
        };
        // clone: the result may be a tensor the model still owns (e.g. its input); the clone shares data, no copy
        const rows = tf.keep(tf.tidy(() => tf.clone(layer.prepare(x, context))));
        s.rows.set(layer.name, rows as tf.Tensor2D);
        if (rows.rank !== 2)
          throw new Error(
            `prepareLayerInputs for layer "${layer.name}" returned shape [${rows.shape.join(', ')}]; it must return a 2-D [rows, features] tensor`,
          );
      }
      if (opts.earlyExit && !s.first && s.fired.size === s.hooked) throw s.stop; // the rest of the forward pass feeds nothing
    };

  const setHook = (layer: LayerState, on: boolean): void => {
    if (on && layer.handle === null) layer.handle = layer.module.registerForwardHook(hookFor(layer));
    if (!on && layer.handle !== null) {
      layer.handle.remove();
      layer.handle = null;
    }
  };
  /** Before the first step every layer is hooked (for group detection); afterwards attached representatives only. */
  const refreshHook = (layer: LayerState): void =>
    setHook(layer, !removed && (steps === 0 || (layer.attached && layer.representative === layer.name)));
  for (const layer of layers.values()) refreshHook(layer);

  const finishFirstStep = (s: StepState): void => {
    const distinct = [...s.fingerprints.entries()];
    const values = distinct.length > 0 ? readBack(() => tf.stack(distinct.map(([, f]) => f))) : new Float32Array(0);
    const width = distinct[0]?.[1].shape[0] ?? 0;
    const byInput = new Map(distinct.map(([input], i) => [input, [...values.subarray(i * width, (i + 1) * width)]]));
    const records: FirstInputRecord[] = [...layers.values()].map((layer) => {
      const seen = s.firstInputs.get(layer.name) as { input: object; shape: number[] };
      return {
        name: layer.name,
        input: seen.input,
        shape: seen.shape,
        prepareKey: layer.prepare,
        fingerprint: byInput.get(seen.input) ?? null,
      };
    });
    const all = opts.groupIdenticalInputs
      ? partitionByIdenticalInput(records)
      : records.map((r) => ({ representative: r.name, members: [r.name] }));
    for (const g of all) for (const m of g.members) getLayer(m).representative = g.representative;
    groups = all.filter((g) => g.members.length > 1);
  };

  const step = (batch: Batch, forward: () => unknown): CaptureStepResult => {
    if (removed) throw new Error('This capture was removed; create a new one with captureLayerInputs');
    if (current !== null)
      throw new Error(
        'capture.step was called during another step (from the forward function or a sink); steps cannot nest',
      );
    let hooked = 0;
    for (const layer of layers.values()) if (layer.handle !== null) hooked++;
    const s: StepState = {
      batch,
      kept: keptRowIndex(batch, opts),
      first: steps === 0,
      fired: new Map(),
      rows: new Map(),
      firstInputs: new Map(),
      fingerprints: new Map(),
      hooked,
      stop: new ForwardStop(),
    };
    current = s;
    try {
      try {
        tf.tidy(() => {
          const out = forward();
          if (out instanceof Promise)
            throw new Error(
              'The forward function of capture.step returned a Promise; it must run the model synchronously',
            );
        });
      } catch (error) {
        if (error !== s.stop) throw error; // the early exit is this step's own signal; anything else is real
      }
      current = null;
      const expected = [...layers.values()].filter((l) => l.handle !== null).map((l) => l.name);
      const silent = expected.filter((name) => !s.fired.has(name));
      if (silent.length > 0) {
        throw new Error(
          `${silent.length} target layer(s) did not run during the forward pass: ${silent.join(', ')}. Check that forward() calls the model on the batch and that these modules are used through .call(); otherwise remove them from targets.`,
        );
      }
      if (s.first) finishFirstStep(s);
      // which layers are fed, in module order: attached representatives (group members' rows are dropped)
      const feeds: [string, tf.Tensor2D][] = [];
      for (const layer of layers.values()) {
        if (!layer.attached || layer.representative !== layer.name) continue;
        const rows = s.rows.get(layer.name);
        if (rows !== undefined) feeds.push([layer.name, rows]);
      }
      if (opts.checkFinite && feeds.length > 0) {
        const sums = readBack(() => tf.stack(feeds.map(([, r]) => tf.sum(r))));
        const bad = feeds.filter((_, i) => !Number.isFinite(sums[i] as number)).map(([name]) => name);
        if (bad.length > 0) {
          throw new NonFiniteError(
            bad[0] as string,
            `Non-finite activations (NaN or Inf) in the inputs of ${bad.map((b) => `"${b}"`).join(', ')} at step ${steps + 1}; check the model weights and the batch (a diverged or overflowing model), or pass checkFinite: false`,
          );
        }
      }
      const rowsPerLayer: Record<string, number> = {};
      for (const [name, rows] of feeds) {
        s.rows.delete(name);
        try {
          if (rows.shape[0] > 0) opts.onRows(name, rows);
          rowsPerLayer[name] = rows.shape[0];
        } finally {
          rows.dispose();
        }
      }
      steps++;
      if (s.first) for (const layer of layers.values()) refreshHook(layer);
      return { rowsPerLayer, kept: s.kept.kept, positions: s.kept.positions };
    } finally {
      current = null;
      for (const rows of s.rows.values()) rows.dispose();
      for (const f of s.fingerprints.values()) f.dispose();
      s.kept.index.dispose();
    }
  };

  return {
    get layers() {
      return [...layers.values()].map(({ name, module, inFeatures }) => ({ name, module, inFeatures }));
    },
    get groups() {
      return groups.map((g) => ({ representative: g.representative, members: [...g.members] }));
    },
    get steps() {
      return steps;
    },
    step,
    representativeOf: (name) => getLayer(name).representative,
    detach(name) {
      const layer = getLayer(name);
      layer.attached = false;
      refreshHook(layer);
    },
    attach(name) {
      const layer = getLayer(name);
      layer.attached = true;
      refreshHook(layer);
    },
    isAttached: (name) => getLayer(name).attached,
    remove() {
      removed = true;
      for (const layer of layers.values()) setHook(layer, false);
    },
  };
}

function parseOptions(options: CaptureOptions) {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('captureLayerInputs needs an options object with at least onRows');
  if (typeof options.onRows !== 'function')
    throw new TypeError(
      "captureLayerInputs: onRows must be a function (layer, rows) => void that receives each layer's [n_kept, d] rows",
    );
  const labelMaskValue = options.labelMaskValue ?? -100;
  if (!Number.isInteger(labelMaskValue))
    throw new RangeError(`captureLayerInputs: labelMaskValue must be an integer label id, got ${labelMaskValue}`);
  for (const field of ['useLabelMask', 'groupIdenticalInputs', 'checkFinite', 'earlyExit'] as const) {
    const v = options[field];
    if (v !== undefined && typeof v !== 'boolean')
      throw new TypeError(`captureLayerInputs: ${field} must be true or false, got ${String(v)}`);
  }
  return {
    onRows: options.onRows,
    useLabelMask: options.useLabelMask ?? true,
    labelMaskValue,
    groupIdenticalInputs: options.groupIdenticalInputs ?? true,
    checkFinite: options.checkFinite ?? true,
    earlyExit: options.earlyExit ?? true,
  };
}

/** One function for all layers, or a map by full layer path whose keys must all be captured layers (as PEFT). */
function preparationLookup(
  given: CaptureOptions['prepareLayerInputs'],
  names: readonly string[],
): (name: string) => PrepareLayerInputs {
  if (given === undefined) return () => gatherKeptRows;
  if (typeof given === 'function') return () => given;
  if (typeof given !== 'object' || given === null)
    throw new TypeError('prepareLayerInputs must be a function or a map from layer path to function');
  const unknown = Object.keys(given).filter((k) => !names.includes(k));
  if (unknown.length > 0) {
    throw new Error(
      `prepareLayerInputs is a map, but these keys are not captured layers: ${unknown.join(', ')}. Use full module paths among: ${names.join(', ')}`,
    );
  }
  for (const [k, fn] of Object.entries(given)) {
    if (typeof fn !== 'function')
      throw new TypeError(`prepareLayerInputs["${k}"] must be a function (input, context) => Tensor2D`);
  }
  return (name) => given[name] ?? gatherKeptRows;
}

/** Computes a small tensor, reads it back once, frees it. */
function readBack(f: () => tf.Tensor): Float32Array | Int32Array | Uint8Array {
  const t = tf.tidy(f);
  try {
    return t.dataSync();
  } finally {
    t.dispose();
  }
}

function describe(x: unknown): string {
  if (x === undefined) return 'nothing';
  if (Array.isArray(x)) return 'an array';
  return typeof x === 'object' ? (x?.constructor?.name ?? 'object') : typeof x;
}
