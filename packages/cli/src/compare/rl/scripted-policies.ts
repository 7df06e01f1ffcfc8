import { Rng } from '@peftjs/core';
import {
  POINT_REACH_ACT_DIM,
  POINT_REACH_HORIZON,
  POINT_REACH_SPEED,
  POINT_REACH_STATE_DIM,
  POINT_REACH_SUCCESS_RADIUS,
  PointReachEpisode,
  type PointReachTask,
} from './point-reach';

/** A scripted controller: the action for the current state of an episode. */
export type ScriptedPolicy = (episode: PointReachEpisode, rng: Rng) => [number, number];

/**
 * The expert: knows the task's controls `M` and moves straight at the goal, `a = M^T (g - p) / SPEED`
 * scaled into `[-1, 1]^2` (so it lands on the goal once within one step of it), plus N(0, noise^2)
 * per component. With `noise` 0 it succeeds from any start within the horizon.
 */
export function expertPolicy(noise: number): ScriptedPolicy {
  return (episode, rng) => {
    const [x, y, gx, gy, m00, m01, m10, m11] = episode.state();
    // M is orthogonal, so M^{-1} = M^T
    const dx = (gx - x) / POINT_REACH_SPEED;
    const dy = (gy - y) / POINT_REACH_SPEED;
    return withNoise(intoBox(m00 * dx + m10 * dy, m01 * dx + m11 * dy), noise, rng);
  };
}

/** A sub-optimal controller that ignores the task and acts as if `M` were the identity. */
export function naivePolicy(noise: number): ScriptedPolicy {
  return (episode, rng) => {
    const [x, y, gx, gy] = episode.state();
    return withNoise(intoBox((gx - x) / POINT_REACH_SPEED, (gy - y) / POINT_REACH_SPEED), noise, rng);
  };
}

/** Uniform random actions in `[-1, 1]^2`. */
export const randomPolicy: ScriptedPolicy = (_episode, rng) => [2 * rng.uniform() - 1, 2 * rng.uniform() - 1];

function intoBox(ax: number, ay: number): [number, number] {
  const scale = Math.max(1, Math.abs(ax), Math.abs(ay));
  return [ax / scale, ay / scale];
}

function withNoise([ax, ay]: [number, number], noise: number, rng: Rng): [number, number] {
  if (noise === 0) return [ax, ay];
  const c = (v: number): number => Math.min(1, Math.max(-1, v));
  return [c(ax + noise * rng.normal()), c(ay + noise * rng.normal())];
}

/** One recorded episode: `H` timesteps of states, actions and returns-to-go. */
export interface Trajectory {
  readonly task: string;
  readonly policy: string;
  /** `[H * state_dim]` row-major: the state before each action. */
  readonly states: Float32Array;
  /** `[H * act_dim]`: the actions as clipped by the environment. */
  readonly actions: Float32Array;
  /** `[H]`: the return still to come from each timestep (all equal here: the reward comes at the end). */
  readonly returnsToGo: Float32Array;
  readonly return: number;
  readonly success: boolean;
}

/** Runs one episode of `policy` on `task` from the start of `seed`; the policy's noise comes from `Rng.derive(seed, "policy")`. */
export function recordEpisode(
  task: PointReachTask,
  policy: ScriptedPolicy,
  seed: string,
  policyName: string,
): Trajectory {
  const episode = new PointReachEpisode(task, seed);
  const rng = Rng.derive(seed, 'policy');
  const states = new Float32Array(POINT_REACH_HORIZON * POINT_REACH_STATE_DIM);
  const actions = new Float32Array(POINT_REACH_HORIZON * POINT_REACH_ACT_DIM);
  const rewards: number[] = [];
  for (let t = 0; t < POINT_REACH_HORIZON; t++) {
    states.set(episode.state(), t * POINT_REACH_STATE_DIM);
    const action = policy(episode, rng).map((v) => Math.min(1, Math.max(-1, v))) as [number, number];
    actions.set(action, t * POINT_REACH_ACT_DIM);
    rewards.push(episode.step(action));
  }
  const returnsToGo = new Float32Array(POINT_REACH_HORIZON);
  let toGo = 0;
  for (let t = POINT_REACH_HORIZON - 1; t >= 0; t--) {
    toGo += rewards[t] as number;
    returnsToGo[t] = toGo;
  }
  return {
    task: task.name,
    policy: policyName,
    states,
    actions,
    returnsToGo,
    return: toGo,
    success: episode.distance() < POINT_REACH_SUCCESS_RADIUS,
  };
}

/**
 * An offline data set: `episodesPerTask` episodes on each task, each from a policy drawn by
 * `Rng.derive(seed, "mixture/<task>/<i>")`: 40% a low-noise expert (noise uniform in [0, 0.3)),
 * 30% a high-noise expert ([0.3, 1)), 15% the naive controller (noise 0.1), 15% random actions.
 * Episode `i` of a task starts from seed `"<seed>/<task>/<i>"`. Deterministic given its arguments.
 */
export function offlineTrajectories(
  tasks: readonly PointReachTask[],
  episodesPerTask: number,
  seed: string,
): Trajectory[] {
  const out: Trajectory[] = [];
  for (const task of tasks) {
    for (let i = 0; i < episodesPerTask; i++) {
      const pick = Rng.derive(seed, `mixture/${task.name}/${i}`);
      const u = pick.uniform();
      const noise = pick.uniform();
      const [policy, name] =
        u < 0.4
          ? [expertPolicy(0.3 * noise), 'expert']
          : u < 0.7
            ? [expertPolicy(0.3 + 0.7 * noise), 'noisy expert']
            : u < 0.85
              ? [naivePolicy(0.1), 'naive']
              : [randomPolicy, 'random'];
      out.push(recordEpisode(task, policy, `${seed}/${task.name}/${i}`, name));
    }
  }
  return out;
}
