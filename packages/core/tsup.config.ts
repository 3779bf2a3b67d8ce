import { defineConfig } from 'tsup'

// zod is bundled (tree-shaken, one file) rather than imported: loading its many
// modules at start-up cost a serverless cold start ~50 ms (bench/import-time).
// The adapters share one chunk, reached through providers.js only: a bundler
// keeps just the ones an app imports (defineProvider is marked pure), and a
// cold start loads one file for all of them (a file each cost ~1 ms apiece).
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    cookies: 'src/cookies-entry.ts',
    providers: 'src/providers/index.ts',
    adapter: 'src/adapter.ts',
  },
  noExternal: ['zod'],
  format: ['esm', 'cjs'],
  dts: true,
  target: 'es2022',
  sourcemap: true,
  // For scripts/notices.mjs: which third-party code the bundles hold.
  metafile: true,
})
