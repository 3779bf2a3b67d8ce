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
    if (!(typeof from === 'string' ? s.includes(from) : from.test(s))) throw new Error(`${name}: edit not found in ${file}: ${String(from).slice(0, 60)}`)
    writeFileSync(p, s.replace(from, to))
  }
  const result = await build({ entryPoints: [`${dir}/src/script-tag.ts`], bundle: true, minify: true, format: 'iife', target: 'es2018', legalComments: 'none', write: false, nodePaths: [join(root, 'node_modules')], alias, logLevel: 'silent' })
  rmSync(dir, { recursive: true, force: true })
  return br(result.outputFiles[0].contents)
}
const features = {
  // js-cookie with the tracker's guards around it, against no cookies at all.
  'js-cookie (read, write, remove)': [['cookies.ts', /import Cookies from 'js-cookie'[\s\S]*$/, "export const readCookie = (name: string): string | undefined => undefined\nexport const writeCookie = (name: string, value: string, attributes?: object): void => {}\nexport const removeCookie = (name: string, domain?: string): void => {}\n"]],
  'consent': [['tracker.ts', "let allowed = consentOption == null || consentOption == 'granted'", 'let allowed = true'], ['tracker.ts', / {4}consent\(granted\) \{[\s\S]*?\n {4}\},/, '    consent() {},']],
  'respectDnt / GPC': [['tracker.ts', "options.respectDnt && (readCookie('pathbound_dnt') == '1' || (navigator as { globalPrivacyControl?: boolean }).globalPrivacyControl)", 'false']],
  'registrable-domain probe': [['tracker.ts', "option == 'auto' ? probeDomain(location.hostname) :", "option == 'auto' ? undefined :"]],
  // ky, the library idstitch sends every fetch-based request with, against the same call made with fetch itself.
  'ky (the relay\'s HTTP client, against a plain fetch call)': [
    ['tracker.ts', "import ky from 'ky'\n", ''],
    ['tracker.ts', 'ky.post(options.endpoint, { keepalive: true,', "fetch(options.endpoint, { method: 'POST', keepalive: true,"],
  ],
  // The relay itself, priced on the build that sends it with fetch, so that ky's cost (the row above) is not counted twice.
  'relay to the endpoint': {
    base: 'ky (the relay\'s HTTP client, against a plain fetch call)',
    edits: [['tracker.ts', 'options.endpoint && writable()', 'false'], ['tracker.ts', "fetch(options.endpoint, { method: 'POST',", '(0 as any)(options.endpoint, {']],
  },
  'visibilitychange re-sync': [['tracker.ts', "document.addEventListener('visibilitychange', sync)", '']],
  'owner tag (a different user after a logout gets a new visitor)': [
    ['tracker.ts', 'write(OWNER_COOKIE, (owner = ownerTag(next, externalId)))', ''],
    ['tracker.ts', 'isAnotherUser(externalId, { visitor, contact, owner })', '!!contact && contact != externalId'],
    ['tracker.ts', 'owner = readCookie(OWNER_COOKIE) || owner', ''],
  ],
  'getRandomValues fallback for plain http': [['uuid.ts', /crypto\.randomUUID\n[\s\S]*$/, 'crypto.randomUUID()\n']],
  'typed refusals (a ValidationError rather than a TypeError)': [['tracker.ts', "new ValidationError([{ path, message }], { source: 'identify()' })", 'TypeError(path + message)']],
  'consent: a warning for an unknown value (it fails closed either way)': [['tracker.ts', / {2}if \(!allowed && consentOption != 'required'\) console\.warn\([^\n]*\n/, '']],
  'a second load of the script reuses the first tracker': [['script-tag.ts', 'if (!(window.idstitch && window.idstitch.getVisitorId)) {', 'if (true) {']],
  'refusal messages': [['tracker.ts', "'must be 1-100 cookie-safe characters'", "''"], ['tracker.ts', "'must be JSON, ' + error", "''"]],
  'script tag: data-* options, stub queue replay': [['script-tag.ts', '{ ...data, respectDnt: data.respectDnt != null } as TrackerOptions', '{}'], ['script-tag.ts', 'for (const args of queued) api(...(args as unknown as [keyof Tracker]))', '']],
}

/**
 * What each part of the script tag costs, in brotli bytes: the build with
 * the part cut out, subtracted from the whole build (or from the `base`
 * variant it is priced on). The rest (reading and
 * minting the visitor, identify, reset, presets) is the core job.
 */
export const runFeatureCosts = async () => {
  const full = await variant('full', [])
  const rows = []
  for (const [name, feature] of Object.entries(features)) {
    // A feature priced on another variant (`base`): both builds carry that variant's edits.
    const { base, edits } = Array.isArray(feature) ? { edits: feature } : { ...feature, base: features[feature.base] }
    const from = base ? await variant(`${name.replace(/\W+/g, '-')}-base`, base) : full
    rows.push({ name, bytes: from - (await variant(name.replace(/\W+/g, '-'), [...(base ?? []), ...edits])) })
  }
  return { full, rows }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(await runFeatureCosts())
