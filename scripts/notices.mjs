// Writes a package's THIRD_PARTY_NOTICES.md from what its bundles actually
// contain, so the notices cannot drift from the code: tsup writes esbuild's
// metafiles (`metafile: true`), this reads every output's inputs, keeps the
// files from node_modules that made it into an output, and writes each of
// their packages' name, version, licence and licence text. The metafiles are
// removed afterwards; they are not published. Run from the package's folder,
// after tsup (its `build` script does).
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

const dist = resolve('dist')
const metafiles = readdirSync(dist).filter((name) => /^metafile-.*\.json$/.test(name))
if (metafiles.length === 0) throw new Error('[notices] no metafile in dist/: set `metafile: true` in tsup.config.ts')

/** The package folder a bundled file belongs to: the part up to its package name after the last node_modules/. */
const packageRoot = (input) => {
  const at = input.lastIndexOf('node_modules/')
  if (at === -1) return undefined
  const rest = input.slice(at + 'node_modules/'.length).split('/')
  const name = rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]
  return name?.startsWith('@idstitch/') ? undefined : resolve(input.slice(0, at + 'node_modules/'.length) + name)
}

/** Which outputs each bundled package is in. */
const bundled = new Map()
for (const metafile of metafiles) {
  const { outputs } = JSON.parse(readFileSync(join(dist, metafile), 'utf8'))
  for (const [output, { inputs }] of Object.entries(outputs)) {
    if (output.endsWith('.map')) continue
    for (const [input, { bytesInOutput }] of Object.entries(inputs)) {
      const root = bytesInOutput > 0 ? packageRoot(input) : undefined
      if (!root) continue
      if (!bundled.has(root)) bundled.set(root, new Set())
      bundled.get(root).add(output.replace(/^.*dist\//, 'dist/'))
    }
  }
  rmSync(join(dist, metafile))
}

const licenceText = (root) => {
  const file = readdirSync(root).find((name) => /^licen[cs]e(\.(md|txt))?$/i.test(name))
  if (!file) throw new Error(`[notices] ${root} has no licence file: its terms cannot be shipped with the bundle`)
  return readFileSync(join(root, file), 'utf8').trim()
}

const sections = [...bundled.entries()]
  .map(([root, outputs]) => ({ root, outputs, pkg: JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) }))
  .sort((a, b) => a.pkg.name.localeCompare(b.pkg.name))
  .map(({ root, outputs, pkg }) =>
    [
      `## ${pkg.name} ${pkg.version}`,
      '',
      `${pkg.license ?? 'see below'}; bundled into ${[...outputs].sort().map((output) => `\`${output}\``).join(', ')}.${pkg.homepage ? ` ${pkg.homepage}` : ''}`,
      '',
      licenceText(root).split('\n').map((line) => (line ? `    ${line}` : '')).join('\n'),
    ].join('\n'),
  )

const self = JSON.parse(readFileSync('package.json', 'utf8')).name
const text = sections.length
  ? `# Third-party notices\n\n${self} bundles the code of these packages into its build; their licences follow.\nThis file is written by the build from what the bundles contain.\n\n${sections.join('\n\n')}\n`
  : `# Third-party notices\n\n${self} bundles no third-party code. This file is written by the build from what the bundles contain.\n`
writeFileSync('THIRD_PARTY_NOTICES.md', text)
if (!existsSync('LICENSE')) throw new Error(`[notices] ${self} has no LICENSE file`)
console.log(`[notices] ${self}: ${sections.length ? [...bundled.keys()].map((root) => root.split('node_modules/').pop()).join(', ') : 'no third-party code'}`)
