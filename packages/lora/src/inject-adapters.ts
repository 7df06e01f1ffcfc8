import * as tf from '@tensorflow/tfjs-core';
import { Linear, Rng } from '@peftjs/core';
import type { AnyModule, Parameter } from '@peftjs/core';
import { parseLoraConfig } from './lora-config';
import type { LoraConfig, LoraConfigInput } from './lora-config';
import { getInitializer } from './initializer-registry';
import { getVariant } from './variant-registry';
import { activateAdapter } from './activate-adapter';
import { AdapterSwitchError, LoraLinear, loraScaling } from './lora-linear';
import { LoraHandle } from './lora-handle';
import type { BaseWeightChange } from './lora-handle';
import { closeMatches, findPatternKey, fullMatch, layerIndexOf, matchesModuleName } from './pattern-matching';
import { LoraConfigError } from './lora-config-error';
import { recordFrozen } from './model-state';

/** A layer that a config selects, with its resolved rank and alpha. */
export interface LoraTarget {
  /** Full module path of the `Linear`, e.g. `transformer.h.0.attn.c_attn`. */
  readonly path: string;
  /** The layer's input width `in`. */
  readonly inFeatures: number;
  /** The layer's output width `out`. */
  readonly outFeatures: number;
  /** Its LoRA rank: `rankPattern`'s first matching key, else `r`; 0 means no adapter. */
  readonly r: number;
  /** Its LoRA alpha: `alphaPattern`'s first matching key, else `alpha`. */
  readonly alpha: number;
}

/**
 * The layers `config` selects in `model` (without changing anything), as PEFT's
 * `check_target_module_exists`: every `Linear` whose path matches `targetModules`, minus
 * `excludeModules`, restricted to `layersToTransform`, with rank and alpha from `rankPattern` /
 * `alphaPattern` (first matching key). Layers already wrapped in a {@link LoraLinear} are matched by
 * the wrapper's path.
 *
 * @throws LoraConfigError (`E_LORA_CONFIG`) naming the entry when a target name matches no `Linear`
 *   (listing close names), an exclude entry or a rank/alpha pattern key matches no layer (PEFT 0.21
 *   only warns), every selected layer is excluded, or a rank exceeds `min(in, out)`.
 */
export function resolveLoraTargets(model: AnyModule, configInput: LoraConfigInput | LoraConfig): LoraTarget[] {
  const config = parseLoraConfig(configInput);
  const linears = linearCandidates(model);
  const paths = selectPaths(model, linears, config);
  const patternRanks = Object.keys(config.rankPattern);
  const patternAlphas = Object.keys(config.alphaPattern);
  checkPatternKeysMatch('rankPattern', patternRanks, paths);
  checkPatternKeysMatch('alphaPattern', patternAlphas, paths);
  return paths.map((path) => {
    const layer = linears.get(path) as Linear;
    const rankKey = findPatternKey(patternRanks, path, 'rankPattern');
    const alphaKey = findPatternKey(patternAlphas, path, 'alphaPattern');
    const r = rankKey === null ? config.r : (config.rankPattern[rankKey] as number);
    const alpha = alphaKey === null ? config.alpha : (config.alphaPattern[alphaKey] as number);
    const maxRank = Math.min(layer.inFeatures, layer.outFeatures);
    if (r > maxRank) {
      const source = rankKey === null ? 'r' : `rankPattern["${rankKey}"]`;
      throw new LoraConfigError(
        rankKey === null ? 'r' : 'rankPattern',
        `Layer "${path}" ([${layer.outFeatures}, ${layer.inFeatures}]) cannot take rank ${r} (from ${source}): the rank must be at most min(in, out) = ${maxRank}`,
      );
    }
    return { path, inFeatures: layer.inFeatures, outFeatures: layer.outFeatures, r, alpha };
  });
}

