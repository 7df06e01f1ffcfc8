import { describe, expect, it } from 'vitest';
import {
  episodeStart,
  HELD_OUT_TASKS,
  POINT_REACH_HORIZON,
  POINT_REACH_STATE_DIM,
  PointReachEpisode,
  PRETRAINING_TASKS,
  type PointReachTask,
} from './point-reach';
import { expertPolicy, naivePolicy, offlineTrajectories, randomPolicy, recordEpisode } from './scripted-policies';
import { rolloutScripted } from './rollout';

const task = (name: string): PointReachTask => {
  const found = [...PRETRAINING_TASKS, ...HELD_OUT_TASKS].find((t) => t.name === name);
  if (found === undefined) throw new Error(`no task ${name}`);
  return found;
};

describe('PointReach', () => {
  it('draws the same start and goal for the same seed, and different ones for another', () => {
    expect(episodeStart('s/1')).toEqual(episodeStart('s/1'));
    expect(episodeStart('s/1')).not.toEqual(episodeStart('s/2'));
    const { position, goal } = episodeStart(7);
    for (const v of [...position, ...goal]) expect(Math.abs(v)).toBeLessThanOrEqual(0.8);
  });

  it('moves by 0.1 M a, clipping actions to [-1, 1] and positions to the square', () => {
    const episode = new PointReachEpisode(task('rotate90'), 'hand');
    const [x, y, gx, gy] = episode.state();
    // rotated by +90°: a = (1, 0) moves the point up by 0.1; a = (0, 2) is clipped to (0, 1) and moves it left
    expect(episode.step([1, 0])).toBe(0);
    expect(episode.state()[0]).toBeCloseTo(x, 12);
    expect(episode.state()[1]).toBeCloseTo(y + 0.1, 12);
    episode.step([0, 2]);
    expect(episode.state()[0]).toBeCloseTo(x - 0.1, 12);
    // the goal and the task's controls are part of the state
    expect(episode.state().slice(2)).toEqual([gx, gy, ...task('rotate90').controls]);
    expect(task('rotate90').controls).toEqual([0, -1, 1, 0]);
    const mirrored = new PointReachEpisode(task('mirrorX'), 'hand');
    const [mx, my] = mirrored.state();
    mirrored.step([0.5, 0.5]);
    expect(mirrored.state()[0]).toBeCloseTo(mx - 0.05, 12);
    expect(mirrored.state()[1]).toBeCloseTo(my + 0.05, 12);
    // the square's edge stops the point
    const edge = new PointReachEpisode(task('rotate0'), 'hand');
    for (let t = 0; t < 25; t++) edge.step([1, 1]);
    expect(edge.state().slice(0, 2)).toEqual([1, 1]);
  });

  it('pays minus the final distance at the last step only, and ends after the horizon', () => {
    const episode = new PointReachEpisode(task('rotate0'), 'reward');
    const rewards: number[] = [];
    while (!episode.done) rewards.push(episode.step([0, 0]));
    expect(rewards).toHaveLength(POINT_REACH_HORIZON);
    expect(rewards.slice(0, -1).every((r) => r === 0)).toBe(true);
    const { position, goal } = episodeStart('reward');
    expect(rewards.at(-1)).toBeCloseTo(-Math.hypot(position[0] - goal[0], position[1] - goal[1]), 12);
    expect(() => episode.step([0, 0])).toThrow('PointReach: the episode ended after 30 steps');
    expect(() => new PointReachEpisode(task('rotate0'), 'x').step([Number.NaN, 0])).toThrow(
      'the action must be two finite numbers',
    );
  });

  it('the noise-free expert ends on the goal on every task; the naive controller only where M is near the identity', () => {
    for (const t of [...PRETRAINING_TASKS, ...HELD_OUT_TASKS]) {
      const expert = rolloutScripted(expertPolicy(0), [t], 20, 'check');
      expect(expert.successRate).toBe(1);
      expect(expert.meanReturn).toBeGreaterThan(-1e-9);
    }
    expect(rolloutScripted(naivePolicy(0), [task('rotate0')], 20, 'check').successRate).toBe(1);
    expect(rolloutScripted(naivePolicy(0), [task('rotate180')], 20, 'check').successRate).toBe(0);
    expect(rolloutScripted(randomPolicy, HELD_OUT_TASKS, 20, 'check').meanReturn).toBeLessThan(-0.3);
  });

  it('records deterministic trajectories whose returns-to-go equal the return at every step', () => {
    const a = recordEpisode(task('mirrorY'), expertPolicy(0.5), 'traj', 'noisy');
    const b = recordEpisode(task('mirrorY'), expertPolicy(0.5), 'traj', 'noisy');
    expect(a).toEqual(b);
    expect(a.states).toHaveLength(POINT_REACH_HORIZON * POINT_REACH_STATE_DIM);
    expect(a.actions.every((v) => Math.abs(v) <= 1)).toBe(true);
    expect([...a.returnsToGo].every((g) => Math.abs(g - a.return) < 1e-6)).toBe(true);
    // replaying the recorded actions reproduces the states and the return
    const replay = new PointReachEpisode(task('mirrorY'), 'traj');
    let total = 0;
    for (let t = 0; t < POINT_REACH_HORIZON; t++) {
      for (const [j, v] of replay.state().entries()) expect(a.states[t * POINT_REACH_STATE_DIM + j]).toBeCloseTo(v, 5);
      total += replay.step([a.actions[2 * t] as number, a.actions[2 * t + 1] as number]);
    }
    expect(total).toBeCloseTo(a.return, 5);
  });

  it('offline data: the same mixture for the same seed, experts far better than random', () => {
    const data = offlineTrajectories(HELD_OUT_TASKS, 40, 'mix');
    expect(offlineTrajectories(HELD_OUT_TASKS, 40, 'mix')).toEqual(data);
    expect(data).toHaveLength(120);
    const mean = (policy: string): number => {
      const r = data.filter((t) => t.policy === policy).map((t) => t.return);
      return r.reduce((s, v) => s + v, 0) / r.length;
    };
    expect(new Set(data.map((t) => t.policy))).toEqual(new Set(['expert', 'noisy expert', 'naive', 'random']));
    expect(mean('expert')).toBeGreaterThan(mean('random') + 0.5);
  });
});
