import { defineConfig } from 'tsup'

// metafile: for scripts/notices.mjs (nothing is bundled: zod stays a dependency).
const common = { target: 'node20', sourcemap: true, removeNodeProtocol: false, metafile: true } as const

// One build per format, so that each writes its own metafile (metafile-esm.json, metafile-cjs.json): two ESM
// builds at once wrote the same file, interleaved, and the notices script could not read it. The CLI is ESM
// only; the command itself is bin/, which imports it.
export default defineConfig([
  { ...common, entry: { index: 'src/index.ts', cli: 'src/cli.ts' }, format: ['esm'], dts: { entry: { index: 'src/index.ts' } } },
  { ...common, entry: { index: 'src/index.ts' }, format: ['cjs'], dts: true },
])
