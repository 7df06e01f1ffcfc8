/**
 * The settings shared by the pretraining of the bundled `decision-transformer-point-reach`
 * checkpoint (tools/models/pretrain-decision-transformer.ts) and `peftjs compare --task rl`.
 */
export const POINT_REACH_SETUP = Object.freeze({
  /** Timesteps of history in a training window and in a rollout (K in Chen et al. 2021). */
  contextLength: 10,
  /** The return-to-go a rollout starts from: end exactly at the goal. */
  targetReturn: 0,
  /** Seed of the pretraining data (pretraining tasks). */
  pretrainingDataSeed: 'point-reach/pretraining',
  /** Seed of the fine-tuning data (held-out tasks). */
  fineTuningDataSeed: 'point-reach/fine-tuning',
  /** Seed of the evaluation episodes (fixed across methods, seeds and evaluations). */
  evaluationSeed: 'point-reach/evaluation',
});
