import { build } from 'esbuild'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { sizes } from '../lib/measure.mjs'
import { entries, identifyingPeers } from './entries.mjs'

const require = createRequire(import.meta.url)
const here = fileURLToPath(new URL('.', import.meta.url))

/** Bundles `code` as a minified es2018 IIFE for the browser and returns its bytes. */
const bundle = async (code) => {
  const result = await build({
    stdin: { contents: code, resolveDir: here, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2018',
    platform: 'browser',
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  })
  return result.outputFiles[0].contents
}

export const runSize = async () => {
  const rows = [{ name: '@idstitch/tracker (script tag)', ...sizes(readFileSync(require.resolve('@idstitch/tracker/script'))), identifies: true, ours: true }]
  for (const [name, code] of Object.entries(entries)) {
    try {
      rows.push({ name, ...sizes(await bundle(code)), identifies: identifyingPeers.includes(name) })
    } catch (error) {
      rows.push({ name, error: String(error.message ?? error).split('\n')[0] })
    }
  }
  // What an app's bundler keeps of the ESM build for the tracker (js-cookie included), as size-limit checks it.
  rows.splice(1, 0, { name: '@idstitch/tracker (ESM: createTracker)', ...sizes(await bundle("import { createTracker } from '@idstitch/tracker'; window.t = createTracker({ endpoint: '/api/identify' })")), identifies: true, ours: true, esm: true })
  const ours = rows[0]
  const smallestPeer = rows.filter((row) => row.identifies && !row.ours && row.brotli).sort((a, b) => a.brotli - b.brotli)[0]
  return {
    rows,
    ratio: smallestPeer ? smallestPeer.brotli / ours.brotli : undefined,
    smallestPeer: smallestPeer?.name,
    ours: ours.brotli,
    esm: rows[1].brotli,
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(JSON.stringify(await runSize(), null, 2))
