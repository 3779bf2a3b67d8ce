// The examples' own scripts, run as their READMEs say (`pnpm start`: tsx, in the example's folder), each
// against the provider sandbox it starts itself: what they print is what the READMEs promise. The relay
// example once printed four refusals as bots (Node's fetch says `node`), and no test noticed.
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { run } from '../support/run.js'

/** Runs `script` in `examples/<name>` as `pnpm start` does, and resolves with what it printed and its exit code. */
const runExample = async (name: string, script: string) => {
  const cwd = fileURLToPath(new URL(`../../examples/${name}/`, import.meta.url))
  const { code, stdout, stderr } = await run(process.execPath, ['--import', 'tsx', script], { cwd, timeout: 60_000 })
  return { code, output: stdout + stderr }
}

describe('the examples, run as their READMEs say', () => {
  it('web-handler: the relay delivers for the session user, and refuses no session, another user and a foreign origin', async () => {
    const { code, output } = await runExample('web-handler', 'serve.ts')
    expect(output).toContain('signed in: 200 {"ok":true,"results":[{"provider":"pathbound","status":"delivered"}]}')
    expect(output).toMatch(/^no session: 401 .*"unauthenticated"/m)
    expect(output).toMatch(/^someone else: 403 .*"user_mismatch"/m)
    expect(output).toMatch(/^foreign origin: 403 .*"forbidden_origin"/m)
    expect(output).not.toContain('"bot"')
    expect(code).toBe(0)
  }, 60_000)

  it('node: an identify to every provider, one without a visitor id, input some refuse, and a tampered cookie', async () => {
    const { code, output } = await runExample('node', 'identify.ts')
    expect(output).toContain('A visitor logs in: ok=true')
    expect(output).toMatch(/^ {2}datafast +skipped +DataFast needs the visitor id/m)
    expect(output).toMatch(/^ {2}dfend +invalid +traits\.phone must be an E\.164 phone number/m)
    expect(output).toContain('A tampered visitor cookie (refused for every provider): ok=false')
    for (const provider of ['datafast', 'dfend', 'thrivestack', 'pathbound', 'monterosa', 'segment']) expect(output).toMatch(new RegExp(`^ {2}${provider} +delivered `, 'm'))
    expect(code).toBe(0)
  }, 60_000)
})
