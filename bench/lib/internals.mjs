// The parts of @idstitch/node that no entry publishes (the delivery lane, message validation, the
// de-duplication fingerprint), bundled from source with esbuild as tsup bundles them into dist/, for the
// breakdowns in bench/README.md. Measured here only; nothing else may import them.
import { mkdirSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'esbuild'

const source = (path) => fileURLToPath(new URL(`../../packages/${path}`, import.meta.url))
const out = fileURLToPath(new URL('../../.cache/bench/internals.mjs', import.meta.url))

const ENTRY = `
export { createDeliveryLane } from ${JSON.stringify(source('node/src/delivery.ts'))}
export { createRedactor } from ${JSON.stringify(source('node/src/redact.ts'))}
export { stampEvent } from ${JSON.stringify(source('node/src/prepare.ts'))}
export { fingerprintOf } from ${JSON.stringify(source('node/src/dedupe.ts'))}
`

/** The internals, built once per run. */
export const loadInternals = async () => {
  mkdirSync(fileURLToPath(new URL('../../.cache/bench/', import.meta.url)), { recursive: true })
  await build({
    stdin: { contents: ENTRY, resolveDir: source('node'), loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outfile: out,
    logLevel: 'silent',
    define: { __IDSTITCH_NAME__: '"@idstitch/node"', __IDSTITCH_VERSION__: '"bench"' },
    alias: {
      '@idstitch/core/internal': source('core/src/internal.ts'),
      '@idstitch/core/adapter': source('core/src/adapter.ts'),
      '@idstitch/core/providers': source('core/src/providers/index.ts'),
      '@idstitch/core': source('core/src/index.ts'),
    },
    nodePaths: [source('node/node_modules'), source('core/node_modules')],
  })
  return import(pathToFileURL(out).href)
}
