import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { readSafetensorsFile, writeSafetensorsFile } from '@peftjs/core/node';
import type { TensorEntry } from '@peftjs/core';
import { temporarySibling, writeTextAtomic } from './atomic-fs';
import { CheckpointError } from './errors';
import type { OptimizerState } from './optimizer';
import type { TrainerState } from './trainer-state';

/** File names inside a checkpoint directory. */
export const CHECKPOINT_FILES = {
  /** The trained parameters, safetensors F32 by parameter name. */
  weights: 'model.safetensors',
  /** The optimizer's slot tensors; its `kind` and scalars in the metadata. */
  optimizer: 'optimizer.safetensors',
  /** The {@link TrainerState} as JSON, written last (its presence marks the checkpoint complete). */
  state: 'trainer_state.json',
} as const;

const STEP_DIR = /^step-(\d+)$/;
const TEMP_DIR = /^\.(tmp|old)-step-\d+-/;

/** `step-000020`: the directory name of the checkpoint after `step` optimizer steps. */
export function checkpointDirName(step: number): string {
  return `step-${String(step).padStart(6, '0')}`;
}

/** A checkpoint read back from disk: tensors as plain typed arrays (no tf tensors are created). */
export interface Checkpoint {
  /** The checkpoint directory (`.../step-NNNNNN`). */
  readonly dir: string;
  /** The parsed `trainer_state.json`. */
  readonly state: TrainerState;
  /** Trained parameters by name (F32). */
  readonly weights: Record<string, TensorEntry>;
  /** The optimizer state, in the layout of {@link OptimizerState} with typed arrays for tensors. */
  readonly optimizer: {
    /** The optimizer's `kind` (`adamw`, `sgd`, ...). */
    readonly kind: string;
    /** Slot tensors keyed `<parameter name>.<slot>`. */
    readonly tensors: Record<string, TensorEntry>;
    /** Numbers such as `<parameter name>.step`. */
    readonly scalars: Record<string, number>;
  };
}

/**
 * Writes a checkpoint as `<root>/step-NNNNNN/` atomically: all files go into a temporary sibling
 * directory (each file itself temp + fsync + rename; `trainer_state.json` last), which is then
 * renamed into place. A crash at any point leaves earlier checkpoints untouched and at most a
 * `.tmp-step-*` directory, which {@link findLatestCheckpoint} ignores. Returns the final path.
 */
export async function writeCheckpoint(
  root: string,
  weights: ReadonlyArray<readonly [string, tf.Tensor]>,
  optimizer: OptimizerState,
  state: Omit<TrainerState, 'files'>,
): Promise<string> {
  await mkdir(root, { recursive: true });
  const finalDir = join(root, checkpointDirName(state.step));
  const temporary = temporarySibling(finalDir);
  await mkdir(temporary);
  try {
    const weightEntries: Record<string, TensorEntry> = {};
    for (const [name, t] of weights) weightEntries[name] = await toEntry(t);
    const optimizerEntries: Record<string, TensorEntry> = {};
    for (const [name, t] of Object.entries(optimizer.tensors)) optimizerEntries[name] = await toEntry(t);
    await writeSafetensorsFile(join(temporary, CHECKPOINT_FILES.weights), weightEntries, { format: 'pt' });
    await writeSafetensorsFile(join(temporary, CHECKPOINT_FILES.optimizer), optimizerEntries, {
      format: 'peftjs-optimizer',
      kind: optimizer.kind,
      scalars: JSON.stringify(optimizer.scalars),
    });
    const files: Record<string, number> = {};
    for (const f of [CHECKPOINT_FILES.weights, CHECKPOINT_FILES.optimizer])
      files[f] = (await stat(join(temporary, f))).size;
    await writeTextAtomic(join(temporary, CHECKPOINT_FILES.state), `${JSON.stringify({ ...state, files }, null, 1)}\n`);
    await replaceDirectory(temporary, finalDir);
  } catch (error) {
    await rm(temporary, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
  return finalDir;
}

/**
 * The newest complete checkpoint under `path`, or null. `path` may be a checkpoint directory itself
 * (returned if complete) or a root holding `step-NNNNNN` directories. Complete means: the three
 * files exist, `trainer_state.json` parses, names the same step and records the tensor files' sizes.
 */
export async function findLatestCheckpoint(path: string): Promise<string | null> {
  const dir = resolve(path);
  if (await exists(join(dir, CHECKPOINT_FILES.state))) return (await isComplete(dir)) ? dir : null;
  const steps = await listCheckpointDirs(dir);
  for (const { path: candidate } of steps.reverse()) if (await isComplete(candidate)) return candidate;
  return null;
}

/** Reads a complete checkpoint directory; throws a {@link CheckpointError} saying what is wrong otherwise. */
export async function readCheckpoint(dir: string): Promise<Checkpoint> {
  const state = await readState(dir);
  await checkFiles(dir, state);
  const weights = await readSafetensorsFile(join(dir, CHECKPOINT_FILES.weights));
  const optimizer = await readSafetensorsFile(join(dir, CHECKPOINT_FILES.optimizer));
  const kind = optimizer.metadata.kind;
  if (kind === undefined)
    throw new CheckpointError(
      `${join(dir, CHECKPOINT_FILES.optimizer)} has no "kind" in its metadata; it was not written by @peftjs/trainer`,
    );
  const scalars = JSON.parse(optimizer.metadata.scalars ?? '{}') as Record<string, number>;
  return { dir, state, weights: weights.tensors, optimizer: { kind, tensors: optimizer.tensors, scalars } };
}

/** Deletes all but the newest `keep` complete checkpoints under `root`, and stale temporary directories. */
export async function pruneCheckpoints(root: string, keep: number): Promise<void> {
  const all = await listCheckpointDirs(root);
  const complete: string[] = [];
  for (const c of all) if (await isComplete(c.path)) complete.push(c.path);
  for (const path of complete.slice(0, Math.max(0, complete.length - keep)))
    await rm(path, { recursive: true, force: true });
}

/** Removes `.tmp-step-*` / `.old-step-*` directories left by an interrupted writer. */
export async function removeStaleTemporaries(root: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return;
  }
  for (const name of names) if (TEMP_DIR.test(name)) await rm(join(root, name), { recursive: true, force: true });
}

async function listCheckpointDirs(root: string): Promise<{ step: number; path: string }[]> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return [];
  }
  const found: { step: number; path: string }[] = [];
  for (const name of names) {
    const m = STEP_DIR.exec(name);
    if (m !== null) found.push({ step: Number(m[1]), path: join(root, name) });
  }
  return found.sort((a, b) => a.step - b.step);
}

