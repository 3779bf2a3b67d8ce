import { build } from 'esbuild'
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { brotliCompressSync, constants } from 'node:zlib'
const root = fileURLToPath(new URL('../../packages/tracker', import.meta.url))
const br = (b) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length
const variant = async (name, edits, alias = {}) => {
  const dir = join(tmpdir(), `idstitch-features-${name}`)
  rmSync(dir, { recursive: true, force: true }); mkdirSync(dir, { recursive: true })
  cpSync(`${root}/src`, `${dir}/src`, { recursive: true })
  for (const [file, from, to] of edits) {
    const p = `${dir}/src/${file}`; const s = readFileSync(p, 'utf8')
    if (!s.includes(from)) throw new Error(`${name}: edit not found in ${file}: ${from.slice(0, 60)}`)
    writeFileSync(p, s.replace(from, to))
  }
  const result = await build({ entryPoints: [`${dir}/src/script-tag.ts`], bundle: true, minify: true, format: 'iife', target: 'es2018', legalComments: 'none', write: false, nodePaths: [join(root, 'node_modules')], alias, logLevel: 'silent' })
  rmSync(dir, { recursive: true, force: true })
  return br(result.outputFiles[0].contents)
}
const features = {
  'consent': [['tracker.ts', "let allowed = options.consent != 'required'", 'let allowed = true'], ['tracker.ts', `    consent(granted) {
      allowed = granted
      if (granted) {
        write(visitorName, visitor)
        write(contactName, contact)
        write(OWNER_COOKIE, owner)
      } else [visitorName, contactName, OWNER_COOKIE].forEach(remove)
    },`, '    consent() {},']],
  'respectDnt / GPC': [['tracker.ts', "!!options.respectDnt && (Cookies.get('pathbound_dnt') == '1' || (navigator as { globalPrivacyControl?: boolean }).globalPrivacyControl == true)", 'false']],
  'registrable-domain probe': [['tracker.ts', "cookieDomain == 'auto' ? probeDomain(location.hostname) :", "cookieDomain == 'auto' ? undefined :"]],
  'relay to the endpoint': [['tracker.ts', `      return fetch(options.endpoint, {`, `      return Promise.resolve({ ok: true, status: 0 }); return fetch(options.endpoint, {`]],
  'visibilitychange re-sync': [['tracker.ts', "document.addEventListener('visibilitychange', () => document.visibilityState == 'visible' && sync())", '']],
}

/**
 * What each feature of the script tag costs, in brotli bytes: the build with
 * the feature cut out, subtracted from the whole build. js-cookie's share is
 * measured alone. The rest (reading and minting the visitor, identify, reset,
 * presets, the queue replay) is the core job.
 */
export const runFeatureCosts = async () => {
  const full = await variant('full', [])
  const rows = []
  for (const [name, edits] of Object.entries(features)) rows.push({ name, bytes: full - (await variant(name.replace(/\W+/g, '-'), edits)) })
  // The same script tag with js-cookie swapped for the ~20 lines of size/cookie-jar.js.
  const withoutJsCookie = await variant('cookie-jar', [], { 'js-cookie': fileURLToPath(new URL('./cookie-jar.js', import.meta.url)) })
  return { full, rows, withoutJsCookie }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(await runFeatureCosts())
