// Unit tests of the docs build scripts: `node --test tools/docs/` (a second or so, no browser).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  barChartSvg,
  EXPECTED,
  generate as generateBenchmarks,
  lineChartSvg,
  normaliseResult,
  validateResult,
} from './gen-benchmarks.mjs';
import { generate as generateChangelog, parseChangeset } from './gen-changelog.mjs';
import { apiPage, parseIndexExports } from './gen-exports.mjs';
import { resolveFile } from './serve.mjs';
import { documentedPackages } from './typedoc.config.mjs';

const scratch = mkdtempSync(join(tmpdir(), 'peftjs-docs-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('gen-benchmarks', () => {
  test('with no result files, every expected benchmark says it is not recorded and no number appears', () => {
    const dataDir = join(scratch, 'empty');
    mkdirSync(dataDir);
    const outFile = join(scratch, 'empty.md');
    const { recorded, total } = generateBenchmarks({ dataDir, outFile });
    const md = readFileSync(outFile, 'utf8');
    assert.equal(recorded, 0);
    assert.equal(total, EXPECTED.length);
    assert.equal(md.match(/This benchmark has not been recorded yet/g)?.length, EXPECTED.length);
    assert.doesNotMatch(
      md
        .replace(/<!--[\s\S]*?-->/, '')
        .replace(/data-[a-z]+="\d+"/g, '')
        .replace(/\d+ of \d+ benchmarks/, ''),
      /\d\.\d/,
    );
    assert.doesNotMatch(md, /<svg/);
  });

  test('a recorded file becomes a table and plots holding exactly its numbers', () => {
    const dataDir = join(scratch, 'one');
    mkdirSync(dataDir);
    const result = {
      title: 'GPT-2 demo',
      tables: [
        {
          caption: 'Held-out loss',
          columns: ['init', 'step 0', 'step 100'],
          rows: [
            ['eva', 2.3125, 1.9875],
            ['gaussian', 2.3125, 2.0625],
          ],
        },
      ],
      lines: [
        { title: 'loss', xLabel: 'step', yLabel: 'loss', series: [{ name: 'eva', x: [0, 100], y: [2.3125, 1.9875] }] },
      ],
      bars: [{ title: 'ranks', labels: ['h.0.attn.c_attn', 'h.0.mlp.c_fc'], values: [6, 2] }],
    };
    writeFileSync(join(dataDir, 'demo-gpt2.json'), JSON.stringify(result));
    const outFile = join(scratch, 'one.md');
    const { recorded } = generateBenchmarks({ dataDir, outFile });
    const md = readFileSync(outFile, 'utf8');
    assert.equal(recorded, 1);
    assert.match(md, /## GPT-2 demo/);
    assert.match(md, /\| eva \| 2\.313 \| 1\.988 \|/);
    assert.match(md, /\| gaussian \| 2\.313 \| 2\.063 \|/);
    assert.equal(md.match(/<svg/g)?.length, 2);
    assert.equal(md.match(/This benchmark has not been recorded yet/g)?.length, EXPECTED.length - 1);
  });

  test('a malformed file fails naming the file and the field', () => {
    assert.throws(
      () => validateResult('x.json', { tables: [{ columns: ['a', 'b'], rows: [[1]] }] }),
      /x\.json: tables\[0\]\.rows\[0\] has 1 cells but there are 2 columns/,
    );
    assert.throws(
      () => validateResult('y.json', { lines: [{ series: [{ name: 's', x: [1, 2], y: [1] }] }] }),
      /y\.json: lines\[0\]\.series\[0\]/,
    );
    assert.throws(() => validateResult('z.json', [1, 2]), /z\.json: top level must be an object/);
  });

  test('a raw benchmark JSON line is shown as it is, as tables', () => {
    const raw = {
      command: 'npx peftjs-svd-bench --k 32',
      ms_per_batch: 41.25,
      solver: 'randomized',
      batch: [8, 128],
      lora: { r: 8, targets: ['c_attn', 'c_fc'] },
      runs: [
        { k: 8, ms: 10.5 },
        { k: 16, ms: 20 },
      ],
    };
    const shown = normaliseResult(raw);
    assert.equal(shown.command, 'npx peftjs-svd-bench --k 32');
    assert.deepEqual(shown.tables[0], {
      columns: ['measure', 'value'],
      rows: [
        ['ms_per_batch', 41.25],
        ['solver', 'randomized'],
        ['batch', '8, 128'],
        ['lora.r', 8],
        ['lora.targets', 'c_attn, c_fc'],
      ],
    });
    assert.deepEqual(shown.tables[1], {
      caption: 'runs',
      columns: ['k', 'ms'],
      rows: [
        [8, 10.5],
        [16, 20],
      ],
    });
    assert.deepEqual(normaliseResult([{ a: 1 }, { b: 2 }]).tables[0], {
      columns: ['a', 'b'],
      rows: [
        [1, null],
        [null, 2],
      ],
    });
    const documented = { tables: [] };
    assert.equal(normaliseResult(documented), documented);
  });

  test("the demo's results.json becomes a loss table, curves per initialisation and the EVA rank chart", () => {
    const results = {
      task: 'language',
      command: 'peftjs demo --quick',
      machine: '2 cores',
      settings: { steps: 2, r: 4 },
      runs: [
        {
          init: 'kaiming',
          trainableParameters: 100,
          initSeconds: 0.01,
          trainSeconds: 5,
          evalLoss: [
            { step: 0, loss: 2.5 },
            { step: 2, loss: 2.25 },
          ],
          trainLoss: [{ step: 1, loss: 2.75 }],
        },
        {
          init: 'eva',
          trainableParameters: 100,
          initSeconds: 1.5,
          trainSeconds: 5,
          evalLoss: [
            { step: 0, loss: 2.5 },
            { step: 2, loss: 2.125 },
          ],
          trainLoss: [{ step: 1, loss: 2.5 }],
        },
      ],
      eva: {
        ranks: { 'transformer.h.0.attn.c_attn': 6, 'transformer.h.0.mlp.c_fc': 2 },
        steps: 12,
        seconds: 1.5,
        converged: true,
      },
    };
    const shown = validateResult('demo-gpt2.json', normaliseResult(results));
    assert.deepEqual(shown.tables[0].rows, [
      ['kaiming', 100, 2.5, 2.25, 0.01, 5],
      ['eva', 100, 2.5, 2.125, 1.5, 5],
    ]);
    assert.deepEqual(shown.tables[1].rows, [
      ['steps (batches)', 12],
      ['seconds', 1.5],
      ['every layer converged', true],
    ]);
    assert.deepEqual(shown.tables[2].rows, [
      ['steps', 2],
      ['r', 4],
    ]);
    assert.deepEqual(
      shown.lines[0].series.map((l) => [l.name, l.y]),
      [
        ['kaiming', [2.5, 2.25]],
        ['eva', [2.5, 2.125]],
      ],
    );
    assert.deepEqual(shown.bars[0], {
      title: 'EVA rank per layer',
      yLabel: 'rank',
      labels: ['h.0.attn.c_attn', 'h.0.mlp.c_fc'],
      values: [6, 2],
    });
    assert.equal(shown.command, 'peftjs demo --quick');
  });

  test('plots place points inside the frame and escape labels', () => {
    const svg = lineChartSvg({ title: 'a<b', series: [{ name: '{{x}}', x: [0, 1, 2], y: [3, 2, 1] }] });
    assert.match(svg, /a&#60;b/);
    assert.doesNotMatch(svg, /\{\{/);
    const points = [...svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)"/g)].map((m) => [Number(m[1]), Number(m[2])]);
    assert.equal(points.length, 3);
    assert.ok(points[0][1] < points[2][1], 'the larger y is drawn higher');
    assert.equal(barChartSvg({ labels: ['a', 'b', 'c'], values: [1, 0, 2] }).match(/<rect/g)?.length, 3);
  });
});

describe('gen-changelog', () => {
  test('parses a changeset and rejects a malformed one', () => {
    assert.deepEqual(parseChangeset('---\n"@peftjs/core": minor\n\'@peftjs/lora\': patch\n---\n\nSummary.\n'), {
      releases: [
        { name: '@peftjs/core', type: 'minor' },
        { name: '@peftjs/lora', type: 'patch' },
      ],
      summary: 'Summary.',
    });
    assert.throws(() => parseChangeset('no front matter'), /front matter/);
    assert.throws(
      () => parseChangeset('---\n"@peftjs/core": huge\n---\nx'),
      /expected "@scope\/pkg": major\|minor\|patch/,
    );
  });

  test('collects pending changesets and released history per package', () => {
    const repo = join(scratch, 'repo');
    mkdirSync(join(repo, 'packages', 'a'), { recursive: true });
    mkdirSync(join(repo, '.changeset'), { recursive: true });
    writeFileSync(join(repo, 'packages', 'a', 'package.json'), JSON.stringify({ name: '@x/a', version: '1.2.0' }));
    writeFileSync(
      join(repo, 'packages', 'a', 'CHANGELOG.md'),
      '# @x/a\n\n## 1.2.0\n\n### Minor Changes\n\n- Added {{ things }}.\n',
    );
    writeFileSync(join(repo, '.changeset', 'a-feature.md'), '---\n"@x/a": patch\n---\nFixed it.\n');
    const outFile = join(scratch, 'changelog.md');
    generateChangelog({ repoRoot: repo, outFile });
    const md = readFileSync(outFile, 'utf8');
    assert.match(md, /## @x\/a/);
    assert.match(md, /\*\*patch\*\* \(`\.changeset\/a-feature\.md`\): Fixed it\./);
    assert.match(md, /#### 1\.2\.0/);
    assert.doesNotMatch(md, /\{\{/);
    writeFileSync(join(repo, '.changeset', 'b.md'), '---\n"@x/missing": patch\n---\nx\n');
    assert.throws(() => generateChangelog({ repoRoot: repo, outFile }), /@x\/missing in \.changeset\/b\.md/);
  });
});

describe('gen-exports', () => {
  test('reads named, renamed and type-only exports from an index', () => {
    const src =
      "export { A, B as C } from './a';\nexport type { T, U } from './t';\nexport {\n  D, // comment\n  E,\n} from './d';\nexport const F = 1;\n";
    assert.deepEqual(
      parseIndexExports(src).map((e) => `${e.name}:${e.typeOnly}:${e.from}`),
      ['A:false:./a', 'C:false:./a', 'T:true:./t', 'U:true:./t', 'D:false:./d', 'E:false:./d', 'F:false:.'],
    );
  });

  test('links an export to its TypeDoc page with one entry point or with a ./node entry beside it', () => {
    const api = join(scratch, 'api');
    mkdirSync(join(api, 'functions'), { recursive: true });
    mkdirSync(join(api, 'classes'), { recursive: true });
    writeFileSync(join(api, 'functions', '_x_one.f.html'), '');
    writeFileSync(join(api, 'classes', '_x_two.index.C.html'), '');
    assert.deepEqual(apiPage('@x/one', 'f', api), { href: '/api/functions/_x_one.f.html', kind: 'function' });
    assert.deepEqual(apiPage('@x/two', 'C', api), { href: '/api/classes/_x_two.index.C.html', kind: 'class' });
    assert.equal(apiPage('@x/two', 'f', api), null);
  });
});

describe('typedoc config', () => {
  test('documents the packages that have src/index.ts and are not private, in directory order', () => {
    const packages = join(scratch, 'packages');
    const make = (dir, manifest, index = true) => {
      mkdirSync(join(packages, dir, 'src'), { recursive: true });
      writeFileSync(join(packages, dir, 'package.json'), JSON.stringify(manifest));
      if (index) writeFileSync(join(packages, dir, 'src', 'index.ts'), 'export const x = 1;\n');
    };
    make('b-public', { name: '@x/b' });
    make('a-public', { name: '@x/a', private: false });
    make('test-utils', { name: '@x/test-utils', private: true });
    make('no-index', { name: '@x/no-index' }, false);
    mkdirSync(join(packages, 'not-a-package'));
    assert.deepEqual(documentedPackages(packages), [join(packages, 'a-public'), join(packages, 'b-public')]);
  });
});

describe('serve', () => {
  test('maps clean URLs to files and refuses paths outside the site', () => {
    const site = join(scratch, 'site');
    mkdirSync(join(site, 'guide'), { recursive: true });
    writeFileSync(join(site, 'index.html'), 'home');
    writeFileSync(join(site, 'page.html'), 'page');
    writeFileSync(join(site, 'guide', 'index.html'), 'guide');
    writeFileSync(join(scratch, 'secret.txt'), 'secret');
    assert.equal(resolveFile(site, '/'), join(site, 'index.html'));
    assert.equal(resolveFile(site, '/page'), join(site, 'page.html'));
    assert.equal(resolveFile(site, '/page.html?x=1#y'), join(site, 'page.html'));
    assert.equal(resolveFile(site, '/guide/'), join(site, 'guide', 'index.html'));
    assert.equal(resolveFile(site, '/../secret.txt'), null);
    assert.equal(resolveFile(site, '/%2e%2e/secret.txt'), null);
    assert.equal(resolveFile(site, '/missing'), null);
  });
});
