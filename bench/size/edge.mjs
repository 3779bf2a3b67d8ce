// What @idstitch/node weighs in an edge bundle (Workers, Vercel Edge): a Worker that relays identifies to one
// provider, bundled by esbuild with the workerd and edge-light conditions, minified, nothing external; what each
// further provider adds; and what the libraries in it weigh alone, bundled the same way. It also says whether
// the bundle imports any Node built-in (it must not).
import { build } from 'esbuild'
import { fileURLToPath } from 'node:url'
import { sizes } from '../lib/measure.mjs'

const here = fileURLToPath(new URL('.', import.meta.url))
/** Each provider and options enough to create it. */
const PROVIDERS = {
  pathbound: "{ apiKey: env.K }",
  ga4: "{ measurementId: 'G-X', apiSecret: env.K }",
  segment: "{ writeKey: env.K }",
  posthog: "{ apiKey: env.K }",
  mixpanel: "{ token: env.K }",
  amplitude: "{ apiKey: env.K }",
  datafast: "{ apiKey: env.K }",
  dfend: "{ apiKey: env.K }",
  thrivestack: "{ apiKey: env.K }",
  monterosa: "{ projectId: env.K }",
  http: "{ url: env.URL }",
}
const worker = (providers) => `
import { createClient, createIdentifyHandler } from '@idstitch/node'
import { ${providers.join(', ')} } from '@idstitch/node/providers'
export default {
  async fetch(request, env, ctx) {
    const client = createClient({ providers: [${providers.map((name) => `${name}(${PROVIDERS[name]})`).join(', ')}] })
    return createIdentifyHandler({ client, authenticate: () => env.USER })(request)
  },
}
`
/** The libraries in the bundle, alone, used as idstitch uses them. */
const LIBRARIES = {
  ky: "import ky from 'ky'; export default (url) => ky.post(url, { json: {}, retry: 0, timeout: 1000, hooks: {} })",
  'zod (the zod/mini functions idstitch uses)': "import * as z from 'zod/mini'; export const a = z.object({ a: z.string().check(z.minLength(1), z.refine(() => true)), b: z.optional(z.union([z.email(), z.iso.datetime(), z.date()])), c: z.record(z.string().check(z.regex(/x/)), z.custom(() => true)), d: z.nullish(z.string()), e: z.array(z.int().check(z.gte(1))), f: z._default(z.literal(false), false), g: z.prefault(z.boolean(), false) }); export const parse = (v) => a.safeParse(v)",
  cookie: "export { parse, serialize } from 'cookie'",
  'quick-lru': "export { default } from 'quick-lru'",
  'js-cookie': "import Cookies from 'js-cookie'; export const write = Cookies.converter.write",
}

const bundle = async (contents, conditions = ['workerd', 'worker', 'browser']) => {
  const result = await build({
    stdin: { contents, resolveDir: here, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    conditions,
    mainFields: ['module', 'main'],
    target: 'es2022',
    legalComments: 'none',
    write: false,
    metafile: true,
    logLevel: 'silent',
    nodePaths: [fileURLToPath(new URL('../../packages/node/node_modules', import.meta.url)), fileURLToPath(new URL('../../packages/core/node_modules', import.meta.url))],
  })
  const external = Object.values(result.metafile.outputs).flatMap((output) => output.imports.filter((imported) => imported.external).map((imported) => imported.path))
  return { ...sizes(result.outputFiles[0].contents), external }
}

export const runEdgeSize = async () => {
  const rows = []
  for (const conditions of [['workerd', 'worker', 'browser'], ['edge-light', 'worker', 'browser']]) rows.push({ condition: conditions[0], ...(await bundle(worker(['pathbound']), conditions)) })
  const one = rows[0]
  // Each further provider, added alone to the one-provider Worker: what it adds.
  const further = []
  for (const name of Object.keys(PROVIDERS).filter((name) => name !== 'pathbound')) {
    const both = await bundle(worker(['pathbound', name]))
    further.push({ name, brotli: both.brotli - one.brotli, min: both.min - one.min })
  }
  const all = await bundle(worker(Object.keys(PROVIDERS)))
  const libraries = []
  for (const [name, code] of Object.entries(LIBRARIES)) libraries.push({ name, ...(await bundle(code)) })
  return { rows, further, all, libraries, target: 15_000, furtherTarget: 3_000 }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(JSON.stringify(await runEdgeSize(), null, 2))
