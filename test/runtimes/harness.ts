// Builds the runtime tests' app from the packed tarballs, as a user's bundler
// would: npm installs the tarballs into a fresh project, then esbuild bundles
// app.ts with one runtime's export conditions and marks nothing external.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { runOrThrow } from '../support/run.js'

const root = fileURLToPath(new URL('../..', import.meta.url))

/** A fresh project with the packed @idstitch packages `names` installed from their tarballs, and `extra` from the registry. */
export const installPacked = async (names: readonly string[] = ['core', 'node', 'tracker'], extra: readonly string[] = []): Promise<{ dir: string; remove: () => void }> => {
  const dir = mkdtempSync(join(tmpdir(), 'idstitch-runtime-'))
  const packs = join(dir, 'packs')
  mkdirSync(packs)
  for (const name of names) await runOrThrow('pnpm', ['pack', '--pack-destination', packs], { cwd: join(root, 'packages', name) })
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'runtime-app', private: true, type: 'module' }))
  const tarballs = readdirSync(packs).map((file) => join(packs, file))
  await runOrThrow('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', ...tarballs, ...extra], { cwd: dir })
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

/**
 * app.ts and `entry` (the runtime's server code) bundled into one file with
 * `conditions`; fails if the bundle imports anything, a Node built-in above
 * all (on Node, anything but a `node:` built-in).
 */
export const bundle = async (dir: string, name: string, conditions: string[], entry: string, format: 'esm' | 'iife' = 'esm', platform: 'neutral' | 'node' = 'neutral'): Promise<string> => {
  const source = join(dir, `${name}.entry.ts`)
  writeFileSync(join(dir, 'app.ts'), readFileSync(new URL('./app.ts', import.meta.url), 'utf8'))
  writeFileSync(source, entry)
  const outfile = join(dir, `${name}.bundle.${platform === 'node' ? 'mjs' : 'js'}`)
  const result = await build({ entryPoints: [source], bundle: true, format, platform, conditions, mainFields: ['module', 'main'], outfile, metafile: true, logLevel: 'silent', target: 'es2022' })
  const imports = Object.values(result.metafile?.outputs ?? {}).flatMap((output) => output.imports.filter((imported) => imported.external).map((imported) => imported.path))
  // Node's bundle may import Node built-ins, and nothing else; every other runtime's, nothing at all.
  const refused = platform === 'node' ? imports.filter((path) => !path.startsWith('node:')) : imports
  if (refused.length > 0) throw new Error(`the ${name} bundle imports ${refused.join(', ')}: it must hold everything${platform === 'node' ? '' : ' and no Node built-in'}`)
  return outfile
}

/**
 * A runtime's binary from the npm registry (`bun`, `deno`), installed into
 * .cache/ on first use, as scripts/test-runtimes.mjs does for Node.
 */
export const runtimeBinary = async (pkg: string, version: string, binary: string): Promise<string> => {
  const prefix = join(root, '.cache', `${pkg}-${version}`)
  const path = join(prefix, 'node_modules', binary)
  if (!existsSync(path)) await runOrThrow('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', prefix, `${pkg}@${version}`])
  return path
}
