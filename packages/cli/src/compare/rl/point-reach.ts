import { Rng } from '@peftjs/core';

/**
 * PointReach, a family of 2-D goal-reaching tasks (a small offline stand-in for Meta-World's
 * related manipulation tasks). A point starts in the square `[-1, 1]^2` and must end an episode of
 * {@link POINT_REACH_HORIZON} steps near a goal; both are drawn per episode from its seed. Tasks
 * differ by their controls: an action `a` in `[-1, 1]^2` moves the point by `SPEED * M a` (clipped
 * to the square), where the task's `M` is a rotation or a reflection. As in Meta-World, the task is
 * visible in the observation: the state is `[x, y, goal_x, goal_y, M00, M01, M10, M11]`.
 *
 * The reward is 0 until the last step, which pays minus the final distance to the goal, so an
 * episode's return is `-|p_H - g|` (at most 0) and its return-to-go is the same at every step.
 * Success: ending within {@link POINT_REACH_SUCCESS_RADIUS} of the goal.
 */
export interface PointReachTask {
  readonly name: string;
  /** Row-major 2x2 control matrix `M` (orthogonal: a rotation or a reflection). */
  readonly controls: readonly [number, number, number, number];
}

/** `[x, y, goal_x, goal_y, M00, M01, M10, M11]`. */
export type PointReachState = [
  x: number,
  y: number,
  goalX: number,
  goalY: number,
  m00: number,
  m01: number,
  m10: number,
  m11: number,
];

export const POINT_REACH_HORIZON = 30;
export const POINT_REACH_SPEED = 0.1;
export const POINT_REACH_SUCCESS_RADIUS = 0.1;
export const POINT_REACH_STATE_DIM = 8;
export const POINT_REACH_ACT_DIM = 2;

function rotation(degrees: number): PointReachTask {
  const t = (degrees * Math.PI) / 180;
  const round = (v: number): number => Math.round(v * 1e12) / 1e12;
  return {
    name: `rotate${degrees}`,
    controls: [round(Math.cos(t)), round(-Math.sin(t)), round(Math.sin(t)), round(Math.cos(t))],
  };
}

/** The tasks the bundled Decision Transformer is pretrained on: controls rotated by -90° to +90°. */
export const PRETRAINING_TASKS: readonly PointReachTask[] = [-90, -60, -30, 0, 30, 60, 90].map(rotation);

/** Held-out tasks, never seen in pretraining: the controls mirrored in x, in y, or rotated by 180°. */
export const HELD_OUT_TASKS: readonly PointReachTask[] = [
  { name: 'mirrorX', controls: [-1, 0, 0, 1] },
  { name: 'mirrorY', controls: [1, 0, 0, -1] },
  rotation(180),
];

/** One episode's start and goal, drawn from `Rng.derive(seed, "point-reach/start")`: each coordinate uniform in [-0.8, 0.8]. */
export function episodeStart(seed: number | string): { position: [number, number]; goal: [number, number] } {
  const rng = Rng.derive(seed, 'point-reach/start');
  const draw = (): number => -0.8 + 1.6 * rng.uniform();
  return { position: [draw(), draw()], goal: [draw(), draw()] };
}

/** A running episode; `step` moves it on (deterministic: all randomness is in the start and the policy). */
export class PointReachEpisode {
  readonly goal: readonly [number, number];
  private x: number;
  private y: number;
  private t = 0;

  constructor(
    readonly task: PointReachTask,
    seed: number | string,
  ) {
    const start = episodeStart(seed);
    [this.x, this.y] = start.position;
    this.goal = start.goal;
  }

  /** `[x, y, goal_x, goal_y, M00, M01, M10, M11]`. */
  state(): PointReachState {
    return [this.x, this.y, this.goal[0], this.goal[1], ...this.task.controls];
  }

  get timestep(): number {
    return this.t;
  }

  get done(): boolean {
    return this.t >= POINT_REACH_HORIZON;
  }

  distance(): number {
    return Math.hypot(this.x - this.goal[0], this.y - this.goal[1]);
  }

  /**
   * Applies an action (each component clipped to [-1, 1]) and returns the reward: minus the
   * distance to the goal after the last step, 0 before it.
   * @throws {RangeError} after the episode's last step, or for a non-finite action.
   */
  step(action: readonly [number, number]): number {
    if (this.done) throw new RangeError(`PointReach: the episode ended after ${POINT_REACH_HORIZON} steps`);
    if (!action.every(Number.isFinite))
      throw new RangeError(`PointReach: the action must be two finite numbers, got [${action.join(', ')}]`);
    const [ax, ay] = action.map((v) => Math.min(1, Math.max(-1, v))) as [number, number];
    const [m00, m01, m10, m11] = this.task.controls;
    this.x = clip(this.x + POINT_REACH_SPEED * (m00 * ax + m01 * ay));
    this.y = clip(this.y + POINT_REACH_SPEED * (m10 * ax + m11 * ay));
    this.t++;
    return this.done ? -this.distance() : 0;
  }
}

function clip(v: number): number {
  return Math.min(1, Math.max(-1, v));
}
