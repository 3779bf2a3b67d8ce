// What @idstitch/node weighs in an edge bundle (Workers, Vercel Edge): the
// relay and an identify to two providers, bundled by esbuild with the
// workerd and edge-light conditions, minified, nothing external. It also
// says whether the bundle imports any Node built-in (it must not).
import { build } from 'esbuild'
import { fileURLToPath } from 'node:url'
import { sizes } from '../lib/measure.mjs'

const here = fileURLToPath(new URL('.', import.meta.url))
const APP = `
import { createClient, createIdentifyHandler } from '@idstitch/node'
import { pathbound, segment } from '@idstitch/node/providers'
export default {
  async fetch(request, env, ctx) {
    const client = createClient({ providers: [pathbound({ apiKey: env.PATHBOUND_API_KEY }), segment({ writeKey: env.SEGMENT_WRITE_KEY, baseUrl: 'https://api.segment.io' })] })
    if (new URL(request.url).pathname === '/api/identify') return createIdentifyHandler({ client, authenticate: () => env.USER })(request)
    client.identify({ userId: 'usr_1' }, { waitUntil: (promise) => ctx.waitUntil(promise) })
    return new Response('ok')
  },
}
`

export const runEdgeSize = async () => {
  const rows = []
  for (const conditions of [['workerd', 'worker', 'browser'], ['edge-light', 'worker', 'browser']]) {
    const result = await build({
      stdin: { contents: APP, resolveDir: here, loader: 'js' },
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
    })
    const external = Object.values(result.metafile.outputs).flatMap((output) => output.imports.filter((imported) => imported.external).map((imported) => imported.path))
    rows.push({ condition: conditions[0], ...sizes(result.outputFiles[0].contents), external })
  }
  return rows
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(await runEdgeSize())