async function isComplete(dir: string): Promise<boolean> {
  try {
    await checkFiles(dir, await readState(dir));
    return true;
  } catch {
    return false;
  }
}

async function readState(dir: string): Promise<TrainerState> {
  const path = join(dir, CHECKPOINT_FILES.state);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new CheckpointError(
      `${dir} is not a complete checkpoint: ${CHECKPOINT_FILES.state} is missing; pass a step-NNNNNN directory or its parent`,
    );
  }
  let state: TrainerState;
  try {
    state = JSON.parse(text) as TrainerState;
  } catch (error) {
    throw new CheckpointError(
      `${path} is not valid JSON (${(error as Error).message}); the checkpoint is damaged, resume from an earlier one`,
    );
  }
  if (state.format !== 'peftjs-trainer-state' || state.version !== 1) {
    throw new CheckpointError(
      `${path} is not a peftjs trainer state (format ${String(state.format)}, version ${String(state.version)})`,
    );
  }
  const m = STEP_DIR.exec(dir.split(/[\\/]/).pop() ?? '');
  if (m !== null && Number(m[1]) !== state.step) {
    throw new CheckpointError(
      `${path} records step ${state.step} but its directory is for step ${Number(m[1])}; the checkpoint is damaged`,
    );
  }
  return state;
}

async function checkFiles(dir: string, state: TrainerState): Promise<void> {
  for (const [file, size] of Object.entries(state.files ?? {})) {
    const actual = await stat(join(dir, file)).then(
      (s) => s.size,
      () => -1,
    );
    if (actual !== size) {
      throw new CheckpointError(
        `${join(dir, file)} ${actual < 0 ? 'is missing' : `has ${actual} bytes but ${size} were written`}; the checkpoint is damaged, resume from an earlier one`,
      );
    }
  }
  for (const file of [CHECKPOINT_FILES.weights, CHECKPOINT_FILES.optimizer]) {
    if (!(file in (state.files ?? {})))
      throw new CheckpointError(
        `${join(dir, CHECKPOINT_FILES.state)} does not record ${file}; the checkpoint is damaged`,
      );
  }
}

async function replaceDirectory(from: string, to: string): Promise<void> {
  if (!(await exists(to))) {
    await rename(from, to);
    return;
  }
  const old = temporarySibling(to, '.old-');
  await rename(to, old);
  await rename(from, to);
  await rm(old, { recursive: true, force: true });
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function toEntry(t: tf.Tensor): Promise<TensorEntry> {
  if (t.dtype !== 'float32')
    throw new CheckpointError(
      `Only float32 tensors are checkpointed; got ${t.dtype} with shape [${t.shape.join(', ')}]`,
    );
  return { dtype: 'F32', shape: t.shape.slice(), data: new Float32Array(await t.data<'float32'>()) };
}
