import * as tf from '@tensorflow/tfjs-core';
import type { KernelCase } from './conformance.test-support';

const mm = (ta: boolean, tb: boolean) => (a: tf.Tensor, b: tf.Tensor) => tf.matMul(a, b, ta, tb);
const flags: [boolean, boolean][] = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];
/** `[M, K] x [K, N]` stored as each transpose flag needs. */
function mmShapes(
  batch: number[],
  m: number,
  k: number,
  n: number,
  ta: boolean,
  tb: boolean,
  batchB = batch,
): number[][] {
  return [
    [...batch, ...(ta ? [k, m] : [m, k])],
    [...batchB, ...(tb ? [n, k] : [k, n])],
  ];
}

const matmul: KernelCase[] = [];
for (const [ta, tb] of flags) {
  const tag = `${ta ? 'T' : 'N'}${tb ? 'T' : 'N'}`;
  for (const [m, k, n] of [
    [1, 1, 1],
    [3, 5, 7],
    [17, 33, 9],
    [1, 64, 1],
  ] as const) {
    matmul.push({
      name: `BatchMatMul ${tag} ${m}x${k}x${n}`,
      shapes: mmShapes([], m, k, n, ta, tb),
      f: mm(ta, tb),
      grad: true,
    });
  }
  matmul.push({
    name: `BatchMatMul ${tag} batched [2,3]`,
    shapes: mmShapes([2, 3], 4, 5, 6, ta, tb),
    f: mm(ta, tb),
    grad: true,
  });
  // Batch broadcast (one side has no batch): tfjs's own gradient cannot reduce it, so forward only.
  matmul.push({
    name: `BatchMatMul ${tag} batch broadcast`,
    shapes: mmShapes([3], 4, 5, 6, ta, tb, []),
    f: mm(ta, tb),
    grad: false,
  });
  matmul.push({
    name: `BatchMatMul ${tag} size-0 M`,
    shapes: mmShapes([], 0, 4, 3, ta, tb),
    f: mm(ta, tb),
    grad: false,
  });
  matmul.push({
    name: `BatchMatMul ${tag} size-0 K`,
    shapes: mmShapes([], 4, 0, 3, ta, tb),
    f: mm(ta, tb),
    grad: false,
    ...(ta || tb
      ? {}
      : { wasmShapeOnly: 'K = 0 on the XNNPACK path leaves the output uninitialised (whatever memory held)' }),
  });
  for (const activation of ['linear', 'relu'] as const) {
    matmul.push({
      name: `_FusedMatMul ${tag} bias ${activation}`,
      shapes: [...mmShapes([], 7, 5, 3, ta, tb), [3]],
      f: (a, b, bias) => tf.fused.matMul({ a, b, bias, transposeA: ta, transposeB: tb, activation }),
      grad: true,
      ...(ta || tb ? { wasmGap: '_FusedMatMul adds the bias at wrong positions when a transpose flag is set' } : {}),
    });
  }
}

const unary: KernelCase[] = (
  [
    ['Exp', tf.exp, [-90, 20]],
    ['Log', tf.log, [0.01, 5]],
    ['Tanh', tf.tanh, [-12, 12]],
    ['Sigmoid', tf.sigmoid, [-30, 30]],
    ['Sqrt', tf.sqrt, [0.01, 9]],
    ['Rsqrt', tf.rsqrt, [0.01, 9]],
    ['Square', tf.square, [-3, 3]],
    ['Neg', tf.neg, [-3, 3]],
    ['Relu', tf.relu, [-3, 3]],
    ['Abs', tf.abs, [-3, 3]],
    ['Reciprocal', tf.reciprocal, [0.2, 3]],
  ] as [string, (x: tf.Tensor) => tf.Tensor, [number, number]][]
).flatMap(([name, f, range]) => [
  { name: `${name} [37, 41]`, shapes: [[37, 41]], range, f, grad: true },
  { name: `${name} [1]`, shapes: [[1]], range, f, grad: true },
  { name: `${name} [0, 3]`, shapes: [[0, 3]], range, f, grad: false },
]);

