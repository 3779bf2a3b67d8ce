// What a Workers or Vercel Edge app bundles of @idstitch/node: the client, the relay and the providers it
// imports, and no other. size-limit (`.size-limit.js`) holds the bundle to its budget; this checks that it
// holds no adapter the app did not import, in the package as built and in its source modules.
import { build, type Metafile } from 'esbuild'
import { fileURLToPath } from 'node:url'
import { brotliCompressSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'

const here = fileURLToPath(new URL('.', import.meta.url))
const source = (path: string) => fileURLToPath(new URL(`../../packages/${path}`, import.meta.url))

/** A Worker that relays identifies to `providers`, as a user writes it. */
const worker = (providers: string[]) => `
import { createClient, createIdentifyHandler } from '@idstitch/node'
import { ${providers.join(', ')} } from '@idstitch/node/providers'
const factories = { ${providers.join(', ')} }
export default {
  async fetch(request, env) {
    const client = createClient({ providers: Object.values(factories).map((factory) => factory(env.OPTIONS)) })
    return createIdentifyHandler({ client, authenticate: () => env.USER })(request)
  },
}`

/** The worker bundled as wrangler does (esbuild, the workerd conditions), minified; from the packages' source with `fromSource`. */
const bundle = async (providers: string[], fromSource = false): Promise<{ brotli: number; metafile: Metafile }> => {
  const result = await build({
    stdin: { contents: worker(providers), resolveDir: here, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
    ...(fromSource && {
      define: { __IDSTITCH_NAME__: '"@idstitch/node"', __IDSTITCH_VERSION__: '"0.0.0"' },
      alias: {
        '@idstitch/node/providers': source('node/src/providers.ts'),
        '@idstitch/node': source('node/src/edge.ts'),
        '@idstitch/core/internal': source('core/src/internal.ts'),
        '@idstitch/core/cookies': source('core/src/cookies-entry.ts'),
        '@idstitch/core/providers': source('core/src/providers/index.ts'),
        '@idstitch/core': source('core/src/index.ts'),
      },
      nodePaths: [source('node/node_modules'), source('core/node_modules')],
    }),
  })
  return { brotli: brotliCompressSync(result.outputFiles[0]!.contents).length, metafile: result.metafile }
}

/** The adapter modules (core/src/providers/<name>.ts) that reached the output. */
const adaptersIn = (metafile: Metafile): string[] =>
  Object.values(metafile.outputs)
    .flatMap((output) => Object.entries(output.inputs))
    .filter(([path, input]) => input.bytesInOutput > 0 && /core\/src\/providers\/[\w-]+\.ts$/.test(path))
    .map(([path]) => /([\w-]+)\.ts$/.exec(path)![1]!)
    .sort()

describe('an edge bundle of @idstitch/node', () => {
  it('holds the one adapter the app imports, and each further adapter adds only its own code', async () => {
    const pathbound = await bundle(['pathbound'])
    const withGa4 = await bundle(['pathbound', 'ga4'])
    const withAll = await bundle(['pathbound', 'ga4', 'segment', 'posthog', 'mixpanel', 'amplitude', 'datafast', 'dfend', 'thrivestack', 'monterosa'])
    expect(withGa4.brotli - pathbound.brotli).toBeGreaterThan(200)
    expect(withGa4.brotli - pathbound.brotli).toBeLessThanOrEqual(3_000)
    // Had the bundler kept every adapter anyway, importing all of them would add nothing.
    expect(withAll.brotli - withGa4.brotli).toBeGreaterThan(3_000)
  })

  it('reaches one adapter module from the source, without dragging the others (esbuild metafile)', async () => {
    expect(adaptersIn((await bundle(['pathbound'], true)).metafile)).toEqual(['pathbound'])
    // collisions.ts is a helper of datafast's, not an adapter: it comes along with datafast only.
    expect(adaptersIn((await bundle(['datafast', 'ga4'], true)).metafile)).toEqual(['collisions', 'datafast', 'ga4'])
  })
})
