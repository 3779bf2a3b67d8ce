import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { defineConfig, type Options } from 'tsup'

// index: the `node` export condition (node:http); edge: every other runtime (ky over fetch, no Node built-in).
export const entry = { index: 'src/index.ts', edge: 'src/edge.ts', providers: 'src/providers.ts', 'node-http': 'src/node-http.ts', undici: 'src/undici.ts', sink: 'src/sink-entry.ts', otel: 'src/otel.ts' }
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
export const alias = {
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
  esbuildOptions(options: { alias?: Record<string, string>; legalComments?: string }) {
    options.alias = alias
    // The bundled packages' licences ship in THIRD_PARTY_NOTICES.md (scripts/notices.mjs), as the tracker's do;
    // ky's comment, with its copyright sign, would make dist/ky.js two-byte text.
    options.legalComments = 'none'
  },
} as const

// The ESM entries share one module, dist/shared.js, built from src/shared.ts on its own, rather than
// esbuild's chunks (one per set of entries that uses a part: `import('@idstitch/node')` loaded eight
// modules, each ~1 ms of a cold start; now two). An entry bundles only its own modules: the entry
// itself, the adapters, and the few parts one entry alone uses. Every other import in them becomes an
// import from './shared.js', by the same name, which src/shared.ts exports.
export const OWN = /\/core\/src\/providers\/|\/node\/src\/(index|edge|common|providers|node-http|node-http-transport|node-handler|undici|undici-transport|sink-entry|custom-pipeline|deadline-watch|sender|stored-item|otel|trace-context)\.ts$/
/** Packages the entries import but never bundle: the app installs them. */
export const installed = /^(node:|undici$|@opentelemetry\/api$)/
type Plugin = NonNullable<Options['esbuildPlugins']>[number]
const toShared: Plugin = {
  name: 'idstitch-shared-module',
  setup(build) {
    build.onResolve({ filter: /.*/ }, async (args) => {
      if (args.kind === 'entry-point' || args.pluginData === toShared || !OWN.test(args.importer)) return undefined
      if (installed.test(args.path)) return { path: args.path, external: true }
      const resolved = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: toShared })
      if (resolved.errors.length > 0) return { errors: resolved.errors }
      return OWN.test(resolved.path) ? resolved : { path: './shared.js', external: true }
    })
  },
}

/** ky, which the shared module imports on an edge runtime's first send, is dist/ky.js: a module of its own, not a chunk. */
const kyModule: Plugin = {
  name: 'idstitch-ky-module',
  setup(build) {
    build.onResolve({ filter: /^ky$/ }, (args) => (args.importer.endsWith('/src/ky-transport.ts') ? { path: './ky.js', external: true } : undefined))
  },
}

/**
 * The build fails on a character outside ASCII in a module an import loads: one is enough for Node to decode the
 * whole file as UTF-8 and for V8 to hold and parse it as two-byte text (~1 ms of a cold start). esbuild escapes
 * strings; comments it keeps as written (a class field's doc comment, say), so they must be ASCII in the source.
 */
const asciiOnly: Plugin = {
  name: 'idstitch-ascii-only',
  setup(build) {
    build.onEnd((result) => {
      for (const file of result.outputFiles ?? []) {
        if (!file.path.endsWith('.js')) continue
        const at = file.text.search(/[^\t\n\r -~]/)
        if (at < 0) continue
        const line = file.text.slice(0, at).split('\n').length
        throw new Error(`${file.path}:${line}: ${JSON.stringify(file.text[at])} is outside ASCII; keep this module ASCII (a comment esbuild keeps is written as it is in the source)`)
      }
    })
  },
}

export default defineConfig([
  // No splitting: esbuild would put its helpers in a chunk of their own, a third module to load.
  { ...common, entry: { shared: 'src/shared.ts', ky: 'src/ky.ts' }, dts: false, format: ['esm'], splitting: false, esbuildPlugins: [kyModule, asciiOnly] },
  // No metafile: these entries bundle no third-party code (the plugin sends every package but the installed
  // ones to the shared module), and a second metafile-esm.json would overwrite the shared module's, which
  // scripts/notices.mjs reads.
  { ...common, format: ['esm'], splitting: false, metafile: false, esbuildPlugins: [toShared, asciiOnly] },
  { ...common, format: ['cjs'] },
])