const broadcasts: number[][][] = [
  [
    [3, 4],
    [3, 4],
  ],
  [
    [3, 1, 5],
    [4, 1],
  ],
  [[], [2, 3]],
  [[2, 3], [1]],
  [[5], [7, 1]],
  [
    [0, 3],
    [1, 3],
  ],
  [
    [2, 1, 3, 1, 2],
    [1, 4, 1, 5, 1],
  ],
  [[1], [1]],
];
const binary: KernelCase[] = (
  [
    ['Add', tf.add],
    ['Sub', tf.sub],
    ['Multiply', tf.mul],
    ['RealDiv', tf.div],
    ['Maximum', tf.maximum],
    ['Minimum', tf.minimum],
    ['SquaredDifference', tf.squaredDifference],
    ['Pow', tf.pow],
  ] as [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor][]
).flatMap(([name, f]) =>
  broadcasts.map(([a, b]) => ({
    name: `${name} [${a}] with [${b}]`,
    shapes: [a as number[], b as number[]],
    // Pow and RealDiv need positive operands for finite, well-conditioned gradients.
    range: (name === 'Pow' || name === 'RealDiv' ? [0.3, 2] : [-2, 2]) as [number, number],
    f,
    // tfjs's Maximum/Minimum/SquaredDifference gradients do not reduce broadcast axes (on cpu too): equal shapes only.
    grad:
      (a as number[]).indexOf(0) < 0 &&
      (!['Maximum', 'Minimum', 'SquaredDifference'].includes(name) || String(a) === String(b)),
  })),
);
// Maximum/Minimum gradients pick a side; random floats never tie, so they are well defined.
for (const [name, f] of [
  ['Maximum', tf.maximum],
  ['Minimum', tf.minimum],
] as const) {
  binary.push({
    name: `${name} grad [3, 4] with [3, 4]`,
    shapes: [
      [3, 4],
      [3, 4],
    ],
    f,
    grad: true,
  });
}

const reductions: KernelCase[] = [];
for (const [name, f] of [
  ['Sum', tf.sum],
  ['Mean', tf.mean],
  ['Max', tf.max],
  ['Min', tf.min],
] as const) {
  for (const [shape, axis] of [
    [[3, 4, 5], undefined],
    [[3, 4, 5], -1],
    [[3, 4, 5], 0],
    [
      [3, 4, 5],
      [0, 2],
    ],
    [[3, 4, 5], 1],
    [[1, 7], 0],
    [[6], 0],
    [[2, 1, 3], 1],
  ] as [number[], number | number[] | undefined][]) {
    for (const keepDims of [false, true]) {
      reductions.push({
        name: `${name} [${shape}] axis ${String(axis)} keepDims ${keepDims}`,
        shapes: [shape],
        f: (x) => f(x, axis, keepDims),
        grad: true,
      });
    }
  }
}
for (const shape of [
  [3, 7],
  [2, 3, 1],
  [1, 1],
  [4, 129],
]) {
  reductions.push({
    name: `Softmax [${shape}]`,
    shapes: [shape],
    range: [-20, 20],
    f: (x) => tf.softmax(x),
    grad: true,
  });
}
reductions.push({
  name: 'Softmax masked row (-1e9)',
  shapes: [[2, 5]],
  f: (x) => tf.softmax(tf.add(x, tf.tensor([0, 0, -1e9, -1e9, -1e9], [5]))),
  grad: true,
});

