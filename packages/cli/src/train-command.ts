import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { injectAdapters, listInitializers, type LoraHandle } from '@peftjs/lora';
import { saveAdapter } from '@peftjs/lora/node';
import {
  AdamW,
  cosineScheduleWithWarmup,
  fixedDataSource,
  progressBar,
  streamDataSource,
  train,
} from '@peftjs/trainer';
import { fileStorage, findLatestCheckpoint } from '@peftjs/trainer/node';
import {
  integerOption,
  MODEL_TEXT_OPTIONS,
  numberOption,
  parseCommandArgs,
  readModelTextOptions,
  requiredString,
} from './args';
import { CliError, type CliIo } from './cli-error';
import { BACKEND_HELP, BACKEND_OPTIONS, selectBackend } from './backend-options';
import { evaProgressLine } from './eva-progress';
import { DATA_HELP, DATA_OPTIONS, loadTrainingData, readTrainingInput } from './data-options';
import { loadCausalLm, readTextFile, textBatches } from './inputs';
import { loraTargetsFor } from './lora-targets';
import { applyEva, computeEvaState, parseEvaConfig } from '@peftjs/eva';
import { loadEvaState } from '@peftjs/eva/node';

export const TRAIN_HELP = `Usage: peftjs train --model DIR (--text FILE | --data FILE) --init NAME --steps N --out DIR [options]

Fine-tunes a Hugging Face causal LM checkpoint with LoRA on a UTF-8 text file (or fine-tuning
data, with the loss on completions / assistant turns only) and saves the
adapter in PEFT's layout (adapter_model.safetensors + adapter_config.json), loadable by
Python PEFT's PeftModel.from_pretrained.

Options:
  --model DIR        checkpoint directory (config.json + model.safetensors)      (required)
  --text FILE        UTF-8 training text, cut into --seq-len windows
${DATA_HELP}  --init NAME        a registered LoRA initialiser: ${listInitializers().join('|')}  (required)
  --steps N          optimizer steps                                              (required)
  --out DIR          adapter output directory                                     (required)
  --eva-state FILE   with --init eva: reuse a state from \`peftjs eva init\` instead of computing it
  --targets LIST     comma-separated module names (PEFT matching)
                     default: the architecture's block projections (GPT-2: c_attn,c_proj,c_fc;
                     Llama-like: q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj), printed at start
  --r N              LoRA rank (EVA: rank budget per layer)          default: 8
  --alpha X          lora_alpha                                       default: 16
  --rho X            EVA: up to round(r * rho) components per layer   default: 2
  --tau X            EVA: convergence threshold                       default: 0.99
  --lr X             peak learning rate (AdamW, cosine schedule)      default: 0.002
  --batch-size N     sequences per batch                              default: 8
  --seq-len N        tokens per sequence                              default: 128
  --seed N           data order and initialisation seed               default: 1
  --checkpoint-dir D write resumable checkpoints here every 50 steps (resumes if present)
${BACKEND_HELP}
  -h, --help         show this help
`;

export async function trainCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const values = parseCommandArgs('train', argv, {
    ...MODEL_TEXT_OPTIONS,
    ...DATA_OPTIONS,
    init: { type: 'string' },
    steps: { type: 'string' },
    'eva-state': { type: 'string' },
    alpha: { type: 'string' },
    lr: { type: 'string' },
    'checkpoint-dir': { type: 'string' },
    ...BACKEND_OPTIONS,
  });
  if (values.help === true) {
    io.stdout.write(TRAIN_HELP);
    return 0;
  }
  const cmd = 'train';
  const { modelDir, batchSize, seqLen, seed, targets, ...rest } = readModelTextOptions(cmd, values);
  const input = readTrainingInput(cmd, values);
  const outDir = resolve(rest.outDir);
  const init = requiredString(cmd, values, 'init');
  const inits = listInitializers();
  if (!inits.includes(init)) throw new CliError(`train: --init must be one of ${inits.join(', ')}; got "${init}"`);
  const steps = integerOption(cmd, values, 'steps', 0);
  if (values.steps === undefined)
    throw new CliError('train: --steps is required. Run `peftjs train --help` for usage.');
  const r = integerOption(cmd, values, 'r', 8);
  const alpha = numberOption(cmd, values, 'alpha', 16);
  const rho = numberOption(cmd, values, 'rho', 2);
  const tau = numberOption(cmd, values, 'tau', 0.99);
  const learningRate = numberOption(cmd, values, 'lr', 2e-3);
  if (init === 'eva') parseEvaConfig({ r, rho, tau });
  const { record: backend, progress } = await selectBackend(cmd, values, io);
  const text = input.kind === 'text' ? await readTextFile(input.path) : '';
  const model = await loadCausalLm(modelDir);
  try {
    model.eval();
    // An EVA state from `eva init` already names its layers.
    const targetModules =
      init === 'eva' && values['eva-state'] !== undefined ? (targets ?? []) : loraTargetsFor(cmd, model, targets, io);
    const data =
      input.kind === 'text'
        ? { train: await textBatches(model, modelDir, input.path, text, { batchSize, seqLen, seed }), eval: null }
        : await loadTrainingData(model, modelDir, input, { batchSize, seed }, io);
    const stream = data.train;
    let handle: LoraHandle;
    if (init === 'eva') {
      const statePath = values['eva-state'];
      const state =
        statePath !== undefined
          ? await loadEvaState(statePath)
          : await computeEvaState(
              model,
              () => stream.from(0),
              {
                r,
                rho,
                tau,
                targetModules,
                seed,
              },
              { onProgress: (p) => progress.write(evaProgressLine(p)) },
            );
      handle = applyEva(model, state, { alpha, seed });
    } else {
      handle = injectAdapters(model, { r, alpha, targetModules, init, seed });
    }
    const checkpointDir = values['checkpoint-dir'];
    // Resume when the directory already holds a complete checkpoint (a run killed mid-way).
    const resume = checkpointDir === undefined ? null : await findLatestCheckpoint(checkpointDir).catch(() => null);
    if (resume !== null) progress.write(`Resuming from ${resume}\n`);
    const result = await train({
      model,
      data: streamDataSource(stream),
      optimizer: new AdamW({ learningRate, weightDecay: 0 }),
      schedule: cosineScheduleWithWarmup({ warmupSteps: Math.max(1, Math.round(steps / 10)), totalSteps: steps }),
      maxSteps: steps,
      seed,
      callbacks: progressBar(progress, { label: `${init} ${backend.name}/${backend.threads ?? '-'}t` }),
      ...(checkpointDir === undefined ? {} : { checkpoint: { dir: checkpointDir, every: 50 }, storage: fileStorage }),
      ...(resume === null ? {} : { resume }),
      ...(data.eval === null
        ? {}
        : {
            evaluation: {
              data: fixedDataSource(data.eval, data.eval.batchesPerEpoch),
              every: Math.max(1, Math.round(steps / 5)),
              atStart: true,
            },
          }),
    });
    const evals = result.evals.map((e) => `${e.step}: ${(e.metrics['loss'] ?? NaN).toFixed(4)}`);
    if (evals.length > 0) io.stdout.write(`Held-out loss by step: ${evals.join(', ')}\n`);
    await mkdir(outDir, { recursive: true });
    await saveAdapter(handle, outDir);
    io.stdout.write(
      `Adapter (${init}, ${handle.parameterCount().trainable.toLocaleString('en-US')} trainable parameters, trained on ${backend.name} with ${backend.threads ?? 'default'} threads) saved to ${outDir}\n`,
    );
    return 0;
  } finally {
    model.dispose();
  }
}
