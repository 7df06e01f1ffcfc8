/**
 * The plain-model form of a module path: PEFT's wrapper names stripped (the `base_model.model.`
 * prefix of adapter files, `.base_layer` segments of wrapped layers), so paths taken from a model
 * with or without adapters compare equal. (PEFT footgun: EVA state keys from a plain model
 * silently fail to match a wrapped one.)
 */
export function normaliseModulePath(path: string): string {
  return path
    .replace(/^base_model\.model\./, '')
    .split('.')
    .filter((part) => part !== 'base_layer')
    .join('.');
}