/** A pattern key that selects no targeted layer would leave every layer at the default without a word. */
function checkPatternKeysMatch(
  field: 'rankPattern' | 'alphaPattern',
  keys: readonly string[],
  paths: readonly string[],
): void {
  for (const key of keys) {
    if (paths.some((path) => findPatternKey(keys, path, field) === key)) continue;
    const shadowedOn = paths.find((path) => findPatternKey([key], path, field) !== null);
    if (shadowedOn !== undefined) {
      const first = findPatternKey(keys, shadowedOn, field) as string;
      throw new LoraConfigError(
        field,
        `${field} key "${key}" applies to no layer: on "${shadowedOn}" the earlier key "${first}" matches first (PEFT uses the first matching key in order). Put the more specific key first.`,
      );
    }
    const anchored = key.startsWith('^')
      ? ` A key starting with "^" must spell the full module path (e.g. "^${paths[0] ?? 'model.layers.0.self_attn.q_proj'}"); "^${key.slice(1)}" only matches a top-level module.`
      : '';
    const close = closeMatches(
      key.replace(/^\^/, ''),
      paths.map((p) => p.slice(p.lastIndexOf('.') + 1)),
    );
    const hint = close.length > 0 ? ` Did you mean ${close.map((c) => `"${c}"`).join(', ')}?` : '';
    throw new LoraConfigError(
      field,
      `${field} key "${key}" matches no targeted layer, so it would change nothing; keys match a module path's end as PEFT's regex (.*\\.)?(key)$.${anchored}${hint} Targeted layers: ${sample(paths)}`,
    );
  }
}

/** Options of {@link injectAdapters} beside the config. */
export interface InjectOptions {
  /** The `init_lora_weights` value the handle saves instead of the one `config.init` implies (used by `loadAdapter`). */
  readonly peftInitValue?: boolean | string;
}

/**
 * Wraps every targeted `Linear` of `model` in a {@link LoraLinear} (via `model.setSubmodule`) and
 * adds adapter `config.adapterName`, initialised by `config.init`. Layers already wrapped get one
 * more adapter; the new adapter becomes the active one on the whole model (layers without it run
 * their base layer only, their adapters frozen, as after `handle.activate()`). New layers take the
 * model's train/eval mode (no dropout in an eval-mode model). Every non-adapter parameter of the model is
 * frozen (restored when the last adapter is removed). Rank-0 layers get no adapter.
 * On any error nothing stays changed.
 */
export function injectAdapters(
  model: AnyModule,
  configInput: LoraConfigInput | LoraConfig,
  options: InjectOptions = {},
): LoraHandle {
  const config = parseLoraConfig(configInput);
  const targets = resolveLoraTargets(model, config);
  const initializer = getInitializer(config.init.name);
  const variant = getVariant(config.variant);
  const layers = new Map<string, LoraLinear>();
  const changes = new Map<string, BaseWeightChange>();
  const ranks: Record<string, number> = {};
  const alphas: Record<string, number> = {};
  for (const t of targets) {
    const existing = model.getSubmodule(t.path);
    if (existing instanceof LoraLinear && existing.hasAdapter(config.adapterName)) {
      throw new LoraConfigError(
        'adapterName',
        `Layer "${t.path}" already has an adapter named "${config.adapterName}"; remove it first or set adapterName`,
      );
    }
  }
  for (const [path, m] of model.namedModules()) {
    if (m instanceof LoraLinear && m.mergedAdapter !== null) {
      throw new AdapterSwitchError(
        `Layer "${path}" has adapter "${m.mergedAdapter}" merged; unmerge it before adding "${config.adapterName}" (the new adapter becomes the active one on the whole model)`,
      );
    }
  }
  try {
    for (const target of targets) {
      ranks[target.path] = target.r;
      if (target.r === 0) continue;
      alphas[target.path] = target.alpha;
      const existing = model.getSubmodule(target.path);
      const wrapper = existing instanceof LoraLinear ? existing : new LoraLinear(existing as Linear);
      if (wrapper.mergedAdapter !== null)
        throw new Error(
          `Layer "${target.path}" has adapter "${wrapper.mergedAdapter}" merged; unmerge it before adding "${config.adapterName}"`,
        );
      const base = wrapper.baseLayer;
      const scaling = loraScaling(target.alpha, target.r, config.useRslora);
      const label = `${config.adapterName}/${target.path}`;
      const result = initializer.initialize({
        modulePath: target.path,
        adapterName: config.adapterName,
        weight: base.weight.value as tf.Tensor2D,
        inFeatures: target.inFeatures,
        outFeatures: target.outFeatures,
        r: target.r,
        alpha: target.alpha,
        scaling,
        rng: Rng.derive(config.seed, `init/${label}`),
        options: config.init.options,
      });
      if (result.residualWeight !== undefined) {
        changes.set(target.path, {
          originalWeight: tf.keep(tf.clone(base.weight.value)) as tf.Tensor2D,
          initialA: tf.keep(tf.clone(result.a)),
          initialB: tf.keep(tf.clone(result.b)),
        });
        base.weight.assign(result.residualWeight);
        result.residualWeight.dispose();
      }
      if (wrapper !== existing) model.setSubmodule(target.path, wrapper);
      layers.set(target.path, wrapper);
      wrapper.addAdapter(config.adapterName, {
        r: target.r,
        alpha: target.alpha,
        useRslora: config.useRslora,
        dropout: config.dropout,
        dropoutRng: Rng.derive(config.seed, `dropout/${label}`),
        a: result.a,
        b: result.b,
        variant,
      });
    }
  } catch (error) {
    rollback(model, layers, changes, config.adapterName);
    throw error;
  }
  freezeBase(model);
  activateAdapter(model, config.adapterName);
  return new LoraHandle({
    model,
    config,
    layers,
    ranks,
    alphas,
    changes,
    ...(options.peftInitValue === undefined ? {} : { peftInitValue: options.peftInitValue }),
  });
}

