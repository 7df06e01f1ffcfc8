import type * as tf from '@tensorflow/tfjs-core';
import { Module, Parameter, matmulTransposeB } from '@peftjs/core';
import type { AnyModule } from '@peftjs/core';

/**
 * A module that only holds one `weight` parameter, so that PEFT's parameter names come out of the
 * module tree unchanged: `<path>.lora_A.<adapter>.weight` (PEFT's `nn.Linear(in, r, bias=False)`).
 */
export class AdapterWeight extends Module {
  constructor(initial: tf.Tensor, trainable = true) {
    super();
    this.registerParameter('weight', new Parameter(initial, trainable));
  }

  get weight(): Parameter {
    return this.parameter('weight') as Parameter;
  }

  /** `x @ weight^T` (only meaningful for 2-D weights). */
  forward(x: tf.Tensor): tf.Tensor {
    return matmulTransposeB(x as tf.Tensor2D, this.weight.value as tf.Tensor2D);
  }
}

/** Children keyed by adapter name, like PyTorch's `nn.ModuleDict` (PEFT's `lora_A`, `lora_B`, ...). */
export class AdapterDict extends Module<[], never> {
  private readonly names = new Set<string>();

  set(name: string, module: AnyModule): void {
    this.registerModule(name, module);
    this.names.add(name);
  }

  has(name: string): boolean {
    return this.names.has(name);
  }

  get<M extends AnyModule>(name: string): M {
    return this.child<M>(name);
  }

  /**
   * A new dict with every entry but `name`, in the same order. Core's Module has no unregister,
   * so the owner swaps the whole dict; the caller disposes the removed child.
   */
  without(name: string): AdapterDict {
    const next = new AdapterDict();
    for (const [key, child] of this.children()) if (key !== name) next.set(key, child);
    return next;
  }

  forward(): never {
    throw new Error('AdapterDict has no forward; call the adapter you need');
  }
}
