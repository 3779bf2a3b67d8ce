// The packages as npm would publish them: each is packed, then checked by
// publint (strict) and @arethetypeswrong/cli, which resolve every entry the
// way Node 10, Node 16+ (from CommonJS and ESM) and bundlers do.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { run, runOrThrow, workspaceBin } from '../support/run.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
let packs: string
/** Every published package. */
const PACKAGES = ['core', 'node', 'tracker', 'queue', 'next', 'react', 'sandbox']

beforeAll(async () => {
  packs = mkdtempSync(join(tmpdir(), 'idstitch-packs-'))
  for (const name of PACKAGES) await runOrThrow('pnpm', ['pack', '--pack-destination', packs], { cwd: join(root, 'packages', name) })
}, 60_000)
afterAll(() => rmSync(packs, { recursive: true, force: true }))

const tarball = (name: string) => join(packs, readdirSync(packs).find((file) => file.startsWith(`idstitch-${name}-`)) as string)
const check = async (command: string, args: string[]) => {
  const { code, stdout, stderr } = await run(command, args)
  return { code, output: stdout + stderr }
}

describe.each(PACKAGES)('the packed @idstitch/%s', (name) => {
  it('passes publint --strict', async () => {
    const { code, output } = await check(workspaceBin('publint'), ['--strict', tarball(name)])
    expect(output).toContain('All good!')
    expect(code).toBe(0)
  }, 30_000)

  it('passes @arethetypeswrong/cli, node10 included', async () => {
    const { code, output } = await check(workspaceBin('attw'), [tarball(name), '--format', 'table-flipped'])
    expect(output).not.toMatch(/💀|❌|👺|⚠️/)
    expect(code).toBe(0)
  }, 60_000)

  it('ships its licence, notices and changelog, and no workspace: range', () => {
    const listing = execFileSync('tar', ['tzf', tarball(name)], { encoding: 'utf8' })
    for (const file of ['package/LICENSE', 'package/THIRD_PARTY_NOTICES.md', 'package/CHANGELOG.md', 'package/README.md']) expect(listing).toContain(file)
    expect(execFileSync('tar', ['xzOf', tarball(name), 'package/package.json'], { encoding: 'utf8' })).not.toContain('workspace:')
  })
})

describe.each(['idstitch-sandbox', 'idstitch-queue'])('the %s command', (command) => {
  // pnpm links a workspace package's commands at install, before the build: a command whose file is the
  // build's own output was not linked in a fresh clone (pnpm/pnpm#1801), so each is a file the repository keeps.
  it('is linked in the workspace by install, and runs the built program', async () => {
    const { code, stdout } = await run(workspaceBin(command), ['--help'])
    expect(stdout).toContain(`Usage: ${command}`)
    expect(code).toBe(0)
  })
})
