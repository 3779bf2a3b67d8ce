// The kits as a user installs them: @idstitch/next, @idstitch/react and
// @idstitch/sandbox packed into tarballs and installed, with the other
// packages, into a fresh Next.js app (examples/next's source) on Next 16 and
// Next 15, built with Turbopack and with webpack without any provider key in
// the environment. Then `next start`, the sandbox's own command from its
// tarball, and Chromium: the first page response sets the visitor cookie
// (Set-Cookie, not a script), a client component shows useIdstitch()'s visitor
// with no console error (React reports a hydration mismatch there), a login
// through identifyOnLogin() stitches in the sandbox and shows the contact, the
// relay answers on both runtimes and on the Pages Router (behind next-auth v4 there too), and a logout in another
// tab clears it.
import { type ChildProcess, spawn } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runOrThrow } from '../support/run.js'
import { consoleError, launch, newContext, type Chromium } from './browser.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const example = join(root, 'examples/next')
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const PACKAGES = ['core', 'node', 'tracker', 'react', 'next', 'sandbox']
/** Each Next major, the file its proxy goes in, and its two bundlers' build flags (the first is its default). */
const NEXTS = [
  { version: '16.5.0', proxyFile: 'proxy.ts', proxyExport: 'proxy', builds: { turbopack: [], webpack: ['--webpack'] } },
  { version: '15.5.29', proxyFile: 'middleware.ts', proxyExport: 'middleware', builds: { webpack: [], turbopack: ['--turbopack'] } },
] as const

/** The environment without any provider key, as a CI build machine has it. */
const withoutKeys = () => ({ ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PATHBOUND_'))), NEXT_TELEMETRY_DISABLED: '1' })
const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      server.close(() => resolve(port))
    })
  })

let work: string
let packs: string[]
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'idstitch-next-'))
  mkdirSync(join(work, 'packs'))
  for (const name of PACKAGES) await runOrThrow('pnpm', ['pack', '--pack-destination', join(work, 'packs')], { cwd: join(root, 'packages', name) })
  packs = readdirSync(join(work, 'packs')).map((file) => join(work, 'packs', file))
}, 120_000)
afterAll(() => rmSync(work, { recursive: true, force: true }))

/**
 * The example's proxy, under the export name `version` takes. On Next 15 it is composed with an app proxy of its
 * own that answers `NextResponse.next()` with a header, as an app's security headers do: the page that first view
 * renders must still see the visitor cookie.
 */
const proxySource = (version: string, proxyExport: string): string => {
  const source = readFileSync(join(example, 'proxy.ts'), 'utf8').replace('export const proxy =', `export const ${proxyExport} =`)
  if (!version.startsWith('15.')) return source
  return `import { NextResponse } from 'next/server'\n${source.replace('idstitchProxy()', "idstitchProxy(() => NextResponse.next({ headers: { 'x-frame-options': 'DENY' } }))")}`
}

