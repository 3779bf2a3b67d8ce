import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'tsup'

// index: the `node` export condition (node:http); edge: every other runtime (ky over fetch, no Node built-in).
const entry = { index: 'src/index.ts', edge: 'src/edge.ts', providers: 'src/providers.ts', 'node-http': 'src/node-http.ts', undici: 'src/undici.ts', sink: 'src/sink-entry.ts', otel: 'src/otel.ts' }
const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { name: string; version: string }
// The SDK's name and version, which Segment-compatible backends record in `context.library`.
const define = { __IDSTITCH_NAME__: JSON.stringify(pkg.name), __IDSTITCH_VERSION__: JSON.stringify(pkg.version) }

// ky, cookie, quick-lru and isbot are bundled into dist: one file loads much faster than their
// many modules (a serverless cold start pays it; see bench/import-time), and
// the CJS build needs ky (ESM-only) bundled anyway.
// @idstitch/core is bundled too (and zod with it, one copy, which checks node's options as well as
// messages): a cold start then loads this package's few files, not twice as many across two packages
// (each ESM module cost ~1 ms to resolve and load; bench §3). Its errors are this package's own copy:
// the isXError() guards recognise either, and @idstitch/node's classes are the ones its users import.
const bundled = ['@idstitch/core', 'ky', 'cookie', 'js-cookie', 'quick-lru', 'zod', 'isbot']

// removeNodeProtocol: false keeps `node:http`, so no bundler mistakes it for an npm package named http.
// metafile: for scripts/notices.mjs, which writes THIRD_PARTY_NOTICES.md from what the bundles hold.
// The core is bundled from its source, as if it were this package's own: one pass of tree-shaking over all of it,
// and the notices see the third-party code (zod) it brings.
const core = (path: string) => fileURLToPath(new URL(`../core/src/${path}`, import.meta.url))
const alias = {
  '@idstitch/core/internal': core('internal.ts'),
  '@idstitch/core/cookies': core('cookies-entry.ts'),
  '@idstitch/core/providers': core('providers/index.ts'),
  '@idstitch/core/adapter': core('adapter.ts'),
  '@idstitch/core': core('index.ts'),
}

const common = {
  entry,
  dts: true,
  target: 'node20',
  sourcemap: true,
  noExternal: bundled,
  define,
  metafile: true,
  removeNodeProtocol: false,
  esbuildOptions(options: { alias?: Record<string, string> }) {
    options.alias = alias
  },
} as const

export default defineConfig([
  { ...common, format: ['esm'], clean: true },
  { ...common, format: ['cjs'] },
])
