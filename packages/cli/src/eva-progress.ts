import type { EvaPhaseTimes, EvaProgress } from '@peftjs/eva';

/** `forward 1.20 s, PCA 0.41 s, allocation 0.00 s`: where EVA's time went so far. */
export function formatEvaPhases(phases: EvaPhaseTimes): string {
  return `forward ${phases.forwardSeconds.toFixed(2)} s, PCA ${phases.pcaSeconds.toFixed(2)} s, allocation ${phases.allocationSeconds.toFixed(2)} s`;
}

/** One progress line per EVA step, as printed on stderr by `eva init`, `train --init eva` and the demos. */
export function evaProgressLine(progress: EvaProgress): string {
  return `EVA step ${progress.step}: ${progress.convergedLayers}/${progress.totalLayers} layers converged (${formatEvaPhases(progress.phases)})\n`;
}
