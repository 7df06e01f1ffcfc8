import * as tf from '@tensorflow/tfjs-core';
import { Module, matmulTransposeB, matmulTransposeBConstWeight, onLastAxis, type Parameter } from '@peftjs/core';

/**
 * An output projection that shares its `[out, in]` weight with another module (GPT-2's `lm_head`,
 * tied to `transformer.wte`). It owns no parameter, so the shared weight is listed once by
 * `namedParameters()` (under the embedding, as Hugging Face saves it), yet the module keeps its
 * Hugging Face path for hooks and summaries.
 */
export class TiedLinear extends Module {
  constructor(private readonly weightOf: () => Parameter) {
    super();
  }

  /** The shared weight `[out, in]`, looked up on every call (so a swapped embedding is followed). */
  get weight(): Parameter {
    return this.weightOf();
  }

  forward(x: tf.Tensor): tf.Tensor {
    const w = this.weightOf();
    const width = w.shape[1];
    if (x.shape[x.rank - 1] !== width) {
      throw new Error(`TiedLinear expects inputs with last dimension ${width}, got shape [${x.shape.join(', ')}]`);
    }
    return tf.tidy(() =>
      onLastAxis(x, (x2d) =>
        (w.trainable ? matmulTransposeB : matmulTransposeBConstWeight)(x2d, w.value as tf.Tensor2D),
      ),
    );
  }
}