/** A page Next prerenders at build time (the example's own pages read cookies, so Next renders them per request). */
const PRERENDERED = `export const dynamic = 'force-static'
export const GET = () => new Response('<!doctype html><p>Pricing, the same for everyone</p>', { headers: { 'content-type': 'text/html; charset=utf-8' } })
`
/** The relay on the Pages Router, as docs/react-and-next.md writes it: Next has parsed the JSON body before it runs. */
const PAGES_RELAY = `import { createIdentifyHandler } from '@idstitch/node'
import { toNodeHandler } from '@idstitch/node/node-http'
import { idstitch, sessionUser } from '../../lib/idstitch'

export default toNodeHandler(createIdentifyHandler({ client: idstitch, authenticate: (request) => sessionUser(request.headers.get('cookie')), trustProxy: true }))
`
/** next-auth v4 (its `latest`), as a Pages Router app sets it up: JWT sessions, the user's id in the session. */
const NEXTAUTH_OPTIONS = `import type { AuthOptions } from 'next-auth'

export const authOptions: AuthOptions = {
  providers: [],
  secret: 'e2e-nextauth-secret-0123456789abcdef',
  session: { strategy: 'jwt' },
  callbacks: { session: ({ session, token }) => ({ ...session, user: { ...session.user, id: token.sub } }) },
}
`
/** A login of the test's own: the session cookie next-auth would set after sign-in, for the user the query names. */
const NEXTAUTH_LOGIN = `import type { NextApiRequest, NextApiResponse } from 'next'
import { encode } from 'next-auth/jwt'
import { authOptions } from '../../lib/auth'

export default async function login(req: NextApiRequest, res: NextApiResponse) {
  const token = await encode({ token: { sub: String(req.query.user), name: 'Ada' }, secret: authOptions.secret ?? '' })
  res.setHeader('set-cookie', \`next-auth.session-token=\${token}; Path=/; HttpOnly; SameSite=Lax\`)
  res.status(200).json({ ok: true })
}
`
/** The relay on the Pages Router behind next-auth v4, as docs/relay.md writes it: getServerSession() takes the response too. */
const NEXTAUTH_RELAY = `import { createIdentifyHandler } from '@idstitch/node'
import { getNodeRequest, getNodeResponse, toNodeHandler } from '@idstitch/node/node-http'
import type { NextApiRequest, NextApiResponse } from 'next'
import { getServerSession } from 'next-auth/next'
import { authOptions } from '../../lib/auth'
import { idstitch } from '../../lib/idstitch'

export default toNodeHandler(
  createIdentifyHandler({
    client: idstitch,
    authenticate: async (request) => {
      const req = getNodeRequest<NextApiRequest>(request)
      const res = getNodeResponse<NextApiResponse>(request)
      const session = req && res ? await getServerSession(req, res, authOptions) : null
      return (session?.user as { id?: string } | undefined)?.id
    },
    trustProxy: true,
  }),
)
`
/**
 * identifyOnLogin() in a route handler, with the app's own context.ip and message id, handing its identify to a
 * recorder of the app's (GET reads what it recorded once Next's after() ran it).
 */
const LOGIN_OPTIONS = `import { identifyOnLogin } from '@idstitch/next'
import type { IdentifyMessage, IdentifyOptions, IdentifyResult } from '@idstitch/node'

const recorded: { message: IdentifyMessage; options?: IdentifyOptions }[] = []
const recorder = {
  identify: async (message: IdentifyMessage, options?: IdentifyOptions): Promise<IdentifyResult> => {
    recorded.push({ message, options })
    return { ok: true, messageId: options?.messageId ?? 'none', results: [] }
  },
}

export const POST = async () => {
  await identifyOnLogin(recorder, 'usr_options', { context: { ip: '192.0.2.1', source: 'product' }, messageId: 'login-42' })
  return Response.json({ ok: true })
}
export const GET = () => Response.json(recorded)
export const dynamic = 'force-dynamic'
`
const BROWSER_PAGE = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36', accept: 'text/html', 'sec-fetch-dest': 'document' }

/** A fresh app with examples/next's source, a prerendered page and a Pages Router relay, on `next`, the @idstitch packages from their tarballs. */
const freshApp = async ({ version, proxyFile, proxyExport }: (typeof NEXTS)[number]): Promise<string> => {
  const dir = join(work, `next-${version}`)
  mkdirSync(dir)
  for (const path of ['app', 'lib', 'next.config.ts', 'tsconfig.json']) cpSync(join(example, path), join(dir, path), { recursive: true })
  writeFileSync(join(dir, proxyFile), proxySource(version, proxyExport))
  mkdirSync(join(dir, 'app/pricing'))
  writeFileSync(join(dir, 'app/pricing/route.ts'), PRERENDERED)
  mkdirSync(join(dir, 'pages/api'), { recursive: true })
  writeFileSync(join(dir, 'pages/api/identify-pages.ts'), PAGES_RELAY)
  writeFileSync(join(dir, 'lib/auth.ts'), NEXTAUTH_OPTIONS)
  writeFileSync(join(dir, 'pages/api/nextauth-login.ts'), NEXTAUTH_LOGIN)
  writeFileSync(join(dir, 'pages/api/identify-nextauth.ts'), NEXTAUTH_RELAY)
  mkdirSync(join(dir, 'app/api/login-options'), { recursive: true })
  writeFileSync(join(dir, 'app/api/login-options/route.ts'), LOGIN_OPTIONS)
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'fresh-next-app', private: true, scripts: {} }))
  const tools = ['react@19.3.1', 'react-dom@19.3.1', 'typescript@5.9.3', '@types/react@19.3.3', '@types/react-dom@19.3.0', '@types/node@20.19.43', 'next-auth@4.24.15']
  await runOrThrow('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', `next@${version}`, ...tools, ...packs], { cwd: dir })
  return dir
}

