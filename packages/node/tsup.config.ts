import { readFileSync } from 'node:fs'
import { defineConfig } from 'tsup'

// index: the `node` export condition (node:http); edge: every other runtime (ky over fetch, no Node built-in).
const entry = { index: 'src/index.ts', edge: 'src/edge.ts', providers: 'src/providers.ts', 'node-http': 'src/node-http.ts', undici: 'src/undici.ts', internal: 'src/internal.ts' }
const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { name: string; version: string }
// The SDK's name and version, which Segment-compatible backends record in `context.library`.
const define = { __IDSTITCH_NAME__: JSON.stringify(pkg.name), __IDSTITCH_VERSION__: JSON.stringify(pkg.version) }

// ky, cookie, quick-lru and zod (the option checks; core bundles its own for messages) are bundled into dist: one file loads much faster than their
// many modules (a serverless cold start pays it; see bench/import-time), and
// the CJS build needs ky (ESM-only) bundled anyway.
const bundled = ['ky', 'cookie', 'quick-lru', 'zod']

// removeNodeProtocol: false keeps `node:http`, so no bundler mistakes it for an npm package named http.
// metafile: for scripts/notices.mjs, which writes THIRD_PARTY_NOTICES.md from what the bundles hold.
const common = { entry, dts: true, target: 'node20', sourcemap: true, noExternal: bundled, define, metafile: true, removeNodeProtocol: false } as const

export default defineConfig([
  { ...common, format: ['esm'], clean: true },
  { ...common, format: ['cjs'] },
])
