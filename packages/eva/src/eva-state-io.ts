import { assertFinite, decodeSafetensors, encodeSafetensors, type TensorEntry } from '@peftjs/core';
import { parseEvaConfig, type EvaConfig } from './eva-config';
import { normaliseModulePath } from '@peftjs/lora';
import { EvaError } from './eva-loop';
import { initialA, type EvaLayerState, type EvaState } from './eva-state';

const METADATA_KEY = 'peftjs_eva';
const FORMAT_VERSION = 1;

interface StoredLayer {
  name: string;
  inFeatures: number;
  rank: number;
  group: string | null;
  converged: boolean;
  singularValues: number[];
  explainedVarianceRatio: number[];
}

interface StoredState {
  version: number;
  config: Omit<EvaConfig, 'targetModules'> & { targetModules: string[] | { regexp: string; flags: string } | null };
  steps: number;
  forwardPasses: number;
  seconds: number;
  converged: boolean;
  unconvergedLayers: string[];
  layers: StoredLayer[];
}

/**
 * Encodes an EVA state in PEFT's `get_eva_state_dict` layout: one F32 tensor per adapted layer,
 * keyed by its (normalised) module path, holding the `[rank, in]` initial `A` (whitened when the
 * config says so). Everything else (ranks, spectra, config, run info) rides in the metadata, so
 * `decodeEvaState` gives back a state that produces identical adapters. Rank-0 layers have no tensor.
 */
export function encodeEvaState(state: EvaState): Uint8Array {
  const { tensors, metadata } = toEntries(state);
  return encodeSafetensors(tensors, metadata);
}

/**
 * Decodes bytes from {@link encodeEvaState}. The layers hold only their `rank` initial rows, so
 * `components` equals `rank`.
 * @throws SafetensorsError when the bytes are not a valid safetensors file.
 * @throws Error when the `peftjs_eva` metadata is missing or of another format version, or a
 *   layer's tensor is missing or of the wrong shape.
 * @throws NonFiniteError when a stored tensor holds NaN or infinity.
 */
export function decodeEvaState(bytes: Uint8Array): EvaState {
  const { tensors, metadata } = decodeSafetensors(bytes);
  return fromEntries(tensors, metadata);
}

/** The tensors and metadata of `state`'s file (shared with ./eva-state-file.ts). */
export function toEntries(state: EvaState): { tensors: Record<string, TensorEntry>; metadata: Record<string, string> } {
  const tensors: Record<string, TensorEntry> = {};
  for (const layer of state.layers) {
    if (layer.rank === 0) continue;
    tensors[normaliseModulePath(layer.name)] = {
      dtype: 'F32',
      shape: [layer.rank, layer.inFeatures],
      data: initialA(layer, state.config.whiten),
    };
  }
  const stored: StoredState = {
    version: FORMAT_VERSION,
    config: { ...state.config, targetModules: storeTargets(state.config.targetModules) },
    steps: state.steps,
    forwardPasses: state.forwardPasses,
    seconds: state.seconds,
    converged: state.converged,
    unconvergedLayers: [...state.unconvergedLayers],
    layers: state.layers.map((l) => ({
      name: normaliseModulePath(l.name),
      inFeatures: l.inFeatures,
      rank: l.rank,
      group: l.group === null ? null : normaliseModulePath(l.group),
      converged: l.converged,
      singularValues: Array.from(l.singularValues.subarray(0, l.rank)),
      explainedVarianceRatio: Array.from(l.explainedVarianceRatio.subarray(0, l.rank)),
    })),
  };
  return { tensors, metadata: { format: 'pt', [METADATA_KEY]: JSON.stringify(stored) } };
}

/** The state a file's tensors and metadata describe (shared with ./eva-state-file.ts). */
export function fromEntries(tensors: Record<string, TensorEntry>, metadata: Record<string, string>): EvaState {
  const raw = metadata[METADATA_KEY];
  if (raw === undefined) {
    throw new EvaError(
      `This safetensors file has no "${METADATA_KEY}" metadata, so it was not written by saveEvaState; its tensors: ${Object.keys(tensors).slice(0, 8).join(', ')}`,
    );
  }
  let stored: StoredState;
  try {
    stored = JSON.parse(raw) as StoredState;
  } catch {
    throw new EvaError(`The "${METADATA_KEY}" metadata of this EVA state file is not valid JSON; the file is corrupt`);
  }
  if (stored.version !== FORMAT_VERSION)
    throw new EvaError(
      `EVA state format version ${String(stored.version)} is not supported (expected ${FORMAT_VERSION})`,
    );
  const whiten = stored.config.whiten;
  const layers: EvaLayerState[] = stored.layers.map((l) => {
    const entry = tensors[l.name];
    if (l.rank > 0 && entry === undefined)
      throw new EvaError(`EVA state file lists layer "${l.name}" with rank ${l.rank} but has no tensor for it`);
    if (entry !== undefined)
      assertFinite(
        entry.data as ArrayLike<number>,
        `EVA state tensor "${l.name}"`,
        'the state was computed from non-finite activations or the file is corrupt; recompute it',
      );
    if (entry !== undefined && (entry.shape[0] !== l.rank || entry.shape[1] !== l.inFeatures)) {
      throw new EvaError(
        `EVA state tensor "${l.name}" has shape [${entry.shape.join(', ')}] but its metadata says [${l.rank}, ${l.inFeatures}]`,
      );
    }
    return Object.freeze({
      name: l.name,
      inFeatures: l.inFeatures,
      components: l.rank,
      componentsData: entry === undefined ? new Float32Array(0) : Float32Array.from(entry.data as Float32Array),
      singularValues: Float64Array.from(l.singularValues),
      explainedVarianceRatio: Float64Array.from(l.explainedVarianceRatio),
      rank: l.rank,
      group: l.group,
      converged: l.converged,
      prewhitened: whiten,
    });
  });
  const config = parseEvaConfig({ ...stored.config, targetModules: loadTargets(stored.config.targetModules) });
  return Object.freeze({
    layers,
    config,
    steps: stored.steps,
    forwardPasses: stored.forwardPasses,
    seconds: stored.seconds,
    converged: stored.converged,
    unconvergedLayers: stored.unconvergedLayers,
  });
}

function storeTargets(t: EvaConfig['targetModules']): StoredState['config']['targetModules'] {
  if (t === null) return null;
  if (t instanceof RegExp) return { regexp: t.source, flags: t.flags };
  return [...t];
}

function loadTargets(t: StoredState['config']['targetModules']): EvaConfig['targetModules'] {
  if (t === null || Array.isArray(t)) return t;
  return new RegExp(t.regexp, t.flags);
}