function rollback(
  model: AnyModule,
  layers: Map<string, LoraLinear>,
  changes: Map<string, BaseWeightChange>,
  name: string,
): void {
  for (const [path, layer] of layers) {
    if (layer.hasAdapter(name)) layer.removeAdapter(name);
    const change = changes.get(path);
    if (change !== undefined) layer.baseLayer.weight.assign(change.originalWeight);
    if (layer.adapterNames().length === 0 && model.getSubmodule(path) === layer)
      model.setSubmodule(path, layer.baseLayer);
  }
  for (const c of changes.values()) tf.dispose([c.originalWeight, c.initialA, c.initialB]);
}

/** Freezes every parameter that is not an adapter parameter, remembering what it changed. */
function freezeBase(model: AnyModule): void {
  const adapterParams = new Set<Parameter>();
  for (const [, m] of model.namedModules()) {
    if (!(m instanceof LoraLinear)) continue;
    for (const name of m.adapterNames()) {
      const a = m.adapter(name);
      adapterParams.add(a.loraA);
      adapterParams.add(a.loraB);
      for (const p of a.extra.values()) adapterParams.add(p);
    }
  }
  const frozen: Parameter[] = [];
  for (const [, p] of model.namedParameters()) {
    if (adapterParams.has(p) || !p.trainable) continue;
    p.trainable = false;
    frozen.push(p);
  }
  recordFrozen(model, frozen);
}

/** Every `Linear` of the model by path; a `LoraLinear` counts by its own path (its insides are skipped). */
function linearCandidates(model: AnyModule): Map<string, Linear> {
  const out = new Map<string, Linear>();
  const wrapped: string[] = [];
  for (const [path, m] of model.namedModules()) {
    if (wrapped.some((w) => path.startsWith(`${w}.`))) continue;
    if (m instanceof LoraLinear) {
      wrapped.push(path);
      out.set(path, m.baseLayer);
    } else if (m instanceof Linear && path !== '') {
      out.set(path, m);
    }
  }
  return out;
}

function selectPaths(model: AnyModule, linears: Map<string, Linear>, config: LoraConfig): string[] {
  const all = [...linears.keys()];
  const targets = config.targetModules;
  let selected: string[];
  if (targets.kind === 'all-linear') {
    if (all.length === 0)
      throw new LoraConfigError('targetModules', 'targetModules "all-linear": the model has no Linear layers to adapt');
    selected = all;
  } else if (targets.kind === 'regex') {
    selected = all.filter((p) => fullMatch(targets.pattern, p));
    if (selected.length === 0) {
      throw new LoraConfigError(
        'targetModules',
        `targetModules ${String(targets.pattern)} matches no Linear layer (it must match the whole module path). Linear layers: ${sample(all)}`,
      );
    }
  } else {
    const hit = new Set<string>();
    for (const name of targets.names) {
      const hits = all.filter((p) => matchesModuleName(p, name));
      if (hits.length === 0) throw noTargetError(model, all, name);
      for (const h of hits) hit.add(h);
    }
    selected = all.filter((p) => hit.has(p));
    if (config.layersToTransform !== null) selected = selectLayers(selected, config);
  }
  return exclude(model, selected, config);
}

