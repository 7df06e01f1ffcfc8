/**
 * Pretrains the bundled `decision-transformer-point-reach` checkpoint: a small Decision Transformer
 * (Chen et al. 2021) trained offline on scripted trajectories of the PointReach pretraining tasks
 * (controls rotated by -90° .. +90°), then saved with `savePretrained` with its model card, which
 * records its rollout score on the pretraining tasks and on the held-out ones `peftjs compare
 * --task rl` fine-tunes on.
 *
 *   npx tsx --conditions=@peftjs/source tools/models/pretrain-decision-transformer.ts [--steps 3000]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setBackend } from '@peftjs/core';
import { DecisionTransformerModel, decisionTransformerConfig } from '@peftjs/models';
import { loadPretrained, savePretrained } from '@peftjs/models/node';
import { AdamW, cosineScheduleWithWarmup, train } from '@peftjs/trainer';
import {
  HELD_OUT_TASKS,
  POINT_REACH_ACT_DIM,
  POINT_REACH_HORIZON,
  POINT_REACH_STATE_DIM,
  PRETRAINING_TASKS,
  type PointReachTask,
} from '../../packages/cli/src/compare/rl/point-reach';
import { POINT_REACH_SETUP } from '../../packages/cli/src/compare/rl/point-reach-setup';
import {
  rolloutDecisionTransformer,
  rolloutScripted,
  type RolloutScore,
} from '../../packages/cli/src/compare/rl/rollout';
import {
  expertPolicy,
  naivePolicy,
  offlineTrajectories,
  randomPolicy,
} from '../../packages/cli/src/compare/rl/scripted-policies';
import { trajectoryWindows } from '../../packages/cli/src/compare/rl/trajectory-batches';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const STEPS = flag('steps', 1500);
const EPISODES_PER_TASK = flag('episodes', 300);
const BATCH = 64;
const LR = flag('lr', 2e-3);
const SEED = 11;
const EVAL_EPISODES = 32;
/** Fewer episodes for the curve during training (rollouts are a good part of the run's time). */
const CURVE_EPISODES = 12;
const K = POINT_REACH_SETUP.contextLength;
const root = path.resolve(import.meta.dirname, '../..');
const outDir = path.join(root, 'packages/models/checkpoints/decision-transformer-point-reach');

const backend = await setBackend('wasm');
const config = decisionTransformerConfig({
  stateDim: POINT_REACH_STATE_DIM,
  actDim: POINT_REACH_ACT_DIM,
  hiddenSize: 64,
  maxEpLen: POINT_REACH_HORIZON,
  nPositions: 1,
  nLayer: 2,
  nHead: 2,
  activationFunction: 'relu',
  // no dropout: 40% of a step on the wasm backend (its masks are drawn in JS), and the data is plentiful
  residPdrop: 0,
  embdPdrop: 0,
  attnPdrop: 0,
});
const model = new DecisionTransformerModel(config, { seed: SEED });
const data = offlineTrajectories(PRETRAINING_TASKS, EPISODES_PER_TASK, POINT_REACH_SETUP.pretrainingDataSeed);
const source = trajectoryWindows(data, { contextLength: K, batchSize: BATCH });
console.log(
  JSON.stringify({
    backend: backend.name,
    parameters: model.parameterCount(),
    trajectories: data.length,
    steps: STEPS,
  }),
);

const evaluate = (
  m: DecisionTransformerModel,
  tasks: readonly PointReachTask[],
  episodes = EVAL_EPISODES,
): RolloutScore =>
  rolloutDecisionTransformer(m, tasks, episodes, {
    contextLength: K,
    targetReturn: POINT_REACH_SETUP.targetReturn,
    seed: POINT_REACH_SETUP.evaluationSeed,
  });
const curve: { step: number; seconds: number; loss: number; pretraining: RolloutScore; heldOut: RolloutScore }[] = [];
const started = performance.now();
let ema = Number.NaN;
await train({
  model,
  data: source,
  optimizer: new AdamW({ learningRate: LR, weightDecay: 1e-4 }),
  schedule: cosineScheduleWithWarmup({ warmupSteps: 100, totalSteps: STEPS }),
  maxSteps: STEPS,
  maxGradNorm: 0.25,
  seed: SEED,
  callbacks: {
    onStep: (info) => {
      ema = Number.isNaN(ema) ? info.loss : 0.98 * ema + 0.02 * info.loss;
      if (info.step % 250 === 0 || info.step === STEPS) {
        const point = {
          step: info.step,
          seconds: Math.round((performance.now() - started) / 100) / 10,
          loss: Number(ema.toFixed(4)),
          pretraining: evaluate(model, PRETRAINING_TASKS, CURVE_EPISODES),
          heldOut: evaluate(model, HELD_OUT_TASKS, CURVE_EPISODES),
        };
        curve.push(point);
        console.log(JSON.stringify(point));
      }
    },
  },
});
const seconds = Math.round((performance.now() - started) / 1000);
await savePretrained(model, outDir);
const saved = await loadPretrained(outDir, { as: DecisionTransformerModel });
const scores = {
  pretraining: evaluate(saved, PRETRAINING_TASKS),
  heldOut: evaluate(saved, HELD_OUT_TASKS),
  heldOutByTask: Object.fromEntries(HELD_OUT_TASKS.map((t) => [t.name, evaluate(saved, [t])])),
};
const scripted = (tasks: readonly PointReachTask[]) => ({
  expert: rolloutScripted(expertPolicy(0), tasks, EVAL_EPISODES, POINT_REACH_SETUP.evaluationSeed),
  naive: rolloutScripted(naivePolicy(0.1), tasks, EVAL_EPISODES, POINT_REACH_SETUP.evaluationSeed),
  random: rolloutScripted(randomPolicy, tasks, EVAL_EPISODES, POINT_REACH_SETUP.evaluationSeed),
});
const references = { pretraining: scripted(PRETRAINING_TASKS), heldOut: scripted(HELD_OUT_TASKS) };
console.log(JSON.stringify({ seconds, scores, references }));
fs.writeFileSync(path.join(outDir, 'README.md'), card(seconds));

