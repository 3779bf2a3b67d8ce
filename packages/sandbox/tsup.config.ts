import { defineConfig } from 'tsup'

// metafile: for scripts/notices.mjs (nothing is bundled: zod stays a dependency).
const common = { target: 'node20', sourcemap: true, removeNodeProtocol: false, metafile: true } as const

export default defineConfig([
  { ...common, entry: { index: 'src/index.ts' }, format: ['esm', 'cjs'], dts: true, clean: true },
  // The CLI: ESM only, with its shebang kept (tsup makes the file executable).
  { ...common, entry: { cli: 'src/cli.ts' }, format: ['esm'], dts: false },
])