function noTargetError(model: AnyModule, all: string[], name: string): LoraConfigError {
  const other = [...model.namedModules()].filter(([p]) => p !== '' && matchesModuleName(p, name));
  const note = other.length
    ? ` It matches ${other.map(([p, m]) => `"${p}" (${m.typeName})`).join(', ')}, but only Linear layers can be adapted.`
    : '';
  const lastParts = all.map((p) => p.slice(p.lastIndexOf('.') + 1));
  const byName = closeMatches(name, lastParts);
  const close = byName.length ? byName : closeMatches(name, all);
  const hint = close.length ? ` Did you mean: ${close.map((c) => `"${c}"`).join(', ')}?` : '';
  return new LoraConfigError(
    'targetModules',
    `targetModules entry "${name}" matches no Linear layer.${note}${hint} Linear layer names: ${sample([...new Set(lastParts)])}`,
  );
}

/** PEFT's `layers_to_transform`: keep the layers whose index (read by `layerIndexOf`) is listed. */
function selectLayers(paths: string[], config: LoraConfig): string[] {
  const wanted = new Set(config.layersToTransform);
  const kept = paths.filter((p) => {
    const index = layerIndexOf(p, config.layersPattern);
    return index !== null && wanted.has(index);
  });
  if (kept.length === 0) {
    const pattern = config.layersPattern === null ? '' : ` with layersPattern ${JSON.stringify(config.layersPattern)}`;
    throw new LoraConfigError(
      'layersToTransform',
      `layersToTransform ${JSON.stringify(config.layersToTransform)}${pattern} keeps none of the targeted layers (${sample(paths)}); check the indices and the layer-list name`,
    );
  }
  return kept;
}

/** PEFT's `exclude_modules`; an entry that excludes nothing (a typo would adapt the layer it meant) is an error. */
function exclude(model: AnyModule, paths: string[], config: LoraConfig): string[] {
  const rule = config.excludeModules;
  if (rule === null) return paths;
  const excluded = (p: string, names: readonly string[]): boolean => names.some((n) => matchesModuleName(p, n));
  let kept: string[];
  if (rule.kind === 'regex') {
    kept = paths.filter((p) => !fullMatch(rule.pattern, p));
    const anyModule = [...model.namedModules()].some(([p]) => p !== '' && fullMatch(rule.pattern, p));
    if (!anyModule)
      throw new LoraConfigError(
        'excludeModules',
        `excludeModules ${String(rule.pattern)} matches no module (it must match the whole module path); targeted layers: ${sample(paths)}`,
      );
  } else {
    const modules = [...model.namedModules()].map(([p]) => p).filter((p) => p !== '');
    for (const name of rule.names) {
      if (!modules.some((p) => matchesModuleName(p, name))) {
        const close = closeMatches(name, paths);
        throw new LoraConfigError(
          'excludeModules',
          `excludeModules entry "${name}" matches no module, so it excludes nothing.${close.length ? ` Did you mean ${close.map((c) => `"${c}"`).join(', ')}?` : ''} Targeted layers: ${sample(paths)}`,
        );
      }
    }
    kept = paths.filter((p) => !excluded(p, rule.names));
  }
  if (kept.length === 0)
    throw new LoraConfigError(
      'excludeModules',
      `excludeModules removes every targeted layer (${sample(paths)}); nothing would be adapted`,
    );
  return kept;
}

function sample(names: readonly string[]): string {
  if (names.length === 0) return '(none)';
  return names.length <= 12 ? names.join(', ') : `${names.slice(0, 12).join(', ')}, ... (${names.length} in all)`;
}
