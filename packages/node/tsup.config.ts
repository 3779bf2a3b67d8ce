import { defineConfig } from 'tsup'

const entry = { index: 'src/index.ts', providers: 'src/providers.ts' }

// ky and cookie are bundled into dist: one file loads much faster than their
// many modules (a serverless cold start pays it; see bench/import-time), and
// the CJS build needs ky (ESM-only) bundled anyway.
const bundled = ['ky', 'cookie']

export default defineConfig([
  { entry, format: ['esm'], dts: true, clean: true, target: 'node20', sourcemap: true, noExternal: bundled },
  { entry, format: ['cjs'], dts: true, target: 'node20', sourcemap: true, noExternal: bundled },
])
