// The API report of every published entry (#22): what each `exports` subpath's types declare, written by
// @microsoft/api-extractor to packages/<package>/api/<entry>.api.md and committed.
//   node scripts/api-report.mjs           checks: exits 1 when a report differs from the built packages
//   node scripts/api-report.mjs --update  writes the reports again (commit them with the change)
//   node scripts/api-report.mjs --only core/adapter   one entry's report
// The packages must be built first (`pnpm run build`): the reports are of their declaration files.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor'

const root = fileURLToPath(new URL('..', import.meta.url))
const update = process.argv.includes('--update')
/** `--only <package>/<entry>` (as `core/adapter`): that report alone. */
const only = process.argv[process.argv.indexOf('--only') + 1]

/** Every declaration file an `exports` entry resolves to (under `import`), whatever the condition. */
const typesOf = (target) => {
  if (typeof target === 'string') return target.endsWith('.d.ts') ? [target] : []
  if (!target || typeof target !== 'object') return []
  if (typeof target.import?.types === 'string') return [target.import.types]
  return [...new Set(Object.values(target).flatMap(typesOf))]
}

/** Each published package's entries: `{ pkg, name, types }`, one per declaration file. */
const entries = () =>
  readdirSync(join(root, 'packages')).flatMap((pkg) => {
    const manifest = JSON.parse(readFileSync(join(root, 'packages', pkg, 'package.json'), 'utf8'))
    if (manifest.private) return []
    return Object.entries(manifest.exports ?? {}).flatMap(([subpath, target]) => {
      const files = typesOf(target)
      const entry = subpath === '.' ? 'index' : subpath.slice(2)
      return files.map((types) => ({ pkg, name: files.length > 1 ? `${entry}.${basename(types, '.d.ts')}` : entry, types }))
    })
  })

/** Runs api-extractor on one entry; true when its report is as committed (or was written). */
const report = ({ pkg, name, types }) => {
  const folder = join(root, 'packages', pkg)
  const configObject = {
    projectFolder: folder,
    mainEntryPointFilePath: join(folder, types),
    bundledPackages: [],
    compiler: { overrideTsconfig: { compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022', 'DOM'], types: ['node'], strict: true, skipLibCheck: true } } },
    apiReport: { enabled: true, reportFolder: join(folder, 'api'), reportTempFolder: join(tmpdir(), 'idstitch-api', pkg), reportFileName: `${name}.api.md` },
    docModel: { enabled: false },
    dtsRollup: { enabled: false },
    tsdocMetadata: { enabled: false },
    messages: {
      // The report is of the surface; these are about TSDoc release tags and comment syntax, which idstitch does not use.
      extractorMessageReporting: { default: { logLevel: 'none' } },
      tsdocMessageReporting: { default: { logLevel: 'none' } },
      compilerMessageReporting: { default: { logLevel: 'warning' } },
    },
  }
  mkdirSync(join(folder, 'api'), { recursive: true })
  const config = ExtractorConfig.prepare({ configObject, configObjectFullPath: undefined, packageJsonFullPath: join(folder, 'package.json') })
  const result = Extractor.invoke(config, { localBuild: update, showVerboseMessages: false, messageCallback: (message) => void (message.handled = message.logLevel === 'none') })
  const ok = result.succeeded && (update || (!result.apiReportChanged && existsSync(join(folder, 'api', `${name}.api.md`))))
  if (!ok) console.error(`[api-report] @idstitch/${pkg} ${name}: ${update ? 'could not be written' : `the API changed: run \`node scripts/api-report.mjs --update\` and commit packages/${pkg}/api`}`)
  return ok
}

const chosen = entries().filter(({ pkg, name }) => !process.argv.includes('--only') || `${pkg}/${name}` === only)
if (chosen.length === 0) throw new Error(`no published entry ${only}`)
/** Reports of entries no package publishes any more: removed with --update, an error otherwise. */
const stale = () => {
  if (process.argv.includes('--only')) return true
  const published = new Set(entries().map(({ pkg, name }) => `${pkg}/${name}.api.md`))
  const left = readdirSync(join(root, 'packages')).flatMap((pkg) =>
    existsSync(join(root, 'packages', pkg, 'api')) ? readdirSync(join(root, 'packages', pkg, 'api')).map((file) => `${pkg}/${file}`).filter((file) => !published.has(file)) : [],
  )
  for (const file of left) {
    if (update) rmSync(join(root, 'packages', file.replace('/', '/api/')))
    else console.error(`[api-report] packages/${file.replace('/', '/api/')}: no entry publishes it any more: run \`node scripts/api-report.mjs --update\``)
  }
  return update || left.length === 0
}
const ok = [...chosen.map(report), stale()].every(Boolean)
console.log(`[api-report] ${ok ? (update ? 'written' : 'every report is as committed') : 'reports differ'}`)
process.exit(ok ? 0 : 1)
