import { defineConfig } from 'tsup'

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  target: 'es2022',
  sourcemap: true,
  // The provider and the hook run in the browser: in Next's app router, a module a server component imports them from
  // must say so. esbuild drops a directive when it bundles; the banner puts it back at the top of each file.
  banner: { js: "'use client';" },
  // For scripts/notices.mjs (nothing is bundled: the tracker and React stay imports).
  metafile: true,
})
