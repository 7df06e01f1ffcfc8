import * as tf from '@tensorflow/tfjs-core';
import { Embedding, Linear, Module, RMSNorm, Rng, type TokenBatch } from '@peftjs/core';
import { causalLmLoss } from '@peftjs/models';

/**
 * One block whose q/k/v projections read the same normed tensor (an identical-input group, as in
 * Llama), then an MLP: enough to test grouping, whitening and rank-0 layers.
 */
export class GroupedToy extends Module<[TokenBatch], tf.Tensor> {
  constructor(
    readonly width = 16,
    vocab = 256,
    seed = 1,
  ) {
    super();
    const rng = new Rng(seed);
    this.registerModule('embed', new Embedding(vocab, width, { rng, std: 1 }));
    this.registerModule('norm', new RMSNorm(width));
    for (const name of ['q_proj', 'k_proj', 'v_proj', 'o_proj'])
      this.registerModule(name, new Linear(width, width, { rng }));
    this.registerModule('up', new Linear(width, 2 * width, { rng }));
    this.registerModule('down', new Linear(2 * width, width, { rng }));
    this.registerModule('head', new Linear(width, vocab, { rng, bias: false }));
  }

  forward(batch: TokenBatch): tf.Tensor {
    return tf.tidy(() => {
      const x = this.child('embed').call(batch.inputIds);
      const h = this.child('norm').call(x);
      const mixed = tf.add(
        tf.mul(this.child('q_proj').call(h), tf.sigmoid(this.child('k_proj').call(h))),
        this.child('v_proj').call(h),
      );
      const y = tf.add(x, this.child('o_proj').call(mixed));
      const z = tf.add(y, this.child('down').call(tf.relu(this.child('up').call(y))));
      return this.child('head').call(z);
    });
  }

  loss(batch: TokenBatch): tf.Scalar {
    return tf.tidy(() => causalLmLoss(this.call(batch), batch.labels ?? batch.inputIds));
  }
}
