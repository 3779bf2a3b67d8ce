// The published sandbox as a user's tests use it: every provider pointed at it
// with sandboxOptions(), what it stitched asserted in process and over HTTP, a
// wait for a stitch that arrives later, and the idstitch-sandbox command.
import { spawn } from 'node:child_process'
import { connect } from 'node:net'
import { createInterface } from 'node:readline'
import { createClient } from '@idstitch/node'
import { amplitude, datafast, ga4, mixpanel, pathbound, posthog, segment } from '@idstitch/node/providers'
import { sandboxOptions } from '@idstitch/sandbox'
import { describe, expect, it, onTestFinished } from 'vitest'
import { run, workspaceBin } from '../support/run.js'
import { fast, startOwnSandbox, useSandbox, VISITOR } from './helpers.js'

const sandbox = useSandbox()
const GA_CLIENT = '1234567890.1700000000'
const cli = workspaceBin('idstitch-sandbox')

const clientFor = (url: string) => {
  const options = sandboxOptions(url)
  const client = createClient({
    ...fast,
    providers: [datafast(options.datafast), pathbound(options.pathbound), segment(options.segment), posthog(options.posthog), ga4(options.ga4), amplitude(options.amplitude), mixpanel(options.mixpanel)],
  })
  onTestFinished(() => client.shutdown())
  return client
}

describe('the sandbox in a test', () => {
  it("takes every provider's sandboxOptions(), and says what each stitched to the user", async () => {
    await fetch(`${sandbox.url}/pageview`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ visitorId: VISITOR }) })
    const result = await clientFor(sandbox.url).identify({ userId: 'usr_sandbox_ada', anonymousId: VISITOR, anonymousIds: { ga4: GA_CLIENT }, traits: { email: 'ada@example.com' } })
    expect(result.results.filter((entry) => entry.status !== 'delivered')).toEqual([])
    const stitched = sandbox.stitched('usr_sandbox_ada')
    expect(Object.keys(stitched).sort()).toEqual(['amplitude', 'datafast', 'ga4', 'mixpanel', 'pathbound', 'posthog', 'segment'])
    expect(stitched.pathbound).toEqual([VISITOR])
    // GA4's Measurement Protocol takes gtag's own client id (the _ga cookie's), not idstitch's visitor.
    expect(stitched.ga4).toEqual([GA_CLIENT])
    expect(sandbox.stitched('usr_nobody')).toEqual({})
  })

  it('answers GET /stitched/<userId> for a test in another process, and refuses bad percent-encoding', async () => {
    await clientFor(sandbox.url).identify({ userId: 'usr sandbox/bo', anonymousId: VISITOR })
    const response = await fetch(`${sandbox.url}/stitched/${encodeURIComponent('usr sandbox/bo')}`)
    expect(await response.json()).toEqual({ userId: 'usr sandbox/bo', stitched: expect.objectContaining({ pathbound: [VISITOR], segment: [VISITOR] }) })
    expect((await fetch(`${sandbox.url}/stitched/%E0%A4%A`)).status).toBe(400)
  })

  it('waits for a stitch that arrives after the call, and times out naming the user and what arrived', async () => {
    const waiting = sandbox.waitForStitch('usr_sandbox_later', { provider: 'pathbound', timeoutMs: 5_000 })
    setTimeout(() => void clientFor(sandbox.url).identify({ userId: 'usr_sandbox_later', anonymousId: VISITOR }), 50)
    expect((await waiting).pathbound).toEqual([VISITOR])
    await clientFor(sandbox.url).identify({ userId: 'usr_sandbox_none' })
    await expect(sandbox.waitForStitch('usr_sandbox_none', { timeoutMs: 100 })).rejects.toThrow(/No provider stitched user "usr_sandbox_none" .* within 100 ms \(identifies of this user accepted: .*pathbound/)
  })

  it("tells an app's onAccepted of each identify, without taking the sandbox's own waits and inspector from it", async () => {
    // The demo sets onAccepted to print each identify; it replaced the sandbox's own listener, so waitForStitch
    // never heard of a later identify and the inspector showed none.
    const told: string[] = []
    sandbox.onAccepted = (identify) => {
      told.push(identify.provider)
      throw new Error('a callback of the app that fails')
    }
    onTestFinished(() => {
      sandbox.onAccepted = undefined
    })
    const errors: unknown[] = []
    const consoleError = console.error
    console.error = (...args: unknown[]) => void errors.push(args)
    onTestFinished(() => {
      console.error = consoleError
    })
    const waiting = sandbox.waitForStitch('usr_sandbox_told', { provider: 'pathbound', timeoutMs: 5_000 })
    setTimeout(() => void clientFor(sandbox.url).identify({ userId: 'usr_sandbox_told', anonymousId: VISITOR }), 50)
    expect((await waiting).pathbound).toEqual([VISITOR])
    expect(told).toContain('pathbound')
    expect(sandbox.inspected.filter((identify) => identify.userId === 'usr_sandbox_told').map((identify) => identify.provider)).toContain('pathbound')
    // A callback that throws is the app's fault, said on the console: the provider's answer stays what its rules say.
    const result = await clientFor(sandbox.url).identify({ userId: 'usr_sandbox_told', anonymousId: VISITOR, traits: { plan: 'pro' } })
    expect(result.results.find((entry) => entry.provider === 'pathbound')).toMatchObject({ status: 'delivered', attempts: 1 })
    expect(sandbox.accepted.filter((identify) => identify.userId === 'usr_sandbox_told' && identify.provider === 'pathbound')).toHaveLength(2)
    expect(String(errors[0])).toContain('onAccepted')
  })

  it('answers a request target that is no URL with a 400, and keeps serving', async () => {
    // Node's server passes on whatever target a client writes; `//[` is no URL (it threw, and ended the sandbox's process).
    const { port } = new URL(sandbox.url)
    const status = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.end('POST //[ HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}'))
      let answer = ''
      socket.on('data', (chunk) => (answer += chunk))
      socket.on('close', () => resolve(answer.split('\r\n')[0] ?? ''))
      socket.on('error', reject)
    })
    expect(status).toBe('HTTP/1.1 400 Bad Request')
    expect((await clientFor(sandbox.url).identify({ userId: 'usr_sandbox_after', anonymousId: VISITOR })).ok).toBe(true)
  })

  it('keeps the newest `keep` requests, identifies and inspector rows, with their stitches, and refuses a `keep` below 1', async () => {
    const small = await startOwnSandbox({ keep: 8 })
    const client = createClient({ ...fast, providers: [pathbound(sandboxOptions(small.url).pathbound)] })
    onTestFinished(() => client.shutdown())
    for (let user = 0; user < 20; user++) expect((await client.identify({ userId: `usr_keep_${user}`, anonymousId: VISITOR })).ok).toBe(true)
    for (const list of [small.requests, small.accepted, small.inspected]) expect(list.length).toBeLessThanOrEqual(8)
    expect(small.inspected.length).toBeGreaterThanOrEqual(7)
    expect(small.accepted.at(-1)?.userId).toBe('usr_keep_19')
    expect(small.stitched('usr_keep_19')).toEqual({ pathbound: [VISITOR] })
    expect(small.stitched('usr_keep_0')).toEqual({})
    await expect(startOwnSandbox({ keep: 0 })).rejects.toThrow(new RangeError('keep must be a whole number from 1 (or Infinity), not 0'))
  })

  it('forgets everything on reset()', async () => {
    await clientFor(sandbox.url).identify({ userId: 'usr_sandbox_reset', anonymousId: VISITOR })
    sandbox.reset()
    expect(sandbox.stitched('usr_sandbox_reset')).toEqual({})
    expect(sandbox.inspected).toEqual([])
  })
})