const movement: KernelCase[] = [
  { name: 'Transpose [2, 3, 4] (2, 0, 1)', shapes: [[2, 3, 4]], f: (x) => tf.transpose(x, [2, 0, 1]), grad: true },
  {
    name: 'Transpose [8, 5, 3, 7] (0, 2, 1, 3)',
    shapes: [[8, 5, 3, 7]],
    f: (x) => tf.transpose(x, [0, 2, 1, 3]),
    grad: true,
  },
  { name: 'Transpose [33, 65]', shapes: [[33, 65]], f: (x) => tf.transpose(x), grad: true },
  {
    name: 'Transpose [1, 5, 1, 3] (3, 2, 1, 0)',
    shapes: [[1, 5, 1, 3]],
    f: (x) => tf.transpose(x, [3, 2, 1, 0]),
    grad: true,
  },
  { name: 'Transpose [2, 0, 3]', shapes: [[2, 0, 3]], f: (x) => tf.transpose(x, [2, 1, 0]), grad: false },
  { name: 'Transpose rank 6', shapes: [[2, 3, 2, 1, 2, 3]], f: (x) => tf.transpose(x, [5, 3, 1, 0, 2, 4]), grad: true },
  { name: 'Slice [4, 5, 6] interior', shapes: [[4, 5, 6]], f: (x) => tf.slice(x, [1, 2, 3], [2, 3, 2]), grad: true },
  { name: 'Slice [4, 5, 6] size -1', shapes: [[4, 5, 6]], f: (x) => tf.slice(x, [0, 1, 0], [-1, 2, -1]), grad: true },
  { name: 'Slice size 0', shapes: [[4, 5]], f: (x) => tf.slice(x, [1, 2], [0, 2]), grad: false },
  { name: 'Slice [7]', shapes: [[7]], f: (x) => tf.slice(x, [3], [4]), grad: true },
  {
    name: 'SplitV [2, 9, 3] axis 1',
    shapes: [[2, 9, 3]],
    f: (x) =>
      tf.concat(
        tf.split(x, [2, 3, 4], 1).map((t, i) => tf.mul(t, i + 1)),
        1,
      ),
    grad: true,
  },
  { name: 'SplitV last axis even', shapes: [[4, 6]], f: (x) => tf.split(x, 3, -1)[1] as tf.Tensor, grad: true },
  {
    name: 'Concat axis 0',
    shapes: [
      [2, 3],
      [4, 3],
    ],
    f: (a, b) => tf.concat([a, b], 0),
    grad: true,
  },
  {
    name: 'Concat axis -1 three',
    shapes: [
      [2, 3],
      [2, 1],
      [2, 5],
    ],
    f: (a, b, c) => tf.concat([a, b, c], -1),
    grad: true,
  },
  {
    name: 'Concat with size-0 piece',
    shapes: [
      [2, 3],
      [2, 0],
    ],
    f: (a, b) => tf.concat([a, b], 1),
    grad: false,
  },
  {
    name: 'GatherV2 axis 0',
    shapes: [[6, 4]],
    f: (x) => tf.gather(x, tf.tensor1d([5, 0, 0, 3], 'int32')),
    grad: true,
    wasmGap: 'no UnsortedSegmentSum kernel, so no gather gradient',
  },
  {
    name: 'GatherV2 axis 1, 2-D indices',
    shapes: [[3, 6, 2]],
    f: (x) =>
      tf.gather(
        x,
        tf.tensor2d(
          [
            [1, 2],
            [5, 1],
          ],
          [2, 2],
          'int32',
        ),
        1,
      ),
    grad: true,
    wasmGap: 'no UnsortedSegmentSum kernel, so no gather gradient',
  },
  {
    name: 'GatherV2 forward only',
    shapes: [[6, 4]],
    f: (x) => tf.gather(x, tf.tensor1d([5, 0, 0, 3], 'int32')),
    grad: false,
  },
  {
    name: 'OneHot with out-of-range ids',
    shapes: [[5]],
    f: (x) => tf.mul(tf.oneHot(tf.tensor1d([0, 4, -1, 7, 2], 'int32'), 5), tf.reshape(x, [5, 1])),
    grad: true,
  },
  {
    name: 'Cast int32 -> float32',
    shapes: [[3, 4]],
    f: (x) =>
      tf.add(
        x,
        tf.cast(
          tf.tensor2d(
            [
              [1, -2, 3, 4],
              [5, 6, 7, 8],
              [9, 10, 11, -12],
            ],
            [3, 4],
            'int32',
          ),
          'float32',
        ),
      ),
    grad: true,
  },
  {
    name: 'Cast bool -> float32',
    shapes: [[4]],
    f: (x) => tf.mul(x, tf.cast(tf.greater(x, 0), 'float32')),
    grad: false,
  },
  {
    name: 'AddN',
    shapes: [
      [3, 5],
      [3, 5],
      [3, 5],
    ],
    f: (a, b, c) => tf.addN([a, b, c]),
    grad: true,
  },
];

/** Every overridden kernel, on odd shapes, broadcasts, all transpose flags, size-0 and size-1 dims. */
export const KERNEL_CASES: readonly KernelCase[] = [...matmul, ...unary, ...binary, ...reductions, ...movement];
