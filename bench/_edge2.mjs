import { build } from 'esbuild'
import { brotliCompressSync } from 'node:zlib'
const APP = `
import { createClient, createIdentifyHandler } from '@idstitch/node'
import { pathbound } from '@idstitch/node/providers'
export default { async fetch(request, env, ctx) {
  const client = createClient({ providers: [pathbound({ apiKey: env.K })] })
  return createIdentifyHandler({ client, authenticate: () => env.USER })(request)
} }`
const src = (p) => new URL(`../packages/${p}`, import.meta.url).pathname
const r = await build({ stdin: { contents: APP, resolveDir: process.cwd(), loader: 'js' }, bundle: true, minify: true, format: 'esm', platform: 'neutral', conditions: ['workerd', 'worker', 'browser'], mainFields: ['module', 'main'], target: 'es2022', write: false, metafile: true, logLevel: 'silent', legalComments: 'none',
  define: { __IDSTITCH_NAME__: '"n"', __IDSTITCH_VERSION__: '"v"' },
  alias: { '@idstitch/node/providers': src('node/src/providers.ts'), '@idstitch/node': src('node/src/edge.ts'), '@idstitch/core/internal': src('core/src/internal.ts'), '@idstitch/core/cookies': src('core/src/cookies-entry.ts'), '@idstitch/core/providers': src('core/src/providers/index.ts'), '@idstitch/core': src('core/src/index.ts') }, nodePaths: [src('node/node_modules'), src('core/node_modules')] })
const c = r.outputFiles[0].contents
console.log('total', c.length, brotliCompressSync(c).length)
const ins = Object.entries(r.metafile.outputs)[0][1].inputs
const groups = {}
for (const [k, v] of Object.entries(ins)) { const g = k.includes('zod') ? 'zod' : k.includes('/ky/') ? 'ky' : k.replace(/.*packages\//, '').replace(/.*node_modules\/\.pnpm\/([^/]+).*/, '$1'); groups[g] = (groups[g] || 0) + v.bytesInOutput }
console.log(Object.entries(groups).sort((a, b) => b[1] - a[1]).map(([k, v]) => v + ' ' + k).join('\n'))
console.log(Object.entries(ins).filter(([k]) => k.includes('zod')).sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput).map(([k, v]) => v.bytesInOutput + ' ' + k.replace(/.*zod@[^/]+\/node_modules\/zod\//, '')).join('\n'))
