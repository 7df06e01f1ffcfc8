// Tests here use tfjs autograd without @peftjs/core (this package must not depend on it): register
// tfjs-core's own gradient definitions, as bundled for core at npm ci (tools/core/bundle-tfjs-gradients.mjs).
import { getGradient, registerGradient } from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { tfjsGradConfigs } from '../../core/src/generated/tfjs-gradient-configs.js';

for (const config of tfjsGradConfigs) if (getGradient(config.kernelName) === undefined) registerGradient(config);
