import { Module, type AnyModule } from './module';

/** An indexed container whose children are named `0`, `1`, ... (PyTorch's `nn.ModuleList`). */
export class ModuleList<M extends AnyModule = AnyModule> extends Module<[], never> {
  private count = 0;

  constructor(modules: readonly M[] = []) {
    super();
    for (const m of modules) this.append(m);
  }

  append(module: M): this {
    this.registerModule(String(this.count++), module);
    return this;
  }

  get length(): number {
    return this.count;
  }

  at(index: number): M {
    return this.child<M>(String(index));
  }

  *[Symbol.iterator](): Generator<M> {
    for (let i = 0; i < this.count; i++) yield this.at(i);
  }

  forward(): never {
    throw new Error('ModuleList has no forward; call its members');
  }
}
