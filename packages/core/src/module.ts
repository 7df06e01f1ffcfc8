import type * as tf from '@tensorflow/tfjs-core';
import type { Parameter } from './parameter';

/** `fn(module, inputs, output)`: sees tensors that are disposed after the step; copy what you keep. */
export type ForwardHook = (module: AnyModule, inputs: readonly unknown[], output: unknown) => void;

/** What {@link Module.registerForwardHook} returns. */
export interface HookHandle {
  /** Unregisters the hook; calling it again does nothing. */
  remove(): void;
}

/** A module of any signature, for trees and paths where the children's signatures differ. */
// biome-ignore lint/suspicious/noExplicitAny: any input and output types; `unknown` would reject concrete modules (parameter variance)
export type AnyModule = Module<any, any>;

/** A module mapping one tensor to one tensor, like every layer in a transformer block. */
export type TensorModule = Module<[tf.Tensor], tf.Tensor>;

/**
 * A named tree of layers and parameters, like PyTorch's `nn.Module`.
 *
 * Children and parameters live in ordered registries so that paths (`transformer.h.0.attn.c_attn`)
 * and parameter names (`...c_attn.weight`) follow Hugging Face conventions, and so that
 * `setSubmodule` can swap a layer (for example a `Linear` for a `LoraLinear`) without the parent
 * knowing. Parents must therefore reach children through {@link Module.child}, never cache them.
 */
export abstract class Module<TArgs extends unknown[] = [tf.Tensor], TOut = tf.Tensor> {
  private readonly parameterRegistry = new Map<string, Parameter>();
  private readonly moduleRegistry = new Map<string, AnyModule>();
  private readonly hooks = new Map<number, ForwardHook>();
  private nextHookId = 0;
  private isTraining = true;

  /** The computation; callers use {@link Module.call}, which also runs the forward hooks. */
  abstract forward(...inputs: TArgs): TOut;

  /** Runs `forward`, then every forward hook in registration order. */
  call(...inputs: TArgs): TOut {
    const output = this.forward(...inputs);
    for (const hook of [...this.hooks.values()]) hook(this, inputs, output);
    return output;
  }

  /** A short type name used in messages and summaries. */
  get typeName(): string {
    return this.constructor.name;
  }

  /** True in training mode (dropout active), false after {@link Module.eval}. New modules start in training mode. */
  get training(): boolean {
    return this.isTraining;
  }

  /** Sets training mode (`mode = false`: eval mode) on this module and every descendant, like PyTorch's `train()`. */
  train(mode = true): this {
    this.isTraining = mode;
    for (const [, child] of this.children()) child.train(mode);
    return this;
  }

  /** Eval mode for the whole tree: `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /**
   * Adds (or replaces) the direct parameter `name` and returns it.
   * @throws Error when `name` is empty, contains `.`, or is already a child module's name.
   */
  registerParameter(name: string, parameter: Parameter): Parameter {
    assertName(name);
    if (this.moduleRegistry.has(name)) throw new Error(`"${name}" is already a submodule of this ${this.typeName}`);
    this.parameterRegistry.set(name, parameter);
    return parameter;
  }

  /**
   * Adds (or replaces) the child `name`. The child takes this module's train/eval mode, so a layer
   * put into an eval-mode model (an injected adapter, a swapped block) runs in eval mode too.
   */
  registerModule<M extends AnyModule>(name: string, module: M): M {
    assertName(name);
    if (this.parameterRegistry.has(name)) throw new Error(`"${name}" is already a parameter of this ${this.typeName}`);
    this.moduleRegistry.set(name, module);
    module.train(this.isTraining);
    return module;
  }

  /** The direct parameter `name` of this module, or `null`. */
  parameter(name: string): Parameter | null {
    return this.parameterRegistry.get(name) ?? null;
  }

  /** The direct child `name`; throws with the available names if there is none. */
  child<M extends AnyModule = TensorModule>(name: string): M {
    const found = this.moduleRegistry.get(name);
    if (found === undefined) {
      const names = [...this.moduleRegistry.keys()];
      throw new Error(
        `${this.typeName} has no submodule "${name}"; it has: ${names.length ? names.join(', ') : '(none)'}`,
      );
    }
    return found as M;
  }

  /** The direct children as `[name, module]`, in registration order. */
  *children(): Generator<[string, AnyModule]> {
    yield* this.moduleRegistry.entries();
  }

  /** This module (path `''`) and every descendant, depth first, with dotted paths. */
  *namedModules(prefix = ''): Generator<[string, AnyModule]> {
    yield [prefix, this];
    for (const [name, child] of this.moduleRegistry) {
      yield* child.namedModules(prefix === '' ? name : `${prefix}.${name}`);
    }
  }

  /** Every parameter of the tree with its dotted name (`h.0.attn.c_attn.weight`). */
  *namedParameters(prefix = ''): Generator<[string, Parameter]> {
    for (const [name, parameter] of this.parameterRegistry) {
      yield [prefix === '' ? name : `${prefix}.${name}`, parameter];
    }
    for (const [name, child] of this.moduleRegistry) {
      yield* child.namedParameters(prefix === '' ? name : `${prefix}.${name}`);
    }
  }

  /** The descendant at a dotted path; `''` is this module. */
  getSubmodule(path: string): AnyModule {
    if (path === '') return this;
    let node: AnyModule = this;
    const parts = path.split('.');
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] as string;
      const next: AnyModule | undefined = node.moduleRegistry.get(part);
      if (next === undefined) {
        const at = parts.slice(0, i).join('.') || '(root)';
        const names = [...node.moduleRegistry.keys()];
        throw new Error(
          `No submodule "${path}": "${at}" has no child "${part}" (children: ${names.join(', ') || 'none'})`,
        );
      }
      node = next;
    }
    return node;
  }

  /** Replaces (or adds) the descendant at a dotted path, keeping the parent's child order; it takes the parent's mode. */
  setSubmodule(path: string, module: AnyModule): void {
    const cut = path.lastIndexOf('.');
    const parent = cut < 0 ? this : this.getSubmodule(path.slice(0, cut));
    const name = cut < 0 ? path : path.slice(cut + 1);
    parent.registerModule(name, module);
  }

  /** Marks every parameter of the tree as not trainable. */
  freeze(): this {
    for (const [, p] of this.namedParameters()) p.trainable = false;
    return this;
  }

  /** Marks every parameter of the tree as trainable. */
  unfreeze(): this {
    for (const [, p] of this.namedParameters()) p.trainable = true;
    return this;
  }

  /** The trainable parameters of the tree with their dotted names, in {@link Module.namedParameters} order. */
  trainableParameters(): [string, Parameter][] {
    return [...this.namedParameters()].filter(([, p]) => p.trainable);
  }

  /** Number of scalars in the tree (`trainableOnly`: only trainable ones). */
  parameterCount(trainableOnly = false): number {
    let total = 0;
    for (const [, p] of this.namedParameters()) if (!trainableOnly || p.trainable) total += p.size;
    return total;
  }

  /** Adds a hook that {@link Module.call} runs after `forward`, with this module, its inputs and output. */
  registerForwardHook(fn: ForwardHook): HookHandle {
    const id = this.nextHookId++;
    this.hooks.set(id, fn);
    return { remove: () => void this.hooks.delete(id) };
  }

  /** Frees every parameter of the tree. The module is unusable afterwards. */
  dispose(): void {
    for (const [, p] of this.namedParameters()) p.dispose();
  }
}

function assertName(name: string): void {
  if (name === '' || name.includes('.'))
    throw new Error(`Invalid module or parameter name "${name}": it must be non-empty and contain no "."`);
}
