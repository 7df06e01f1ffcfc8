import * as tf from '@tensorflow/tfjs-core';
import { assertFinite, shapesEqual, type TensorEntry } from '@peftjs/core';
import { SafetensorsFile, writeSafetensorsFile } from '@peftjs/core/node';
import { architectureOf, resolveArchitecture, type PretrainedModel } from './architectures';
import { isJsonObject, ModelConfigError, type JsonObject } from './config-fields';
import { BYTE_TOKENIZER_FIELD, ByteTokenizer } from './byte-tokenizer';
import { CheckpointError } from './checkpoint-error';
import type { ModelOptions } from './gpt2-model';
import { HfTokenizer } from './hf-tokenizer';
import type { Tokenizer } from './tokenizer';

/** Options of {@link loadPretrained}: the model options plus strictness about unused tensors. */
export interface LoadPretrainedOptions extends ModelOptions {
  /** Fail on tensors in the file that the model does not use (default true; known buffers are always skipped). */
  strict?: boolean;
}

/** A class the loaded model must be an instance of (`CausalLanguageModel`, `MlpClassifier`, ...). */
// biome-ignore lint/suspicious/noExplicitAny: any constructor signature; `unknown[]` would reject constructors with typed parameters
export type ModelClass<M> = abstract new (...args: any[]) => M;

/**
 * Loads a Hugging Face model directory: `config.json` plus `model.safetensors`, or a sharded
 * `model.safetensors.index.json` with its shards. Returns the module with Hugging Face module paths
 * and parameter names (`transformer.h.0.attn.c_attn.weight`), in eval mode. GPT-2 `Conv1D` weights
 * (`[in, out]` on disk) are transposed to `Linear`'s `[out, in]`; tensors are read one at a time
 * and F16/BF16/F64 are converted to float32. A tensor holding NaN or an infinity is a
 * `NonFiniteError` (`E_NON_FINITE`) naming the tensor and the file.
 */
export async function loadPretrained(dir: string, options?: LoadPretrainedOptions): Promise<PretrainedModel>;
/** As above, and checks that the model is an `as` (for example `{ as: CausalLanguageModel }`), typed accordingly. */
export async function loadPretrained<M>(
  dir: string,
  options: LoadPretrainedOptions & { as: ModelClass<M> },
): Promise<M>;
export async function loadPretrained<M>(
  dir: string,
  options: LoadPretrainedOptions & { as?: ModelClass<M> } = {},
): Promise<PretrainedModel | M> {
  const model = await loadModel(dir, options);
  const expected = options.as;
  if (expected !== undefined && !(model instanceof expected)) {
    model.dispose();
    throw new CheckpointError(`${dir} holds a ${model.architecture}, which is not a ${expected.name}`);
  }
  return model;
}

