import { defineConfig } from 'tsup'

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  target: 'es2022',
  sourcemap: true,
  // next/server and next/headers are Next's own (a peer): never bundled. For scripts/notices.mjs: nothing is.
  external: ['next', /^next\//],
  metafile: true,
})
