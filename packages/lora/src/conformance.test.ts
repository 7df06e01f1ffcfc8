// The LoraInitializer and LoraVariant conformance suites (published as @peftjs/lora/testing), run
// against every registered initialiser and variant: a new built-in is picked up here by itself.
import { beforeAll, describe } from 'vitest';
import { setBackend } from '@peftjs/core';
import { loraInitializerConformance, loraVariantConformance } from '@peftjs/lora/testing';
import { listInitializers } from './initializer-registry';
import { listVariants } from './variant-registry';

beforeAll(async () => {
  await setBackend('wasm');
});

describe.each(listInitializers())('LoraInitializer conformance: %s', (name) => {
  loraInitializerConformance(name);
});

describe.each(listVariants())('LoraVariant conformance: %s', (name) => {
  loraVariantConformance(name);
});
