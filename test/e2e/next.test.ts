// The Next.js example (examples/next), as a user deploys it: `next build` with
// Turbopack and with webpack, both without provider keys in the environment;
// then `next start`, and Chromium walks the marketing page → login (a server
// action) → the stand-in receives the stitched identify → front-end identify
// through the relay on the Node and the Edge runtime (reached at a Host other
// than the one next start binds, with trustProxy) → logout.
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { pathboundRule, startProviderServer, type ProviderServer } from '@idstitch/sandbox'
import type { Browser, Cookie } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runOrThrow } from '../support/run.js'
import { launch, newContext, ready } from './browser.js'

const app = fileURLToPath(new URL('../../examples/next', import.meta.url))
const next = fileURLToPath(new URL('../../examples/next/node_modules/next/dist/bin/next', import.meta.url))
const KEY = 'pb_next_key_0123'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

/** The environment without any provider key, as a CI build machine has it. */
const withoutKeys = () => Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PATHBOUND_')))
/** The example's own build script (it copies the tracker's script tag into public/, then runs next build). */
const build = (script: string) => runOrThrow('pnpm', ['run', script], { cwd: app, env: { ...withoutKeys(), NEXT_TELEMETRY_DISABLED: '1' } })
const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      server.close(() => resolve(port))
    })
  })
const byName = (cookies: Cookie[], name: string) => cookies.find((cookie) => cookie.name === name)

let sandbox: ProviderServer
let server: ChildProcess
let browser: Browser
let port: number
const builds: Record<string, string> = {}

beforeAll(async () => {
  builds.turbopack = await build('build')
  builds.webpack = await build('build:webpack')
  sandbox = await startProviderServer([pathboundRule({ keys: [{ key: KEY, scopes: ['contacts:write'] }] })])
  port = await freePort()
  server = spawn(process.execPath, [next, 'start', '--port', String(port), '--hostname', '127.0.0.1'], {
    cwd: app,
    env: { ...withoutKeys(), NEXT_TELEMETRY_DISABLED: '1', PATHBOUND_API_KEY: KEY, PATHBOUND_BASE_URL: sandbox.url },
    stdio: 'ignore',
  })
  for (let tries = 0; !(await fetch(`http://127.0.0.1:${port}/`).then((r) => r.ok, () => false)); tries++) {
    if (tries > 150) throw new Error('next start did not answer within 30 s')
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  browser = await launch()
}, 300_000)
afterAll(async () => {
  server?.kill()
  await browser?.close()
  await sandbox?.close()
})

const received = async (userId: string, count = 1) => {
  for (let tries = 0; tries < 100; tries++) {
    const found = sandbox.accepted.filter((identify) => identify.userId === userId)
    if (found.length >= count) return found
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return sandbox.accepted.filter((identify) => identify.userId === userId)
}

describe("the docs' Next.js section (docs/deploying.md)", () => {
  it("shows the example's files as this test builds and runs them", () => {
    const readme = readFileSync(new URL('../../docs/deploying.md', import.meta.url), 'utf8')
    for (const file of ['lib/idstitch.ts', 'lib/relay.ts', 'app/api/identify/route.ts', 'app/api/identify-edge/route.ts', 'app/actions.ts', 'proxy.ts']) {
      expect(readme).toContain(`// ${file}\n${readFileSync(new URL(`../../examples/next/${file}`, import.meta.url), 'utf8')}`)
    }
  })
})

describe('the Next.js example', () => {
  it('builds with Turbopack and with webpack, with no provider key in the environment', () => {
    expect(builds.turbopack).toContain('/api/identify-edge')
    expect(builds.webpack).toContain('/api/identify-edge')
  })

  it('walks marketing page → login → stitched identify → relays on both runtimes → logout, in Chromium', async () => {
    const { context, open } = await newContext(browser)
    // The browser uses www./app.example.test; next start binds 127.0.0.1.
    const home = await open(`http://www.example.test:${port}/`)
    await ready(home)
    const visitor = byName(await context.cookies(), 'idstitch_visitor_id')
    // Issued by the proxy (the server), so Safari's 7-day cap on script-written cookies does not apply; the tracker kept it.
    expect(visitor?.value).toMatch(UUID)
    expect(visitor?.expires).toBeGreaterThan(Date.now() / 1000 + 300 * 86_400)
    expect(await home.evaluate(() => window.idstitch.getVisitorId())).toBe(visitor?.value)

    const login = await open(`http://www.example.test:${port}/login`)
    await login.locator('#login').click()
    await login.waitForFunction(() => document.getElementById('session')?.textContent === 'logged in as usr_next_ada')
    expect(byName(await context.cookies(), 'idstitch_external_contact_id')?.value).toBe('usr_next_ada')
    const [stitched] = await received('usr_next_ada')
    expect(stitched).toMatchObject({ provider: 'pathbound', userId: 'usr_next_ada', anonymousId: visitor?.value })

    await ready(login)
    for (const path of ['/api/identify', '/api/identify-edge']) {
      const status = await login.evaluate(
        (endpoint) => fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ traits: { plan: 'team' } }) }).then((response) => response.status),
        path,
      )
      expect({ path, status }).toEqual({ path, status: 200 })
    }
    expect(await received('usr_next_ada', 3)).toHaveLength(3)

    await login.locator('#logout').click()
    await login.waitForFunction(() => document.getElementById('session')?.textContent === 'logged out')
    expect(byName(await context.cookies(), 'idstitch_external_contact_id')).toBeUndefined()
    expect(byName(await context.cookies(), 'idstitch_visitor_id')?.value).toBe(visitor?.value)
    await context.close()
  })
})