describe('npx idstitch-sandbox', () => {
  /** The command with `args`, started: the process, and the URL it printed. */
  const startCli = async (...args: string[]) => {
    const child = spawn(cli, ['--port', '0', ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
    onTestFinished(() => void child.kill())
    const lines = createInterface({ input: child.stdout })
    let url = ''
    for await (const line of lines) {
      url ||= /on (http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1] ?? ''
      if (line.startsWith('In a test:')) break
    }
    return { child, url }
  }

  it('serves every provider on the port it is given, prints their options, and stops on SIGTERM', async () => {
    const { child, url } = await startCli()
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect((await fetch(url)).headers.get('content-type')).toContain('text/html')
    const result = await clientFor(url).identify({ userId: 'usr_sandbox_cli', anonymousId: VISITOR })
    expect(result.ok).toBe(false) // DataFast refuses a visitor it has no pageview of, as documented
    expect(result.results.find((entry) => entry.provider === 'datafast')?.httpStatus).toBe(404)
    expect(await (await fetch(`${url}/stitched/usr_sandbox_cli`)).json()).toMatchObject({ stitched: { pathbound: [VISITOR] } })
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
  })

  it('keeps the newest --keep identifies, and their stitches', async () => {
    const { url } = await startCli('--keep', '1')
    const client = createClient({ ...fast, providers: [pathbound(sandboxOptions(url).pathbound)] })
    onTestFinished(() => client.shutdown())
    for (const userId of ['usr_cli_first', 'usr_cli_second']) expect((await client.identify({ userId, anonymousId: VISITOR })).ok).toBe(true)
    expect(await (await fetch(`${url}/stitched/usr_cli_first`)).json()).toEqual({ userId: 'usr_cli_first', stitched: {} })
    expect(await (await fetch(`${url}/stitched/usr_cli_second`)).json()).toEqual({ userId: 'usr_cli_second', stitched: { pathbound: [VISITOR] } })
  })

  it('rejects, and the command says so in one line, when the port is taken', async () => {
    const taken = new URL(sandbox.url).port
    await expect(startOwnSandbox({ port: Number(taken) })).rejects.toThrow(`the sandbox cannot listen on 127.0.0.1:${taken}: the port is in use`)
    const said = await run(cli, ['--port', taken])
    expect(said).toMatchObject({ code: 1, stderr: `idstitch-sandbox: the sandbox cannot listen on 127.0.0.1:${taken}: the port is in use (pass another --port, or 0 for a free one)\n` })
  })

  it('refuses a bad port or --keep with the usage', async () => {
    expect(await run(cli, ['--port', 'x'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--port must be a port number') })
    expect(await run(cli, ['--keep', '0'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--keep must be a whole number from 1, not "0"') })
  })
})
