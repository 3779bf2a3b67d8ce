// The size budgets `pnpm test` holds the tracker to (size-limit, brotli). bench §1 prices each part.
// size-limit reads every check through esbuild (its plugin is needed for the ESM check), so the
// script tag's figure is its terser-minified file minified again by esbuild: ~35 B over the bytes
// served, which bench §1 reports.
export default [
  {
    name: '@idstitch/tracker script tag',
    path: 'packages/tracker/dist/idstitch.js',
    brotli: true,
    limit: '2450 B',
  },
  {
    // What an app's bundler keeps of the ESM build for the tracker, js-cookie included.
    name: '@idstitch/tracker ESM: import { createTracker }',
    path: 'packages/tracker/dist/index.js',
    import: '{ createTracker }',
    brotli: true,
    limit: '2400 B',
  },
]
