import { defineConfig } from 'tsup'

const entry = { index: 'src/index.ts', providers: 'src/providers.ts' }

// ky is ESM-only: the ESM build imports it, the CJS build bundles it so that
// `require('@idstitch/node')` works on every Node >= 20.
export default defineConfig([
  { entry, format: ['esm'], dts: true, clean: true, target: 'node20', sourcemap: true },
  { entry, format: ['cjs'], dts: true, target: 'node20', sourcemap: true, noExternal: ['ky'] },
])
