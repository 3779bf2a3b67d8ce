import { build } from 'esbuild'
import { brotliCompressSync, constants } from 'node:zlib'
const r = await build({ entryPoints: [process.argv[2]], bundle: true, minify: true, format: 'iife', target: 'es2018', legalComments: 'none', write: false, nodePaths: ['/work/main/packages/tracker/node_modules'], alias: process.env.STUB ? { "js-cookie": process.env.STUB } : {}, logLevel: 'silent' })
const b = r.outputFiles[0].contents
console.log(b.length, brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length)
if (process.argv[3]) console.log(new TextDecoder().decode(b))