async function loadModel(dir: string, options: LoadPretrainedOptions): Promise<PretrainedModel> {
  const path = await import('node:path');
  const config = await readConfig(dir);
  const arch = resolveArchitecture(config, path.join(dir, 'config.json'));
  const shards = await weightFiles(dir);
  const model = arch.build(config, options);
  const files = new Map<string, SafetensorsFile>();
  try {
    // Which file holds each tensor name.
    const located = new Map<string, string>();
    for (const [file, names] of shards) {
      const opened = await SafetensorsFile.open(path.join(dir, file));
      files.set(file, opened);
      for (const name of names ?? opened.keys()) located.set(name, file);
    }
    const used = new Set<string>();
    const missing: string[] = [];
    for (const [name, parameter] of model.namedParameters()) {
      const key = [name, name.startsWith(arch.basePrefix) ? name.slice(arch.basePrefix.length) : null].find(
        (k) => k !== null && located.has(k),
      );
      if (key === undefined || key === null) {
        missing.push(name);
        continue;
      }
      used.add(key);
      const file = files.get(located.get(key) as string) as SafetensorsFile;
      const info = file.info(key);
      if (!['F32', 'F16', 'BF16', 'F64'].includes(info.dtype)) {
        throw new CheckpointError(
          `Tensor "${key}" in ${file.path} has dtype ${info.dtype}; a floating-point tensor (F32, F16, BF16, F64) is required`,
        );
      }
      const transposed = arch.isTransposedOnDisk(name);
      const expected = transposed ? [...parameter.shape].reverse() : parameter.shape;
      if (!shapesEqual(info.shape, expected)) {
        throw new CheckpointError(
          `Tensor "${key}" in ${file.path} has shape [${info.shape.join(', ')}] but ${arch.name} with this config.json needs [${expected.join(', ')}]` +
            `${transposed ? ' (GPT-2 Conv1D layout [in, out])' : ''}; the weights do not match config.json`,
        );
      }
      const entry = await file.read(key);
      // a NaN or infinite weight would give NaN logits with no word of where it came from
      assertFinite(
        entry.data as ArrayLike<number>,
        `Tensor "${key}" in ${file.path}`,
        'the checkpoint is corrupt or was saved from a diverged run; use another checkpoint',
      );
      const value = tf.tidy(() => {
        const data = entry.data instanceof Float32Array ? entry.data : Float32Array.from(entry.data as Float64Array);
        const t = tf.tensor(data, info.shape, 'float32');
        return transposed ? tf.transpose(t) : t;
      });
      parameter.assign(value);
      value.dispose();
    }
    if (arch.tiedHead !== undefined) await checkTiedCopy(arch.tiedHead, model, located, files, used, arch.basePrefix);
    if (missing.length > 0) {
      throw new CheckpointError(
        `${dir} lacks ${missing.length} tensor(s) that ${arch.name} needs: ${missing.slice(0, 8).join(', ')}${missing.length > 8 ? ', ...' : ''}` +
          ` (looked for each name with and without the "${arch.basePrefix}" prefix)`,
      );
    }
    if (options.strict ?? true) {
      const unexpected = [...located.keys()].filter((k) => !used.has(k) && !arch.ignoredKeys.test(k));
      if (unexpected.length > 0) {
        throw new CheckpointError(
          `${dir} has ${unexpected.length} tensor(s) that ${arch.name} does not use: ${unexpected.slice(0, 8).join(', ')}${unexpected.length > 8 ? ', ...' : ''}; ` +
            'check config.json (layer count, tie_word_embeddings) or pass { strict: false }',
        );
      }
    }
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    for (const f of files.values()) await f.close();
  }
  return model.eval();
}

/**
 * A tied model whose file also stores the head (`lm_head.weight`) must store a copy of the
 * embedding: Hugging Face would load either, so a different tensor is an error, never skipped.
 */
async function checkTiedCopy(
  tied: { head: string; embedding: string },
  model: PretrainedModel,
  located: Map<string, string>,
  files: Map<string, SafetensorsFile>,
  used: Set<string>,
  basePrefix: string,
): Promise<void> {
  const ownsHead = [...model.namedParameters()].some(([n]) => n === tied.head);
  const headFile = located.get(tied.head);
  if (ownsHead || headFile === undefined) return;
  const embeddingKey = [tied.embedding, tied.embedding.slice(basePrefix.length)].find((k) => located.has(k));
  if (embeddingKey === undefined) return;
  const [head, embedding] = await Promise.all([
    (files.get(headFile) as SafetensorsFile).read(tied.head),
    (files.get(located.get(embeddingKey) as string) as SafetensorsFile).read(embeddingKey),
  ]);
  const same =
    shapesEqual(head.shape, embedding.shape) &&
    head.data.length === embedding.data.length &&
    head.data.every((v, i) => v === embedding.data[i]);
  if (!same) {
    throw new CheckpointError(
      `config.json says tie_word_embeddings is true, but "${tied.head}" in the checkpoint differs from "${embeddingKey}"; set "tie_word_embeddings": false to use the stored head`,
    );
  }
  used.add(tied.head);
}

/** Options of {@link savePretrained}. */
export interface SavePretrainedOptions {
  /** Storage dtype of the weights (default `F32`; `F16`/`BF16` halve the file, rounding to nearest even). */
  dtype?: 'F32' | 'F16' | 'BF16';
  /**
   * The model's tokenizer, saved so that `loadTokenizer(dir)` finds it: a {@link ByteTokenizer}
   * marks `config.json` (`"peftjs_tokenizer": "byte"`); an {@link HfTokenizer} writes its
   * `tokenizer.json` and `tokenizer_config.json`.
   */
  tokenizer?: Tokenizer;
}

/**
 * Writes a model as a Hugging Face directory: `config.json` and one `model.safetensors` (F32 unless
 * `options.dtype` says otherwise, metadata `{ format: "pt" }`), with GPT-2 `Conv1D` weights transposed back to `[in, out]` and the
 * tied `lm_head` not stored separately, as `save_pretrained` does. Creates `dir` if needed.
 * A model carrying adapter layers must be merged first (their parameters are rejected).
 */
