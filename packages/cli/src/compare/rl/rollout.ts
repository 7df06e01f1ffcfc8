import { disposeBatch } from '@peftjs/core';
import { decisionTransformerBatch, type DecisionTransformerModel } from '@peftjs/models';
import {
  POINT_REACH_ACT_DIM,
  POINT_REACH_HORIZON,
  POINT_REACH_STATE_DIM,
  POINT_REACH_SUCCESS_RADIUS,
  PointReachEpisode,
  type PointReachTask,
} from './point-reach';
import type { ScriptedPolicy } from './scripted-policies';
import { Rng } from '@peftjs/core';

/** What a set of evaluation episodes scored. */
export interface RolloutScore {
  /** Mean episode return (minus the final distance to the goal; at most 0). */
  readonly meanReturn: number;
  /** Fraction of episodes ending within the success radius. */
  readonly successRate: number;
  readonly episodes: number;
}

export interface RolloutOptions {
  /** Timesteps of history the model sees (its training window `K`). */
  readonly contextLength: number;
  /** The return-to-go the model is conditioned on at the first step (0: end exactly at the goal). */
  readonly targetReturn: number;
  /** Episode `i` of task `T` starts from seed `"<seed>/<T>/<i>"`. */
  readonly seed: string;
}

/** The evaluation episodes: `episodesPerTask` per task, in task order. */
function evaluationEpisodes(
  tasks: readonly PointReachTask[],
  episodesPerTask: number,
  seed: string,
): PointReachEpisode[] {
  return tasks.flatMap((task) =>
    Array.from({ length: episodesPerTask }, (_, i) => new PointReachEpisode(task, `${seed}/${task.name}/${i}`)),
  );
}

function score(episodes: readonly PointReachEpisode[], returns: readonly number[]): RolloutScore {
  return {
    meanReturn: returns.reduce((a, b) => a + b, 0) / returns.length,
    successRate: episodes.filter((e) => e.distance() < POINT_REACH_SUCCESS_RADIUS).length / episodes.length,
    episodes: episodes.length,
  };
}

/**
 * Rolls a Decision Transformer out on `episodesPerTask` seeded episodes of each task, all episodes
 * batched in lockstep: at step `t` the model sees the last `min(t + 1, K)` timesteps (return-to-go,
 * state, the actions taken, a zero placeholder for the action to choose, which causality hides
 * from its prediction) and the predicted action at the last state token is taken. The return-to-go
 * starts at `targetReturn` and drops by each reward (Chen et al. 2021, Algorithm 1). The model runs
 * in eval mode (its mode is restored). Deterministic; leaves no tensors behind.
 */
export function rolloutDecisionTransformer(
  model: DecisionTransformerModel,
  tasks: readonly PointReachTask[],
  episodesPerTask: number,
  options: RolloutOptions,
): RolloutScore {
  const episodes = evaluationEpisodes(tasks, episodesPerTask, options.seed);
  const n = episodes.length;
  const k = options.contextLength;
  const states: number[][][] = episodes.map(() => []);
  const actions: number[][][] = episodes.map(() => []);
  const toGo: number[][] = episodes.map(() => []);
  const returns = new Array<number>(n).fill(0);
  const wasTraining = model.training;
  model.eval();
  try {
    for (let t = 0; t < POINT_REACH_HORIZON; t++) {
      const length = Math.min(t + 1, k);
      const start = t + 1 - length;
      const windowStates = new Float32Array(n * length * POINT_REACH_STATE_DIM);
      const windowActions = new Float32Array(n * length * POINT_REACH_ACT_DIM);
      const windowToGo = new Float32Array(n * length);
      const timesteps = new Int32Array(n * length);
      episodes.forEach((episode, e) => {
        (states[e] as number[][]).push(episode.state());
        (toGo[e] as number[]).push(options.targetReturn - (returns[e] as number));
        for (let j = 0; j < length; j++) {
          const step = start + j;
          const row = e * length + j;
          windowStates.set((states[e] as number[][])[step] as number[], row * POINT_REACH_STATE_DIM);
          if (step < t) windowActions.set((actions[e] as number[][])[step] as number[], row * POINT_REACH_ACT_DIM);
          windowToGo[row] = (toGo[e] as number[])[step] as number;
          timesteps[row] = step;
        }
      });
      const batch = decisionTransformerBatch(
        { batchSize: n, length, states: windowStates, actions: windowActions, returnsToGo: windowToGo, timesteps },
        { stateDim: POINT_REACH_STATE_DIM, actDim: POINT_REACH_ACT_DIM },
      );
      let predicted: Float32Array;
      try {
        const out = model.call(batch); // [n, length, act_dim]
        predicted = out.dataSync() as Float32Array;
        out.dispose();
      } finally {
        disposeBatch(batch);
      }
      episodes.forEach((episode, e) => {
        const at = (e * length + length - 1) * POINT_REACH_ACT_DIM;
        const action = [predicted[at] as number, predicted[at + 1] as number] as [number, number];
        (actions[e] as number[][]).push(action);
        returns[e] = (returns[e] as number) + episode.step(action);
      });
    }
  } finally {
    model.train(wasTraining);
  }
  return score(episodes, returns);
}

/** The same evaluation episodes played by a scripted policy (noise from `Rng.derive(<episode seed>, "policy")`): reference scores. */
export function rolloutScripted(
  policy: ScriptedPolicy,
  tasks: readonly PointReachTask[],
  episodesPerTask: number,
  seed: string,
): RolloutScore {
  const episodes = evaluationEpisodes(tasks, episodesPerTask, seed);
  const returns = episodes.map((episode, e) => {
    const task = tasks[Math.floor(e / episodesPerTask)] as PointReachTask;
    const rng = Rng.derive(`${seed}/${task.name}/${e % episodesPerTask}`, 'policy');
    let total = 0;
    while (!episode.done) total += episode.step(policy(episode, rng));
    return total;
  });
  return score(episodes, returns);
}
