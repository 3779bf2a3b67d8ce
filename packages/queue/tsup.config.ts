import { readFileSync } from 'node:fs'
import { defineConfig } from 'tsup'

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { name: string; version: string }
// The SDK's name and version, which Segment-compatible backends record in `context.library`.
const define = { __IDSTITCH_NAME__: JSON.stringify(pkg.name), __IDSTITCH_VERSION__: JSON.stringify(pkg.version) }
// metafile: for scripts/notices.mjs (nothing is bundled today: bullmq, ioredis, commander, cli-progress and zod stay dependencies).
const common = { dts: true, target: 'node20', sourcemap: true, define, removeNodeProtocol: false, metafile: true } as const

// One build per format, so that each writes its own metafile (metafile-esm.json, metafile-cjs.json): two ESM
// builds at once wrote the same file, interleaved, and the notices script could not read it. The CLI is ESM
// only; the command itself is bin/, which imports it.
export default defineConfig([
  { ...common, entry: { index: 'src/index.ts', cli: 'src/cli.ts' }, format: ['esm'], dts: { entry: { index: 'src/index.ts' } } },
  { ...common, entry: { index: 'src/index.ts' }, format: ['cjs'] },
])
