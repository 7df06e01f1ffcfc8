import * as tf from '@tensorflow/tfjs-core';
import { Linear, Module, ModuleList, Rng } from '@peftjs/core';

/** Test-only: a block with attention-like projections and an MLP, built from core's Linear. */
class TinyAttention extends Module {
  constructor(width: number, rng: Rng) {
    super();
    this.registerModule('q_proj', new Linear(width, width, { rng }));
    this.registerModule('v_proj', new Linear(width, width, { rng, bias: false }));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.add(this.child('q_proj').call(x), tf.sigmoid(this.child('v_proj').call(x))));
  }
}

class TinyMlp extends Module {
  constructor(width: number, hidden: number, rng: Rng) {
    super();
    this.registerModule('fc', new Linear(width, hidden, { rng }));
    this.registerModule('proj', new Linear(hidden, width, { rng }));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.child('proj').call(tf.relu(this.child('fc').call(x))));
  }
}

class TinyBlock extends Module {
  constructor(width: number, hidden: number, rng: Rng) {
    super();
    this.registerModule('attn', new TinyAttention(width, rng));
    this.registerModule('mlp', new TinyMlp(width, hidden, rng));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const h = tf.add(x, this.child('attn').call(x));
      return tf.add(h, this.child('mlp').call(h));
    });
  }
}

/**
 * `blocks.{0,1}.attn.{q_proj,v_proj}`, `blocks.{0,1}.mlp.{fc,proj}`, `head`: 9 Linear layers.
 * Input `[..., width]`, output `[..., classes]`.
 */
export class TinyModel extends Module {
  constructor(options: { width?: number; hidden?: number; classes?: number; seed?: number } = {}) {
    super();
    const width = options.width ?? 8;
    const hidden = options.hidden ?? 12;
    const rng = new Rng(options.seed ?? 1);
    this.registerModule(
      'blocks',
      new ModuleList([new TinyBlock(width, hidden, rng), new TinyBlock(width, hidden, rng)]),
    );
    this.registerModule('head', new Linear(width, options.classes ?? 4, { rng }));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      let h = x;
      for (const [, block] of this.child<ModuleList>('blocks').children()) h = block.call(h) as tf.Tensor;
      return this.child('head').call(h);
    });
  }
}
