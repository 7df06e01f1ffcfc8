// The one place where peftjs sets tfjs up: the cpu backend (always available, the reference) and
// tfjs-core's gradient definitions. Imported once by this package's index, so every package that
// builds on core computes gradients on every backend without importing the `@tensorflow/tfjs` umbrella.
import { getGradient, registerGradient } from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { tfjsGradConfigs } from './generated/tfjs-gradient-configs.js';

/**
 * Registers tfjs-core's gradient for every kernel that has none yet (idempotent; a gradient a backend
 * or a user registered first is kept). Returns the number registered by this call.
 */
function registerTfjsGradients(): number {
  let registered = 0;
  for (const config of tfjsGradConfigs) {
    if (getGradient(config.kernelName) !== undefined) continue;
    registerGradient(config);
    registered += 1;
  }
  return registered;
}

registerTfjsGradients();
