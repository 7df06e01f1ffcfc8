import { Module, type AnyModule } from './module';

/** An indexed container whose children are named `0`, `1`, ... (PyTorch's `nn.ModuleList`). */
export class ModuleList<M extends AnyModule = AnyModule> extends Module<[], never> {
  private count = 0;

  constructor(modules: readonly M[] = []) {
    super();
    for (const m of modules) this.append(m);
  }

  /** Adds `module` as the next child (named by its index); returns this list. */
  append(module: M): this {
    this.registerModule(String(this.count++), module);
    return this;
  }

  /** Number of children. */
  get length(): number {
    return this.count;
  }

  /**
   * The child at `index` (0-based; no negative indices, unlike `Array.at`).
   * @throws Error listing the children when there is none at `index`.
   */
  at(index: number): M {
    return this.child<M>(String(index));
  }

  /** The children in index order. */
  *[Symbol.iterator](): Generator<M> {
    for (let i = 0; i < this.count; i++) yield this.at(i);
  }

  /** @throws Error always: a list has no computation of its own; call its members. */
  forward(): never {
    throw new Error('ModuleList has no forward; call its members');
  }
}