export async function savePretrained(
  model: PretrainedModel,
  dir: string,
  options: SavePretrainedOptions = {},
): Promise<void> {
  const dtype = options.dtype ?? 'F32';
  if (!['F32', 'F16', 'BF16'].includes(dtype))
    throw new RangeError(`savePretrained: dtype must be F32, F16 or BF16, got ${JSON.stringify(dtype)}`);
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const arch = architectureOf(model);
  const tensors: Record<string, TensorEntry> = {};
  for (const [name, parameter] of model.namedParameters()) {
    if (!arch.parameterNames.test(name)) {
      throw new CheckpointError(
        `savePretrained: parameter "${name}" is not part of ${arch.name} (an adapter layer?); merge or remove adapters before saving the base model`,
      );
    }
    const transposed = arch.isTransposedOnDisk(name);
    // Read outside tf.tidy: tidy walks a returned TypedArray element by element (a Set overflow past 2^24 values).
    const stored = transposed ? tf.transpose(parameter.value) : parameter.value;
    const data = Float32Array.from(stored.dataSync() as Float32Array);
    if (transposed) stored.dispose();
    tensors[name] = { dtype, shape: transposed ? [...parameter.shape].reverse() : parameter.shape, data };
  }
  await fs.mkdir(dir, { recursive: true });
  await writeSafetensorsFile(path.join(dir, 'model.safetensors'), tensors, { format: 'pt' });
  const tokenizer = options.tokenizer;
  const marker = tokenizer instanceof ByteTokenizer ? { [BYTE_TOKENIZER_FIELD]: 'byte' } : {};
  const json = arch.configJson(model);
  const dtypeName = { F32: 'float32', F16: 'float16', BF16: 'bfloat16' }[dtype];
  // transformers 5 writes `dtype`, 4 wrote `torch_dtype`: set whichever the family's layout uses.
  const config = { ...json, ...('dtype' in json ? { dtype: dtypeName } : { torch_dtype: dtypeName }), ...marker };
  await fs.writeFile(path.join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  if (tokenizer instanceof HfTokenizer) {
    await fs.writeFile(path.join(dir, 'tokenizer.json'), JSON.stringify(tokenizer.files.tokenizerJson));
    await fs.writeFile(
      path.join(dir, 'tokenizer_config.json'),
      `${JSON.stringify(tokenizer.files.tokenizerConfig, null, 2)}\n`,
    );
  }
}

async function readConfig(dir: string): Promise<JsonObject> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const file = path.join(dir, 'config.json');
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    throw new ModelConfigError(
      `No config.json in ${dir}: a Hugging Face model directory needs config.json and model.safetensors (download both from the model's repository)`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ModelConfigError(`${file} is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!isJsonObject(parsed))
    throw new ModelConfigError(
      `${file} must hold a JSON object, got ${Array.isArray(parsed) ? 'an array' : typeof parsed}`,
    );
  return parsed;
}

/** `[file, tensor names or null (= all)]` for a single file or a sharded index. */
async function weightFiles(dir: string): Promise<Array<[string, string[] | null]>> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const exists = async (f: string): Promise<boolean> =>
    fs.access(path.join(dir, f)).then(
      () => true,
      () => false,
    );
  if (await exists('model.safetensors')) return [['model.safetensors', null]];
  if (await exists('model.safetensors.index.json')) {
    const indexFile = path.join(dir, 'model.safetensors.index.json');
    let index: unknown;
    try {
      index = JSON.parse(await fs.readFile(indexFile, 'utf8'));
    } catch (error) {
      throw new CheckpointError(
        `${indexFile} is not valid JSON (${error instanceof Error ? error.message : String(error)})`,
      );
    }
    const map = isJsonObject(index) ? index['weight_map'] : undefined;
    if (!isJsonObject(map))
      throw new CheckpointError(`${indexFile} has no "weight_map" object (tensor name -> shard file)`);
    const byFile = new Map<string, string[]>();
    for (const [name, file] of Object.entries(map)) {
      if (typeof file !== 'string' || file.includes('/') || file.includes('\\')) {
        throw new CheckpointError(
          `${indexFile}: weight_map["${name}"] must be a file name in the same directory, got ${JSON.stringify(file)}`,
        );
      }
      byFile.set(file, [...(byFile.get(file) ?? []), name]);
    }
    return [...byFile.entries()];
  }
  const bin = (await exists('pytorch_model.bin'))
    ? ' It has pytorch_model.bin: convert it to safetensors first (safetensors.torch.save_file).'
    : '';
  throw new CheckpointError(`No model.safetensors or model.safetensors.index.json in ${dir}.${bin}`);
}
