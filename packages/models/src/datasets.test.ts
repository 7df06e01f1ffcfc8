import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FASHION_MNIST_DIR, loadFashionMnist, loadMnist } from './image-datasets';
import { loadMobyDick, loadSotu, loadSpamAssassin } from './text-datasets';
import { importOptional, MissingDependencyError } from './optional-dependency';

describe('text datasets', () => {
  it('State of the Union: 233 speeches 1790-2021, 11 held out (every 20th)', async () => {
    const all = await loadSotu();
    expect(all.length).toBe(233);
    expect(all[0]).toMatchObject({ year: 1790, name: 'George Washington' });
    expect(all[232]?.year).toBe(2021);
    const val = await loadSotu({ split: 'validation' });
    const train = await loadSotu({ split: 'train' });
    expect(val.length).toBe(11);
    expect(train.length).toBe(222);
    expect(val.map((s) => s.text)).toEqual([19, 39, 59, 79, 99, 119, 139, 159, 179, 199, 219].map((i) => all[i]?.text));
  });

  it('Moby Dick: 139 sections, chapters 10..130 by 10 held out', async () => {
    const all = await loadMobyDick();
    expect(all.length).toBe(139);
    const val = await loadMobyDick({ split: 'validation' });
    expect(val.map((c) => c.chapter)).toEqual([
      '10',
      '20',
      '30',
      '40',
      '50',
      '60',
      '70',
      '80',
      '90',
      '100',
      '110',
      '120',
      '130',
    ]);
    expect((await loadMobyDick({ split: 'train' })).length).toBe(126);
    expect(all.find((c) => c.chapter === '1')?.text).toMatch(/Call me Ishmael/);
  });

  it('SpamAssassin: 6046 messages, 1896 spam, every 5th held out', async () => {
    const all = await loadSpamAssassin();
    expect(all.length).toBe(6046);
    expect(all.filter((m) => m.label === 1).length).toBe(1896);
    expect(all.filter((m) => m.group.startsWith('spam')).every((m) => m.label === 1)).toBe(true);
    expect((await loadSpamAssassin({ split: 'validation' })).length).toBe(1209);
  });

  it('a missing optional dataset package is named with the install command', async () => {
    await expect(importOptional('@stdlib/datasets-not-installed', 'loadSomething')).rejects.toThrow(
      MissingDependencyError,
    );
    await expect(importOptional('@stdlib/datasets-not-installed', 'loadSomething')).rejects.toThrow(
      /Install it: npm install @stdlib\/datasets-not-installed/,
    );
  });
});

describe('image datasets', () => {
  it('MNIST: 10,000 test images of 28 x 28 in [0, 1]; labels 0..9', async () => {
    const test = await loadMnist({ split: 'test' });
    expect(test.count).toBe(10000);
    expect([test.height, test.width]).toEqual([28, 28]);
    expect(test.images.length).toBe(10000 * 784);
    expect(Math.max(...test.images.subarray(0, 784))).toBeLessThanOrEqual(1);
    // The first MNIST test digit is a 7 and the first training digit a 5 (LeCun's files).
    expect(test.labels[0]).toBe(7);
    const train = await loadMnist({ limit: 100 });
    expect(train.count).toBe(100);
    expect(train.labels[0]).toBe(5);
  });

  // .ci/run installs the Debian package, so CI always reads the real files; on a machine without it
  // (a fresh clone running only `npm ci && npm test`) the loader must fail with the install hint instead.
  it(`Fashion-MNIST from ${FASHION_MNIST_DIR} (Debian dataset-fashion-mnist; reads the first 50 images)`, async () => {
    if (!existsSync(FASHION_MNIST_DIR)) {
      await expect(loadFashionMnist({ limit: 50 })).rejects.toThrow(/apt-get install -y dataset-fashion-mnist/);
      return;
    }
    const fm = await loadFashionMnist({ limit: 50 });
    expect(fm.count).toBe(50);
    // Fashion-MNIST's first training image is an ankle boot (class 9).
    expect(fm.labels[0]).toBe(9);
    expect((await loadFashionMnist({ split: 'test', limit: 5 })).labels.length).toBe(5);
  });

  it('a missing Fashion-MNIST directory says which Debian package to install', async () => {
    await expect(loadFashionMnist({ dir: '/nonexistent' })).rejects.toThrow(/apt-get install -y dataset-fashion-mnist/);
  });
});
