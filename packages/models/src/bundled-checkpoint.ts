import { fileURLToPath } from 'node:url';

/** The checkpoints shipped inside this package (see each directory's README.md model card). */
export const BUNDLED_CHECKPOINTS = ['gpt2-sotu-byte', 'mlp-mnist', 'decision-transformer-point-reach'] as const;
/** One of {@link BUNDLED_CHECKPOINTS}. */
export type BundledCheckpointName = (typeof BUNDLED_CHECKPOINTS)[number];

/**
 * The directory of a checkpoint bundled with `@peftjs/models`, for `loadPretrained`:
 * `gpt2-sotu-byte` (byte-level GPT-2 pretrained on State of the Union addresses) or
 * `mlp-mnist` (784-128-10 MLP trained on MNIST) or `decision-transformer-point-reach` (a Decision
 * Transformer pretrained offline on scripted PointReach trajectories). Node only.
 */
export function bundledCheckpoint(name: BundledCheckpointName): string {
  if (!(BUNDLED_CHECKPOINTS as readonly string[]).includes(name)) {
    throw new RangeError(`No bundled checkpoint "${String(name)}"; bundled: ${BUNDLED_CHECKPOINTS.join(', ')}`);
  }
  // src/ and dist/ are both one level below the package root, where checkpoints/ lives.
  return fileURLToPath(new URL(`../checkpoints/${name}`, import.meta.url));
}
