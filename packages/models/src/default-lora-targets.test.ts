import { setBackend } from '@peftjs/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultLoraTargets } from './architectures';
import { fixtureDir } from './fixtures.test-support';
import { mlpConfig, MlpClassifier } from './mlp-classifier';
import { loadPretrained } from './pretrained';

beforeAll(async () => {
  await setBackend('wasm');
});

describe('defaultLoraTargets', () => {
  it.each(['gpt2', 'llama3', 'qwen2', 'qwen3', 'mistral', 'gemma3'])(
    'names every block projection of %s (each matches one module per layer)',
    async (name) => {
      const model = await loadPretrained(fixtureDir(`hf/${name}`));
      const targets = defaultLoraTargets(model);
      expect(targets).not.toBeNull();
      const paths = [...model.namedModules()].map(([path]) => path);
      const layers = paths.filter((p) => /^(transformer\.h|model\.layers)\.\d+$/.test(p)).length;
      // Every Linear inside a block is covered, and nothing else (not the head).
      const linear = [...model.namedModules()]
        .filter(([path, m]) => m.typeName === 'Linear' && /\.(h|layers)\.\d+\./.test(path))
        .map(([path]) => path);
      const matched = paths.filter((p) => targets!.some((t) => p.endsWith(`.${t}`)));
      expect(new Set(matched)).toEqual(new Set(linear));
      expect(matched.length).toBe(layers * (name === 'gpt2' ? 4 : 7));
      model.dispose();
    },
  );

  it('is null for a model without a language-model trunk', () => {
    const mlp = new MlpClassifier(mlpConfig({ inputSize: 4, hiddenSizes: [3], numLabels: 2 }));
    expect(defaultLoraTargets(mlp)).toBeNull();
    mlp.dispose();
  });
});
