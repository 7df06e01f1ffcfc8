import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { integerOption, MODEL_TEXT_OPTIONS, numberOption, parseCommandArgs, readModelTextOptions } from './args';
import type { CliIo } from './cli-error';
import { BACKEND_HELP, BACKEND_OPTIONS, selectBackend } from './backend-options';
import { evaProgressLine, formatEvaPhases } from './eva-progress';
import { DATA_HELP, DATA_OPTIONS, loadTrainingData, readTrainingInput } from './data-options';
import { loadCausalLm, readTextFile, textBatches } from './inputs';
import { loraTargetsFor } from './lora-targets';
import { computeEvaState, parseEvaConfig, evaRanks } from '@peftjs/eva';
import { saveEvaState } from '@peftjs/eva/node';

export const EVA_INIT_HELP = `Usage: peftjs eva init --model DIR (--text FILE | --data FILE) --out DIR [options]

Computes the EVA state of a Hugging Face checkpoint on a UTF-8 text file (or fine-tuning data,
whose prompt tokens EVA skips through the label mask) and writes
  DIR/eva_state.safetensors  one [rank, in] tensor per adapted layer, keyed by module path
                             (PEFT's get_eva_state_dict layout)
  DIR/summary.json           ranks by module path, steps, forwardPasses, seconds, and phases:
                             seconds in forward passes, PCA updates and rank allocation

Options:
  --model DIR        checkpoint directory (config.json + model.safetensors)      (required)
  --text FILE        UTF-8 text, tokenized by the tokenizer in --model's folder   (required)
${DATA_HELP}  --out DIR          output directory                                             (required)
  --targets LIST     comma-separated module names (PEFT matching)
                     default: the architecture's block projections (GPT-2: c_attn,c_proj,c_fc;
                     Llama-like: q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj), printed at start
  --r N              LoRA rank per layer (the rank budget per layer)   default: 8
  --rho X            each layer may get up to round(r * rho) components  default: 2
  --tau X            convergence threshold on cosine similarity       default: 0.99
  --batch-size N     sequences per batch                              default: 8
  --seq-len N        tokens per sequence                              default: 128
  --max-steps N      stop after N batches                             default: 1000
  --seed N           data order and randomized solver seed            default: 1
  --whiten           divide each component by sqrt(singular value)
${BACKEND_HELP}
  -h, --help         show this help
`;

export async function evaInitCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const values = parseCommandArgs('eva init', argv, {
    ...MODEL_TEXT_OPTIONS,
    ...DATA_OPTIONS,
    'max-steps': { type: 'string' },
    whiten: { type: 'boolean' },
    ...BACKEND_OPTIONS,
  });
  if (values.help === true) {
    io.stdout.write(EVA_INIT_HELP);
    return 0;
  }
  const cmd = 'eva init';
  const { modelDir, outDir, batchSize, seqLen, seed, targets } = readModelTextOptions(cmd, values);
  const input = readTrainingInput(cmd, values);
  // Every option is checked before any file is read.
  const config = {
    r: integerOption(cmd, values, 'r', 8),
    rho: numberOption(cmd, values, 'rho', 2),
    tau: numberOption(cmd, values, 'tau', 0.99),
    maxSteps: integerOption(cmd, values, 'max-steps', 1000),
    targetModules: targets ?? null,
    whiten: values.whiten === true,
    seed,
  };
  parseEvaConfig(config);
  const { record: backend, progress } = await selectBackend(cmd, values, io);
  const text = input.kind === 'text' ? await readTextFile(input.path) : '';
  const model = await loadCausalLm(modelDir);
  try {
    model.eval();
    const targetModules = loraTargetsFor(cmd, model, targets, io);
    const stream =
      input.kind === 'text'
        ? await textBatches(model, modelDir, input.path, text, { batchSize, seqLen, seed })
        : (await loadTrainingData(model, modelDir, input, { batchSize, seed }, io)).train;
    const state = await computeEvaState(
      model,
      () => stream.from(0),
      { ...config, targetModules },
      { onProgress: (p) => progress.write(evaProgressLine(p)) },
    );
    await mkdir(outDir, { recursive: true });
    await saveEvaState(state, join(outDir, 'eva_state.safetensors'));
    const summary = {
      ranks: evaRanks(state),
      steps: state.steps,
      forwardPasses: state.forwardPasses,
      seconds: state.seconds,
      phases: state.phases,
      converged: state.converged,
      unconvergedLayers: state.unconvergedLayers,
      backend,
    };
    await writeFile(join(outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    io.stdout.write(
      `EVA state of ${state.layers.length} layers after ${state.steps} steps (${state.seconds.toFixed(2)} s: ${state.phases === undefined ? '' : formatEvaPhases(state.phases)}) written to ${outDir}\n`,
    );
    return 0;
  } finally {
    model.dispose();
  }
}
