// The `@peftjs/lora/node` entry: PEFT adapter directories on disk (Node only). The in-memory
// adapter (`exportAdapter`, `importAdapter`) and everything else is in `@peftjs/lora`.
export { saveAdapter, loadAdapter } from './adapter-dir';
