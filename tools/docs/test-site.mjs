#!/usr/bin/env node
// `npm run docs:test`: serves the built site (docs/.vitepress/dist) on 127.0.0.1 and drives headless
// Chromium through it. Checks: every page renders without console errors, every same-origin link
// answers HTTP 200 (the TypeDoc reference under /api/ included), formulas are rendered on the EVA
// page, and the in-browser demo runs EVA and LoRA steps with a falling loss. Writes screenshots of
// the home page and the demo to screenshots/. Prints `N passed, M failed`; exits 1 on any failure.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { DIST, serve } from './serve.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const screenshots = join(root, 'screenshots');
const DEMO_TIMEOUT_MS = Number(process.env.DOCS_DEMO_TIMEOUT_MS ?? 240_000);
const MAX_API_PAGES = 5000;

let passed = 0;
let failed = 0;
function check(ok, label, detail = '') {
  if (ok) {
    passed++;
    console.log(`ok - ${label}`);
  } else {
    failed++;
    console.log(`not ok - ${label}${detail ? `\n    ${detail.replace(/\n/g, '\n    ')}` : ''}`);
  }
  return ok;
}

function findChromium() {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  for (const p of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) if (existsSync(p)) return p;
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('docs:test needs Chromium: install it (`apt-get install chromium`) or set CHROMIUM_PATH');
  }
}

function normalise(href, origin) {
  let url;
  try {
    url = new URL(href, origin);
  } catch {
    return null;
  }
  if (url.origin !== origin) return null;
  url.hash = '';
  url.search = '';
  return url.pathname;
}

/** hrefs/srcs in an HTML document, for pages checked over plain HTTP (the TypeDoc reference). */
function linksInHtml(html, pageUrl, origin) {
  const out = [];
  for (const m of html.matchAll(/\s(?:href|src)="([^"]+)"/g)) {
    const raw = m[1].replace(/&amp;/g, '&');
    if (/^(mailto:|javascript:|data:)/.test(raw)) continue;
    const path = normalise(new URL(raw, pageUrl).href, origin);
    if (path !== null) out.push(path);
  }
  return out;
}

