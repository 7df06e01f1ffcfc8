import { decisionTransformerBatch, type DecisionTransformerBatch } from '@peftjs/models';
import { indexedDataSource, type DataSource } from '@peftjs/trainer';
import { POINT_REACH_ACT_DIM, POINT_REACH_HORIZON, POINT_REACH_STATE_DIM } from './point-reach';
import type { Trajectory } from './scripted-policies';

/**
 * Every window of `contextLength` consecutive timesteps of every trajectory (starts `0 .. H - K`),
 * as a trainer data source of {@link DecisionTransformerBatch}es: each epoch a seeded permutation of
 * the windows (in order with `shuffle: false`) cut into batches of `batchSize` (last partial batch
 * dropped). A window starting at 0
 * holds, by causality, the short contexts a rollout sees in its first `K` steps.
 */
export function trajectoryWindows(
  trajectories: readonly Trajectory[],
  options: { readonly contextLength: number; readonly batchSize: number; readonly shuffle?: boolean },
): DataSource<DecisionTransformerBatch> {
  const k = options.contextLength;
  if (!(Number.isInteger(k) && k >= 1 && k <= POINT_REACH_HORIZON))
    throw new RangeError(
      `trajectoryWindows: contextLength must be an integer in [1, ${POINT_REACH_HORIZON}], got ${k}`,
    );
  const perTrajectory = POINT_REACH_HORIZON - k + 1;
  return indexedDataSource({
    size: trajectories.length * perTrajectory,
    batchSize: options.batchSize,
    shuffle: options.shuffle ?? true,
    makeBatch: (indices) => windowBatch(trajectories, indices, k),
  });
}

function windowBatch(
  trajectories: readonly Trajectory[],
  indices: readonly number[],
  k: number,
): DecisionTransformerBatch {
  const b = indices.length;
  const perTrajectory = POINT_REACH_HORIZON - k + 1;
  const states = new Float32Array(b * k * POINT_REACH_STATE_DIM);
  const actions = new Float32Array(b * k * POINT_REACH_ACT_DIM);
  const returnsToGo = new Float32Array(b * k);
  const timesteps = new Int32Array(b * k);
  indices.forEach((index, row) => {
    const trajectory = trajectories[Math.floor(index / perTrajectory)] as Trajectory;
    const start = index % perTrajectory;
    states.set(
      trajectory.states.subarray(start * POINT_REACH_STATE_DIM, (start + k) * POINT_REACH_STATE_DIM),
      row * k * POINT_REACH_STATE_DIM,
    );
    actions.set(
      trajectory.actions.subarray(start * POINT_REACH_ACT_DIM, (start + k) * POINT_REACH_ACT_DIM),
      row * k * POINT_REACH_ACT_DIM,
    );
    returnsToGo.set(trajectory.returnsToGo.subarray(start, start + k), row * k);
    for (let t = 0; t < k; t++) timesteps[row * k + t] = start + t;
  });
  return decisionTransformerBatch(
    { batchSize: b, length: k, states, actions, returnsToGo, timesteps },
    { stateDim: POINT_REACH_STATE_DIM, actDim: POINT_REACH_ACT_DIM },
  );
}
