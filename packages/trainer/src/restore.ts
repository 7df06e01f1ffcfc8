import * as tf from '@tensorflow/tfjs-core';
import { assertFinite, shapesEqual } from '@peftjs/core';
import type { AnyModule, Rng, TensorEntry } from '@peftjs/core';
import type { Checkpoint } from './checkpoint';
import { CheckpointError } from './errors';
import { setModuleRngStates } from './module-rngs';
import type { NamedParameter, Optimizer } from './optimizer';

/**
 * Loads a checkpoint's weights into `parameters` (names and shapes must match exactly), its
 * optimizer state into `optimizer`, and its RNG states into `rng` and the model's modules.
 */
export function restoreCheckpoint(
  checkpoint: Checkpoint,
  model: AnyModule,
  parameters: readonly NamedParameter[],
  optimizer: Optimizer,
  rng: Rng,
): void {
  const { dir, weights, state } = checkpoint;
  const saved = Object.keys(weights);
  const wanted = parameters.map(([name]) => name);
  const missing = wanted.filter((n) => !(n in weights));
  const extra = saved.filter((n) => !wanted.includes(n));
  if (missing.length > 0 || extra.length > 0) {
    throw new CheckpointError(
      `${dir} does not hold the parameters being trained: ` +
        `${missing.length ? `missing ${missing.slice(0, 8).join(', ')}${missing.length > 8 ? ', ...' : ''}; ` : ''}` +
        `${extra.length ? `unexpected ${extra.slice(0, 8).join(', ')}${extra.length > 8 ? ', ...' : ''}; ` : ''}` +
        'resume with the same model, adapters and parameter list the checkpoint was written with',
    );
  }
  for (const [name, parameter] of parameters) {
    const entry = weights[name] as TensorEntry;
    if (!shapesEqual(entry.shape, parameter.shape)) {
      throw new CheckpointError(
        `${dir}: parameter "${name}" is [${entry.shape.join(', ')}] in the checkpoint but [${parameter.shape.join(', ')}] in the model`,
      );
    }
    if (!(entry.data instanceof BigInt64Array))
      assertFinite(
        entry.data,
        `${dir}: parameter "${name}"`,
        'the run had diverged when this checkpoint was written; resume from an earlier one',
      );
  }
  if (checkpoint.optimizer.kind !== optimizer.kind) {
    throw new CheckpointError(
      `${dir} holds "${checkpoint.optimizer.kind}" optimizer state but the optimizer is "${optimizer.kind}"; resume with the same optimizer`,
    );
  }
  setModuleRngStates(model, state.moduleRngs);
  rng.setState(state.rng);
  for (const [name, parameter] of parameters) {
    const t = toTensor(weights[name] as TensorEntry);
    parameter.assign(t);
    t.dispose();
  }
  const tensors: Record<string, tf.Tensor> = {};
  for (const [key, entry] of Object.entries(checkpoint.optimizer.tensors)) tensors[key] = toTensor(entry);
  try {
    optimizer.setState({ kind: checkpoint.optimizer.kind, tensors, scalars: checkpoint.optimizer.scalars });
  } finally {
    for (const t of Object.values(tensors)) t.dispose();
  }
}

function toTensor(entry: TensorEntry): tf.Tensor {
  if (!(entry.data instanceof Float32Array))
    throw new CheckpointError(`Expected F32 tensors in the checkpoint, got ${entry.dtype}`);
  return tf.tensor(entry.data, entry.shape, 'float32');
}