function card(secs: number): string {
  const row = (label: string, s: RolloutScore): string =>
    `| ${label} | ${s.meanReturn.toFixed(3)} | ${(100 * s.successRate).toFixed(1)}% |`;
  return `# decision-transformer-point-reach

A small Decision Transformer (Chen et al. 2021) pretrained offline on scripted trajectories of the
PointReach pretraining tasks, bundled with \`@peftjs/models\` as the base model of
\`peftjs compare --task rl\`. Load it with
\`loadPretrained(bundledCheckpoint('decision-transformer-point-reach'))\`.

| | |
|---|---|
| architecture | \`DecisionTransformerModel\` (Hugging Face layout and names: \`embed_timestep\`, \`embed_return\`, \`embed_state\`, \`embed_action\`, \`embed_ln\`, GPT-2 trunk \`encoder.h.N\` with Conv1D weights \`[in, out]\` on disk, \`predict_action.0\` + tanh), float32 |
| size | ${model.parameterCount().toLocaleString('en-US')} parameters: ${config.nLayer} layers, width ${config.hiddenSize}, ${config.nHead} heads, ReLU MLP, no dropout; state ${POINT_REACH_STATE_DIM}, action ${POINT_REACH_ACT_DIM}, episodes of ${POINT_REACH_HORIZON} steps, context ${K} timesteps (${3 * K} tokens) |
| environment | PointReach (\`packages/cli/src/compare/rl/point-reach.ts\`): move a point in [-1, 1]² to a goal in ${POINT_REACH_HORIZON} steps; an action a moves it by 0.1·M·a, M the task's control matrix; state [x, y, goal_x, goal_y, M00, M01, M10, M11]; return = minus the final distance to the goal; success = ending within 0.1 of it |
| pretraining tasks | M = rotation by ${PRETRAINING_TASKS.map((t) => t.name.replace('rotate', '')).join(', ')} degrees |
| held-out tasks | ${HELD_OUT_TASKS.map((t) => t.name).join(', ')} (never seen in pretraining) |
| data | ${EPISODES_PER_TASK} episodes per pretraining task (\`offlineTrajectories(PRETRAINING_TASKS, ${EPISODES_PER_TASK}, '${POINT_REACH_SETUP.pretrainingDataSeed}')\`): 40% low-noise expert, 30% high-noise expert, 15% naive controller (ignores M), 15% random |
| training | ${STEPS} steps of ${BATCH} windows of ${K} timesteps, MSE on actions, AdamW lr ${LR} (weight decay 1e-4, 100 warmup steps, cosine), gradient clipping at 0.25, seed ${SEED}; ${secs} s on the tfjs ${backend.name} backend (2 shared CPU cores) |
| produced by | \`npx tsx --conditions=@peftjs/source tools/models/pretrain-decision-transformer.ts${STEPS === 1500 ? '' : ` --steps ${STEPS}`}\` |

## Rollouts (saved weights)

${EVAL_EPISODES} seeded episodes per task (seed \`${POINT_REACH_SETUP.evaluationSeed}\`), conditioned on a target return of ${POINT_REACH_SETUP.targetReturn}, next to scripted policies on the same episodes.

| policy | pretraining tasks: mean return | success | held-out tasks: mean return | success |
|---|---|---|---|---|
${[
  ['**this model**', scores.pretraining, scores.heldOut],
  ['expert (knows M, no noise)', references.pretraining.expert, references.heldOut.expert],
  ['naive (ignores M, noise 0.1)', references.pretraining.naive, references.heldOut.naive],
  ['random', references.pretraining.random, references.heldOut.random],
]
  .map(
    ([label, a, b]) =>
      `| ${label as string} | ${(a as RolloutScore).meanReturn.toFixed(3)} | ${(100 * (a as RolloutScore).successRate).toFixed(1)}% | ${(b as RolloutScore).meanReturn.toFixed(3)} | ${(100 * (b as RolloutScore).successRate).toFixed(1)}% |`,
  )
  .join('\n')}

By held-out task (this model):

| task | mean return | success |
|---|---|---|
${Object.entries(scores.heldOutByTask)
  .map(([name, s]) => row(name, s))
  .join('\n')}

## Training curve (rollouts of ${CURVE_EPISODES} episodes per task)

| step | seconds | train loss (EMA) | pretraining return | success | held-out return | success |
|---|---|---|---|---|---|---|
${curve
  .map(
    (p) =>
      `| ${p.step} | ${p.seconds} | ${p.loss} | ${p.pretraining.meanReturn.toFixed(3)} | ${(100 * p.pretraining.successRate).toFixed(1)}% | ${p.heldOut.meanReturn.toFixed(3)} | ${(100 * p.heldOut.successRate).toFixed(1)}% |`,
  )
  .join('\n')}
`;
}
