import { setBackend } from '@peftjs/core';
import { beforeAll, describe } from 'vitest';

import { IncrementalPCA } from './incremental-pca';
import type { IncrementalPCAJSON } from './incremental-pca-json';
import type { SolverChoice } from './streaming-decomposer';
import { streamingDecomposerConformance } from '@peftjs/streaming-svd/testing';

beforeAll(async () => {
  await setBackend('wasm');
});

describe.each<SolverChoice>(['exact', 'randomized', 'auto'])(
  'StreamingDecomposer conformance: IncrementalPCA (%s)',
  (solver) => {
    streamingDecomposerConformance<IncrementalPCA, IncrementalPCAJSON>({
      create: (nComponents) => new IncrementalPCA({ nComponents, solver }),
      fromJSON: (json) => IncrementalPCA.fromJSON(json),
    });
  },
);
