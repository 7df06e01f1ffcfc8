import * as tf from '@tensorflow/tfjs-core';
import { PeftjsError, Rng } from '@peftjs/core';
import type { CausalLanguageModel } from './causal-lm';
import { KvCache } from './kv-cache';
import { sampleNextToken, type SamplingOptions } from './sampling';

export interface GenerateOptions extends SamplingOptions {
  /** Tokens to generate at most (>= 1). */
  readonly maxNewTokens: number;
  /** Stop after generating any of these ids (kept in the output); none when absent. */
  readonly eosTokenIds?: readonly number[];
  /** Seed of the sampler (default 0); greedy decoding does not use it. */
  readonly seed?: number | string;
  /** Reuse keys and values across steps with a {@link KvCache} (default true); false recomputes the whole sequence per token. */
  readonly useCache?: boolean;
  /** Called with each new token id as soon as it is chosen (for streaming output). */
  readonly onToken?: (id: number) => void;
}

/** What {@link generate} returns. */
export interface GenerateResult {
  /** The generated ids (the prompt not included), EOS included when it stopped there. */
  readonly tokens: number[];
  /** Why generation ended. */
  readonly stoppedBy: 'eos' | 'max-new-tokens';
  /** Wall-clock seconds of the prompt's forward pass (prefill) and of the whole generation. */
  readonly prefillSeconds: number;
  /** Wall-clock seconds of the whole generation, prefill included. */
  readonly seconds: number;
  /** `tokens.length / seconds`. */
  readonly tokensPerSecond: number;
}

/**
 * Autoregressive generation from one prompt (batch of 1) with a causal LM, as Hugging Face's
 * `generate()`: greedy by default, or sampling with temperature, top-k and top-p
 * ({@link sampleNextToken}) from a seeded generator. With the cache (default), the prompt is run
 * once and every later step runs the model on the one new token; without it, every step reruns
 * the whole sequence (the reference the cache is tested against). Runs the model in eval mode and
 * restores its mode; leaves `tf.memory().numTensors` unchanged.
 * @param promptIds - the prompt's token ids (at least one), special tokens included as the model expects.
 * @throws PeftjsError `E_GENERATE_OPTIONS` for an empty prompt or `maxNewTokens < 1`, `E_SAMPLING_OPTIONS` for bad sampling options; the model's errors (context too long).
 */
export function generate(
  model: CausalLanguageModel,
  promptIds: readonly number[],
  options: GenerateOptions,
): GenerateResult {
  if (promptIds.length === 0)
    throw new PeftjsError(
      'E_GENERATE_OPTIONS',
      'generate: the prompt is empty; give at least one token (for example BOS)',
    );
  if (!Number.isInteger(options.maxNewTokens) || options.maxNewTokens < 1)
    throw new PeftjsError(
      'E_GENERATE_OPTIONS',
      `generate: maxNewTokens must be an integer >= 1, got ${options.maxNewTokens}`,
    );
  sampleNextToken(new Float32Array(1), options, new Rng(0)); // validates the sampling options before any work
  const rng = new Rng(options.seed ?? 0);
  const eos = new Set(options.eosTokenIds ?? []);
  const useCache = options.useCache ?? true;
  const cache = useCache ? new KvCache() : null;
  const wasTraining = model.training;
  model.eval();
  const sequence = [...promptIds];
  const tokens: number[] = [];
  const start = performance.now();
  let prefillSeconds = 0;
  let stoppedBy: GenerateResult['stoppedBy'] = 'max-new-tokens';
  try {
    let pending = sequence.slice(); // tokens the model has not seen yet (all of them without a cache)
    while (tokens.length < options.maxNewTokens) {
      const logits = nextLogits(model, pending, cache);
      if (tokens.length === 0) prefillSeconds = (performance.now() - start) / 1000;
      const id = sampleNextToken(logits, options, rng);
      tokens.push(id);
      sequence.push(id);
      options.onToken?.(id);
      if (eos.has(id)) {
        stoppedBy = 'eos';
        break;
      }
      pending = cache === null ? sequence.slice() : [id];
    }
  } finally {
    cache?.dispose();
    model.train(wasTraining);
  }
  const seconds = (performance.now() - start) / 1000;
  return { tokens, stoppedBy, prefillSeconds, seconds, tokensPerSecond: tokens.length / seconds };
}

/** Logits `[V]` of the last position after feeding `ids` (appended to the cache when there is one). */
function nextLogits(model: CausalLanguageModel, ids: readonly number[], cache: KvCache | null): Float32Array {
  return tf.tidy(() => {
    const inputIds = tf.tensor2d(Int32Array.from(ids), [1, ids.length], 'int32');
    const logits = model.call(cache === null ? { inputIds } : { inputIds, cache }); // [1, T, V]
    const v = logits.shape[2] as number;
    return Float32Array.from(tf.slice(logits, [0, ids.length - 1, 0], [1, 1, v]).dataSync());
  });
}