/** The sandbox as a user's CI runs it: its command, from its tarball, on a free port. */
const startSandbox = async (dir: string): Promise<{ url: string; process: ChildProcess }> => {
  const child = spawn(join(dir, 'node_modules/.bin/idstitch-sandbox'), ['--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] })
  for await (const line of createInterface({ input: child.stdout! })) {
    const url = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1]
    if (url) return { url, process: child }
  }
  throw new Error('idstitch-sandbox exited without saying where it listens')
}

/** `next start` on a free port, with the provider pointed at the sandbox; resolves once it answers. */
const startNext = async (dir: string, sandbox: string): Promise<{ port: number; process: ChildProcess }> => {
  const port = await freePort()
  const env = { ...withoutKeys(), PATHBOUND_API_KEY: 'pb_sandbox_key', PATHBOUND_BASE_URL: sandbox }
  const child = spawn(process.execPath, [join(dir, 'node_modules/next/dist/bin/next'), 'start', '--port', String(port), '--hostname', '127.0.0.1'], { cwd: dir, env, stdio: 'ignore' })
  for (let tries = 0; !(await fetch(`http://127.0.0.1:${port}/api/identify`, { method: 'OPTIONS' }).then(() => true, () => false)); tries++) {
    if (tries > 150) throw new Error('next start did not answer within 30 s')
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  return { port, process: child }
}

const stitched = async (sandbox: string, userId: string): Promise<Record<string, string[]>> => {
  for (let tries = 0; tries < 100; tries++) {
    const { stitched: found } = (await (await fetch(`${sandbox}/stitched/${userId}`)).json()) as { stitched: Record<string, string[]> }
    if (Object.keys(found).length > 0) return found
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return {}
}
const text = (page: Page, id: string) => page.locator(`#${id}`).textContent()

let browser: Chromium
beforeAll(async () => {
  browser = await launch()
}, 30_000)
afterAll(() => browser?.close())

describe.each(NEXTS)('a fresh app on Next $version', (next) => {
  let dir: string
  let sandbox: { url: string; process: ChildProcess }
  beforeAll(async () => {
    dir = await freshApp(next)
    sandbox = await startSandbox(dir)
  }, 300_000)
  afterAll(() => sandbox?.process.kill())

  describe.each(Object.entries(next.builds))('built with %s', (bundler, flags) => {
    let server: { port: number; process: ChildProcess }
    let output: string
    beforeAll(async () => {
      output = await runOrThrow(process.execPath, [join(dir, 'node_modules/next/dist/bin/next'), 'build', ...flags], { cwd: dir, env: withoutKeys() })
      server = await startNext(dir, sandbox.url)
    }, 300_000)
    afterAll(() => server?.process.kill())

    it('builds with no provider key in the environment', () => {
      expect(output).toContain('/api/identify-edge')
      // Next names Turbopack in its build output when it builds with it; webpack, its older default, not always.
      if (bundler === 'turbopack') expect(output.toLowerCase()).toContain('turbopack')
      else expect(output.toLowerCase()).not.toContain('turbopack')
    })

    it('keeps a prerendered page that sets the visitor cookie out of shared caches, and leaves it cacheable otherwise', async () => {
      const first = await fetch(`http://127.0.0.1:${server.port}/pricing`, { headers: BROWSER_PAGE })
      const cookies = first.headers.getSetCookie()
      expect(cookies).toEqual([expect.stringMatching(/^idstitch_visitor_id=[0-9a-f-]{36};/), expect.stringMatching(/^idstitch_visitor_served=1;/)])
      // Next gave it s-maxage=31536000: a cache that ignored Set-Cookie would have handed this id to every new visitor.
      expect(first.headers.get('cache-control')).toBe('private, no-store')
      const cookie = cookies.map((line) => line.split(';')[0]).join('; ')
      const again = await fetch(`http://127.0.0.1:${server.port}/pricing`, { headers: { ...BROWSER_PAGE, cookie } })
      expect(again.headers.getSetCookie()).toEqual([])
      expect(again.headers.get('cache-control')).toMatch(/s-maxage=/)
      expect(await again.text()).toContain('Pricing, the same for everyone')
    })

    it("relays for a next-auth v4 session on the Pages Router: getServerSession() is given the response, and renews its cookie there", async () => {
      const base = `http://127.0.0.1:${server.port}`
      const user = `usr_nextauth_${bundler}`
      const visitor = crypto.randomUUID()
      const login = await fetch(`${base}/api/nextauth-login?user=${user}`, { method: 'POST' })
      const session = login.headers.getSetCookie()[0]?.split(';')[0] ?? ''
      expect(session).toMatch(/^next-auth\.session-token=./)
      const relay = (cookie: string) =>
        fetch(`${base}/api/identify-nextauth`, { method: 'POST', headers: { origin: base, 'content-type': 'application/json', 'user-agent': BROWSER_PAGE['user-agent'], cookie }, body: JSON.stringify({ anonymousId: visitor, traits: { plan: 'team' } }) })
      expect((await relay('')).status).toBe(401)
      const relayed = await relay(session)
      expect(relayed.status).toBe(200)
      // next-auth renewed its session on the response getNodeResponse() gave it; the relay sent that cookie.
      expect(relayed.headers.getSetCookie()).toContainEqual(expect.stringMatching(/^next-auth\.session-token=[^;]+;/))
      expect(await stitched(sandbox.url, user)).toEqual({ pathbound: [visitor] })
    })

    it("hands identifyOnLogin()'s identify the app's own context.ip and message id", async () => {
      const url = `http://127.0.0.1:${server.port}/api/login-options`
      expect((await fetch(url, { method: 'POST', headers: { 'x-forwarded-for': '203.0.113.7' } })).status).toBe(200)
      // Recorded once Next's after() has run the identify, after the response.
      let recorded: unknown[] = []
      for (let tries = 0; recorded.length === 0 && tries < 100; tries++) {
        recorded = (await (await fetch(url)).json()) as unknown[]
        if (recorded.length === 0) await new Promise((resolve) => setTimeout(resolve, 50))
      }
      expect(recorded).toEqual([{ message: expect.objectContaining({ userId: 'usr_options', context: { ip: '192.0.2.1', source: 'product' } }), options: { messageId: 'login-42' } }])
    })

    it('sets the visitor cookie on the first response, renders it, stitches a login, and clears it on a logout in another tab', async () => {
      const { context, errors, open } = await newContext(browser)
      const user = `usr_${bundler}_${next.version.replaceAll('.', '_')}`
      const home = await context.newPage()
      home.on('console', (message) => message.type() === 'error' && errors.push(consoleError(message)))
      const response = await home.goto(`http://www.example.test:${server.port}/`)
      // The server's Set-Cookie, not a script's: Safari keeps it its full year.
      const visitor = /idstitch_visitor_id=([0-9a-f-]{36});/.exec((await response?.headerValue('set-cookie')) ?? '')?.[1]
      expect(visitor).toMatch(UUID)
      // On Next 15, the app's own proxy ran first (proxySource).
      expect(await response?.headerValue('x-frame-options')).toBe(next.version.startsWith('15.') ? 'DENY' : null)
      // Rendered by the server from the cookie the proxy set, and hydrated to the same.
      expect(await response?.text()).toContain(visitor)
      await home.waitForLoadState('networkidle')
      expect(await text(home, 'visitor')).toBe(visitor)

      const login = await open(`http://www.example.test:${server.port}/login`)
      await login.locator('input[name=user]').fill(user)
      await login.locator('#login').click()
      await login.waitForFunction((name) => document.getElementById('session')?.textContent === `logged in as ${name}`, user)
      expect(await stitched(sandbox.url, user)).toEqual({ pathbound: [visitor] })
      await login.waitForFunction((name) => document.getElementById('contact')?.textContent === name, user)

      for (const path of ['/api/identify', '/api/identify-edge', '/api/identify-pages']) {
        const status = await login.evaluate((endpoint) => fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ traits: { plan: 'team' } }) }).then((answer) => answer.status), path)
        expect({ path, status }).toEqual({ path, status: 200 })
      }

      // The home page, open in another tab, shows the contact; the logout in this one clears it there.
      await home.reload()
      expect(await text(home, 'contact')).toBe(user)
      await login.locator('#logout').click()
      await login.waitForFunction(() => document.getElementById('session')?.textContent === 'logged out')
      await home.waitForFunction(() => document.getElementById('contact')?.textContent === '-', null, { timeout: 5_000 })
      expect(await text(home, 'visitor')).toBe(visitor)
      expect(errors).toEqual([])
      await context.close()
    })
  })
})