async function main() {
  if (!existsSync(join(DIST, 'index.html'))) {
    console.error(`docs:test: ${DIST} has no index.html; run \`npm run docs:build\` first`);
    process.exit(1);
  }
  const started = performance.now();
  const { server, url: origin } = await serve(DIST, 0);
  const userDataDir = mkdtempSync(join(tmpdir(), 'peftjs-docs-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: findChromium(),
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 900 },
  });
  // Nothing may leave the machine: abort any request that is not to our server.
  const external = new Set();
  await context.route('**/*', (route) => {
    const u = route.request().url();
    if (u.startsWith(origin) || u.startsWith('data:') || u.startsWith('blob:')) return route.continue();
    external.add(u);
    return route.abort();
  });
  mkdirSync(screenshots, { recursive: true });

  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const consoleErrors = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(msg.text());
    });
    page.on('pageerror', (err) => consoleErrors.push(`uncaught: ${err.message}`));

    // 1. Crawl the site pages in the browser, collecting every same-origin href.
    const seen = new Set(['/']);
    const queue = ['/'];
    const linked = new Map(); // path -> first page linking to it
    let pagesRendered = 0;
    while (queue.length > 0) {
      const path = queue.shift();
      consoleErrors.length = 0;
      const response = await page.goto(origin + path, { waitUntil: 'networkidle' });
      const status = response?.status() ?? 0;
      const title = await page.title();
      const hasContent = (await page.locator('.VPContent').count()) > 0;
      check(
        status === 200 && hasContent && consoleErrors.length === 0,
        `page ${path} renders without console errors`,
        `status ${status}, VitePress content ${hasContent ? 'present' : 'missing'}, title "${title}"${consoleErrors.length ? `\nconsole errors:\n${consoleErrors.join('\n')}` : ''}`,
      );
      pagesRendered++;
      if (path === '/') await page.screenshot({ path: join(screenshots, 'home.png'), fullPage: false });
      const hrefs = await page.$$eval('a[href], link[href], script[src], img[src]', (els) =>
        els.map((e) => e.getAttribute('href') ?? e.getAttribute('src')),
      );
      for (const href of hrefs) {
        if (href === null || /^(mailto:|javascript:|data:)/.test(href)) continue;
        const target = normalise(new URL(href, origin + path).href, origin);
        if (target === null) continue;
        if (!linked.has(target)) linked.set(target, path);
        const isSitePage =
          !target.startsWith('/api/') &&
          !target.startsWith('/assets/') &&
          (target.endsWith('.html') || target.endsWith('/') || !/\.[a-z0-9]+$/i.test(target));
        if (isSitePage && !seen.has(target)) {
          seen.add(target);
          queue.push(target);
        }
      }
    }
    check(pagesRendered >= 20, `crawled ${pagesRendered} site pages from / (expected at least 20)`);

    // 2. Every same-origin link answers 200; TypeDoc pages are fetched and their links followed too.
    const apiQueue = [...linked.keys()].filter((p) => p.startsWith('/api/'));
    const apiSeen = new Set(apiQueue);
    check(apiSeen.has('/api/index.html'), 'the navigation links to the API reference at /api/index.html');
    const broken = [];
    let checkedLinks = 0;
    const statusOf = async (path) => (await fetch(origin + path, { method: 'GET' })).status;
    for (const [path, from] of linked) {
      if (path.startsWith('/api/')) continue;
      checkedLinks++;
      const status = await statusOf(path);
      if (status !== 200) broken.push(`${path} (HTTP ${status}, linked from ${from})`);
    }
    while (apiQueue.length > 0 && apiSeen.size < MAX_API_PAGES) {
      const path = apiQueue.shift();
      checkedLinks++;
      const response = await fetch(origin + path);
      if (response.status !== 200) {
        broken.push(`${path} (HTTP ${response.status}, linked from ${linked.get(path) ?? 'the API reference'})`);
        continue;
      }
      if (!path.endsWith('.html')) continue;
      for (const target of linksInHtml(await response.text(), origin + path, origin)) {
        if (!linked.has(target)) linked.set(target, path);
        if (target.startsWith('/api/') && !apiSeen.has(target)) {
          apiSeen.add(target);
          apiQueue.push(target);
        } else if (!target.startsWith('/api/') && !seen.has(target) && (await statusOf(target)) !== 200) {
          broken.push(`${target} (linked from ${path})`);
        }
      }
    }
    check(
      apiSeen.size > 20,
      `the API reference has ${apiSeen.size} pages reachable from the site (expected more than 20)`,
    );
    check(broken.length === 0, `all ${checkedLinks} internal links answer HTTP 200`, broken.slice(0, 30).join('\n'));
    check(external.size === 0, 'no page requests anything outside the site', [...external].slice(0, 20).join('\n'));

    // 3. Formulas are rendered at build time (MathJax SVG) on the EVA page.
    await page.goto(`${origin}/eva/method.html`, { waitUntil: 'networkidle' });
    const formulas = await page.locator('mjx-container svg').count();
    const rawTex = await page
      .locator('.vp-doc')
      .evaluate((el) => /\$\$|\\frac|\\operatorname/.test(el.textContent ?? ''));
    check(formulas >= 10 && !rawTex, `EVA page shows rendered formulas (${formulas} MathJax SVGs, no raw TeX)`);

    // 4. Benchmarks page never shows invented numbers: each section is recorded or says so.
    await page.goto(`${origin}/eva/benchmarks.html`, { waitUntil: 'networkidle' });
    const summary = await page
      .locator('.bench-summary')
      .getAttribute('data-recorded')
      .catch(() => null);
    check(summary !== null, `benchmarks page generated (${summary ?? '?'} benchmarks recorded)`);

    // 5. The in-browser demo: EVA, then LoRA steps, with a falling loss.
    consoleErrors.length = 0;
    await page.goto(`${origin}/demo.html`, { waitUntil: 'networkidle' });
    const demo = page.locator('.eva-demo');
    await demo.locator('button.eva-demo-run').click();
    const t0 = performance.now();
    let status = 'unknown';
    try {
      await page.waitForFunction(
        () => ['done', 'error'].includes(document.querySelector('.eva-demo')?.getAttribute('data-status') ?? ''),
        null,
        { timeout: DEMO_TIMEOUT_MS, polling: 500 },
      );
      status = await demo.getAttribute('data-status');
    } catch {
      status = `timeout after ${DEMO_TIMEOUT_MS / 1000} s (last status ${await demo.getAttribute('data-status')})`;
    }
    await page.screenshot({ path: join(screenshots, 'demo.png'), fullPage: true });
    const error = await demo.getAttribute('data-error');
    const losses = ((await demo.getAttribute('data-losses')) ?? '').split(',').filter(Boolean).map(Number);
    const ranks = JSON.parse((await demo.getAttribute('data-ranks')) || '{}');
    const backend = await demo.getAttribute('data-backend');
    check(
      status === 'done',
      `in-browser demo finished on ${backend} in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      `status ${status}${error ? `: ${error}` : ''}`,
    );
    const rankValues = Object.values(ranks);
    check(
      rankValues.length > 0 && rankValues.every((r) => Number.isInteger(r) && r >= 0),
      `demo shows the EVA rank distribution (${rankValues.length} layers, ranks ${rankValues.join(' ')})`,
    );
    const trainLosses = ((await demo.getAttribute('data-train-losses')) ?? '').split(',').filter(Boolean).map(Number);
    check(
      losses.length >= 5 && losses.every(Number.isFinite) && losses.at(-1) < losses[0],
      `demo held-out loss falls (${losses.length} evaluations, first ${losses[0]?.toFixed(4)}, last ${losses.at(-1)?.toFixed(4)})`,
    );
    check(
      trainLosses.length >= 10 && trainLosses.every(Number.isFinite),
      `demo reports a finite training loss for each of its ${trainLosses.length} LoRA steps`,
    );
    check(consoleErrors.length === 0, 'demo runs without console errors', consoleErrors.join('\n'));
  } finally {
    await context.close();
    server.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
  console.log(`docs:test took ${((performance.now() - started) / 1000).toFixed(1)} s; screenshots in ${screenshots}`);
}

try {
  await main();
} catch (error) {
  check(false, 'docs:test ran to the end', error instanceof Error ? (error.stack ?? error.message) : String(error));
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
