import { readFileSync } from 'node:fs'
import { defineConfig } from 'tsup'

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { name: string; version: string }
// The SDK's name and version, which Segment-compatible backends record in `context.library`.
const define = { __IDSTITCH_NAME__: JSON.stringify(pkg.name), __IDSTITCH_VERSION__: JSON.stringify(pkg.version) }
// metafile: for scripts/notices.mjs (nothing is bundled today: bullmq, ioredis, commander, cli-progress and zod stay dependencies).
const common = { dts: true, target: 'node20', sourcemap: true, define, removeNodeProtocol: false, metafile: true } as const

export default defineConfig([
  { ...common, entry: { index: 'src/index.ts' }, format: ['esm', 'cjs'], clean: true },
  // The CLI: ESM only, with its shebang kept (tsup makes the file executable).
  { ...common, entry: { cli: 'src/cli.ts' }, format: ['esm'], dts: false },
])
