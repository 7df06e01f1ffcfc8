import { defineConfig } from 'vitepress';

// Everything the site needs is in the repository or node_modules: no CDN, no web fonts.
export default defineConfig({
  title: 'peftjs',
  description: 'Composable parameter-efficient fine-tuning on TensorFlow.js, with EVA.',
  lang: 'en-GB',
  lastUpdated: false,
  srcExclude: ['data/**', 'snippets/**', 'README.md'],
  // The API reference (TypeDoc HTML in public/api) and demo assets are plain static files.
  ignoreDeadLinks: [/^\/api\//],
  markdown: {
    math: true, // markdown-it-mathjax3: formulas become SVG at build time
  },
  vite: {
    // The packages' main entries, from source: they reach no node: module (npm test checks this with
    // tools/scripts/check-browser-entries.mjs), so the client bundle needs no stub for Node builtins.
    resolve: { conditions: ['@peftjs/source'] },
    ssr: { resolve: { conditions: ['@peftjs/source'] } },
    build: { chunkSizeWarningLimit: 8000 },
    // tfjs touches node builtins behind dynamic imports that never run in the browser.
    optimizeDeps: { exclude: ['@tensorflow/tfjs-backend-wasm'] },
  },
  themeConfig: {
    nav: [
      { text: 'Getting started', link: '/getting-started' },
      { text: 'Concepts', link: '/concepts/' },
      { text: 'Guides', link: '/guides/custom-rank-allocator' },
      { text: 'EVA', link: '/eva/method' },
      { text: 'Demo', link: '/demo' },
      { text: 'API', link: '/api/index.html', target: '_self' },
    ],
    sidebar: [
      {
        text: 'Introduction',
        items: [
          { text: 'Getting started', link: '/getting-started' },
          { text: 'In-browser demo', link: '/demo' },
        ],
      },
      {
        text: 'Packages',
        items: [
          { text: 'Overview', link: '/concepts/' },
          { text: '@peftjs/core', link: '/concepts/core' },
          { text: '@peftjs/hooks', link: '/concepts/hooks' },
          { text: '@peftjs/streaming-svd', link: '/concepts/streaming-svd' },
          { text: '@peftjs/rank-allocator', link: '/concepts/rank-allocator' },
          { text: '@peftjs/lora', link: '/concepts/lora' },
          { text: '@peftjs/trainer', link: '/concepts/trainer' },
          { text: '@peftjs/models', link: '/concepts/models' },
          { text: '@peftjs/eva', link: '/concepts/eva' },
          { text: '@peftjs/cli', link: '/concepts/cli' },
        ],
      },
      {
        text: 'Plug points',
        items: [
          { text: 'Backend', link: '/plug-points/backend' },
          { text: 'StreamingDecomposer', link: '/plug-points/streaming-decomposer' },
          { text: 'RankAllocator', link: '/plug-points/rank-allocator' },
          { text: 'LoraInitializer', link: '/plug-points/lora-initializer' },
          { text: 'LoraVariant', link: '/plug-points/lora-variant' },
        ],
      },
      {
        text: 'Guides',
        items: [
          { text: 'Swap the rank allocator', link: '/guides/custom-rank-allocator' },
          { text: 'Bring a Hugging Face checkpoint', link: '/guides/hugging-face-checkpoint' },
          { text: 'Compute EVA once, train many times', link: '/guides/eva-once-train-many' },
          { text: 'Use a GPU backend', link: '/guides/gpu-backend' },
          { text: 'Move an adapter to Python PEFT', link: '/guides/python-peft' },
        ],
      },
      {
        text: 'EVA',
        items: [
          { text: 'The method', link: '/eva/method' },
          { text: 'Benchmarks', link: '/eva/benchmarks' },
        ],
      },
      {
        text: 'Project',
        items: [
          { text: 'Changelog', link: '/changelog' },
          { text: 'Contributing', link: '/contributing' },
          { text: 'API reference', link: '/api/index.html', target: '_self' },
        ],
      },
    ],
    search: { provider: 'local' },
    outline: [2, 3],
    footer: { message: 'MIT licensed. Built offline with VitePress and TypeDoc.' },
  },
});
