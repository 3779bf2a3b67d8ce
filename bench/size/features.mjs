import { build } from 'esbuild'
import { minify } from 'terser'
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
    if (!(typeof from === 'string' ? s.includes(from) : from.test(s))) throw new Error(`${name}: edit not found in ${file}: ${String(from).slice(0, 60)}`)
    writeFileSync(p, s.replace(from, to))
  }
  // As the tracker's tsup config builds the tag: esbuild bundles at es2020, terser minifies.
  const result = await build({ entryPoints: [`${dir}/src/script-tag.ts`], bundle: true, format: 'iife', target: 'es2020', legalComments: 'none', write: false, nodePaths: [join(root, 'node_modules'), fileURLToPath(new URL('../node_modules', import.meta.url))], alias, logLevel: 'silent' })
  rmSync(dir, { recursive: true, force: true })
  const minified = await minify(result.outputFiles[0].text, { ecma: 2020, compress: { passes: 2 }, toplevel: true })
  return br(minified.code)
}
const features = {
  // js-cookie with the tracker's guards around it, against no cookies at all.
  'js-cookie (read, write, remove)': [['cookies.ts', /import Cookies from 'js-cookie'[\s\S]*$/, "export const readCookie = (name: string): string | undefined => undefined\nexport const writeCookie = (name: string, value: string, attributes?: object): void => {}\nexport const removeCookie = (name: string, domain?: string): void => {}\n"]],
  'consent': [['tracker.ts', 'let allowed = consentGiven(options.consent)', 'let allowed = true'], ['tracker.ts', / {4}consent\(granted\) \{[\s\S]*?\n {4}\},/, '    consent() {},']],
  'respectDnt / GPC': [['tracker.ts', "options.respectDnt && (readCookie('pathbound_dnt') == '1' || (navigator as { globalPrivacyControl?: boolean }).globalPrivacyControl)", 'false']],
  'registrable-domain probe': [['tracker.ts', "option == 'auto' ? probeDomain(location.hostname) :", "option == 'auto' ? undefined :"]],
  'relay to the endpoint (fetch, keepalive, 10 s timeout)': [['tracker.ts', 'options.endpoint && writable()', 'false'], ['tracker.ts', 'relay(options.endpoint, body)', '(0 as any)']],
  // What ky would add if the relay call went through it (it did for one release: +5 kB on every page).
  // ky is the server SDK's fetch transport; the tracker's one call needs nothing fetch lacks.
  'ky, if the relay used it (not shipped)': {
    adds: true,
    edits: [
      ['relay.ts', /^/, "import ky from 'ky'\n"],
      ['relay.ts', /fetch\(endpoint, \{[\s\S]*?\n {2}\}\)/, "ky.post(endpoint, { keepalive: true, headers: { 'content-type': 'application/json' }, body, retry: 0, throwHttpErrors: false })"],
    ],
  },
  "the server-set cookie's mark (the tracker does not rewrite it)": [['tracker.ts', "if (stored !== visitor || !readCookie(SERVED_COOKIE)) write(visitorName, visitor)", 'write(visitorName, visitor)']],
  'the hook for the cross-domain linker (idstitch.linker.js)': [
    ['tracker.ts', "options.adoptLink?.(visitorName, contactName, readCookie, write) || ''", "''"],
    ['script-tag.ts', ', adoptLink: window.idstitchAdoptLink }', ' }'],
  ],
  'visibilitychange re-sync': [['tracker.ts', "document.addEventListener('visibilitychange', sync)", '']],
  'owner tag (a different user after a logout gets a new visitor)': [
    ['tracker.ts', 'write(OWNER_COOKIE, (owner = ownerTag(next, externalId)))', ''],
    ['tracker.ts', 'isAnotherUser(externalId, { visitor, contact, owner })', '!!contact && contact != externalId'],
    ['tracker.ts', 'owner = readCookie(OWNER_COOKIE) || owner', ''],
  ],
  'getRandomValues fallback for plain http': [['uuid.ts', /crypto\.randomUUID\n[\s\S]*$/, 'crypto.randomUUID()\n']],
  'typed refusals (errors shaped as ValidationError and ConfigError, rather than TypeErrors)': [['errors.ts', /Object\.assign\(new Error\('\[idstitch\] ' \+ message\), \{ name, code \}, fields\)/, 'TypeError(message)']],
  // core's ValidationError and ConfigError classes, against errors of their shape (errors.ts): the tracker exports no class.
  "core's error classes, if the tracker threw them (not shipped)": {
    adds: true,
    edits: [
      ['errors.ts', "import type { ConfigError, ValidationError } from '@idstitch/core/cookies'", "import { ConfigError, ValidationError } from '@idstitch/core/cookies'"],
      ['errors.ts', /=>\n {2}shaped\('ValidationError'[^\n]*/, "=> new ValidationError([{ path, message }], { source: 'identify()' })"],
      ['errors.ts', /=> shaped\('ConfigError'[^\n]*/, '=> new ConfigError(option, message)'],
    ],
  },
  'consent: a warning for an unknown value (it fails closed either way)': [['tracker.ts', / {2}if \(!given && consent != 'required'\) console\.warn\([^\n]*\n/, '']],
  'a second load of the script reuses the first tracker': [['script-tag.ts', 'if (!(window.idstitch && window.idstitch.getVisitorId)) {', 'if (true) {']],
  'refusal messages': [['tracker.ts', "'must be 1-100 cookie-safe characters'", "''"], ['tracker.ts', "'must be JSON, ' + error", "''"]],
  'script tag: data-* options, stub queue replay': [['script-tag.ts', '{ ...data, respectDnt: data.respectDnt != null, adoptLink: window.idstitchAdoptLink } as TrackerOptions', '{ adoptLink: window.idstitchAdoptLink }'], ['script-tag.ts', 'for (const args of queued) api(...(args as unknown as [keyof Tracker]))', '']],
}

/**
 * What each part of the script tag costs, in brotli bytes: the build with
 * the part cut out, subtracted from the whole build (or from the `base`
 * variant it is priced on); a part marked `adds` is not in the build and
 * is priced by adding it. The rest (reading and
 * minting the visitor, identify, reset, presets) is the core job.
 */
export const runFeatureCosts = async () => {
  const full = await variant('full', [])
  const rows = []
  for (const [name, feature] of Object.entries(features)) {
    // A feature priced on another variant (`base`): both builds carry that variant's edits.
    const { base, edits, adds } = Array.isArray(feature) ? { edits: feature } : { ...feature, base: features[feature.base] }
    const from = base ? await variant(`${name.replace(/\W+/g, '-')}-base`, base) : full
    const other = await variant(name.replace(/\W+/g, '-'), [...(base ?? []), ...edits])
    // A part cut out costs what the build loses; a part not shipped (`adds`) costs what the build would gain.
    rows.push({ name, bytes: adds ? other - from : from - other, ...(adds && { shipped: false }) })
  }
  return { full, rows }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(await runFeatureCosts())
