// The SDK where users deploy it, built from the packed tarballs with each
// runtime's export condition (no nodejs_compat, nothing marked external):
// Cloudflare Workers (workerd), Vercel Edge (@edge-runtime/vm), Bun and Deno
// (their binaries from the npm registry). Each serves the same app: the relay, the login route's cookie
// helpers, and a fire-and-forget identify that waitUntil keeps alive, all
// delivered to a local Pathbound stand-in.
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { basename, dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { pathboundRule, startProviderServer, type ProviderServer } from '@idstitch/sandbox'
import { EdgeVM } from '@edge-runtime/vm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bundle, installPacked, runtimeBinary } from './harness.js'

const KEY = 'pb_runtime_key_0123'
const VISITOR = 'a3ab2331-989f-4cfa-91c6-2461c9e3c6bd'
/** A browser's user agent: idstitch refuses identify calls from bots, and Node's fetch says `node`. */
const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'
let sandbox: ProviderServer
let project: Awaited<ReturnType<typeof installPacked>>

beforeAll(async () => {
  project = await installPacked()
  sandbox = await startProviderServer([pathboundRule({ keys: [{ key: KEY, scopes: ['contacts:write'] }] })])
}, 180_000)
afterAll(async () => {
  await sandbox?.close()
  project?.remove()
})

/** A running runtime: the app's base URL, and how to stop it. */
interface Served {
  /** The origin a browser on the app's pages sends. */
  origin: string
  fetch(path: string, init?: RequestInit): Promise<Response>
  /** Resolves once every identify handed to waitUntil has finished. */
  settled(): Promise<void>
  stop(): Promise<void>
}

/** A runtime in its own process, which prints `{"port":…}` once it listens. */
const serveProcess = async (command: string, args: string[], env: Record<string, string>): Promise<Served> => {
  const child: ChildProcess = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} did not start within 30 s`)), 30_000)
    child.once('exit', (code) => reject(new Error(`${command} exited with ${code}`)))
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer)
      resolve((JSON.parse(line) as { port: number }).port)
    })
  })
  const base = `http://127.0.0.1:${port}`
  return {
    origin: base,
    fetch: (path, init) => fetch(base + path, init),
    settled: async () => {},
    stop: () => new Promise((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', () => resolve()), child.kill()))),
  }
}

const env = () => ({ SANDBOX_URL: sandbox.url, PATHBOUND_API_KEY: KEY })

/** A free port on 127.0.0.1, for a runtime that cannot report the one it took. */
const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      server.close(() => resolve(port))
    })
  })

/** workerd, as Cloudflare runs Workers: the bundle as an ES module worker, with a 2024 compatibility date and no nodejs_compat. */
const serveWorkerd = async (file: string): Promise<Served> => {
  const port = await freePort()
  const config = join(dirname(file), 'workerd.capnp')
  writeFileSync(
    config,
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker), (name = "internet", network = (allow = ["public", "private", "local"])) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [ (name = "worker", esModule = embed "${basename(file)}") ],
  compatibilityDate = "2024-09-23",
  bindings = [ (name = "SANDBOX_URL", text = "${sandbox.url}"), (name = "PATHBOUND_API_KEY", text = "${KEY}") ],
  globalOutbound = "internet",
);
`,
  )
  const child = spawn(await runtimeBinary('workerd', '1.20261117.1', '@cloudflare/workerd-linux-64/bin/workerd'), ['serve', config], { stdio: ['ignore', 'inherit', 'inherit'] })
  const base = `http://127.0.0.1:${port}`
  for (let tries = 0; ; tries++) {
    if (child.exitCode !== null) throw new Error(`workerd exited with ${child.exitCode}`)
    const up = await fetch(`${base}/`).then(() => true, () => false)
    if (up) break
    if (tries > 150) throw new Error('workerd did not answer within 30 s')
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  return {
    origin: base,
    fetch: (path, init) => fetch(base + path, init),
    settled: async () => {},
    stop: () => new Promise((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', () => resolve()), child.kill()))),
  }
}

const RUNTIMES: [string, () => Promise<Served>][] = [
  [
    'Node (node:http)',
    async () => {
      const entry = `import { createServer } from 'node:http'\nimport { toNodeHandler } from '@idstitch/node/node-http'\nimport { handle } from './app.ts'\nconst server = createServer(toNodeHandler((request) => handle(request, { SANDBOX_URL: process.env.SANDBOX_URL, PATHBOUND_API_KEY: process.env.PATHBOUND_API_KEY }, () => {}))).listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })))\n`
      return serveProcess(process.execPath, [await bundle(project.dir, 'node', ['node'], entry, 'esm', 'node')], env())
    },
  ],
  [
    'Cloudflare Workers (workerd)',
    async () => {
      const entry = `import { handle } from './app.ts'\nexport default { fetch: (request, env, ctx) => handle(request, env, (promise) => ctx.waitUntil(promise)) }\n`
      return serveWorkerd(await bundle(project.dir, 'worker', ['workerd', 'worker', 'browser'], entry))
    },
  ],
  [
    'Vercel Edge (@edge-runtime/vm)',
    async () => {
      const file = await bundle(project.dir, 'edge', ['edge-light', 'worker', 'browser'], `import { handle } from './app.ts'\nglobalThis.__handle = handle\n`, 'iife')
      const vm = new EdgeVM()
      vm.evaluate(readFileSync(file, 'utf8'))
      const waiting: Promise<unknown>[] = []
      const context = vm.context as unknown as { __handle: (request: Request, env: object, waitUntil: (promise: Promise<unknown>) => void) => Promise<Response>; Request: typeof Request }
      return {
        origin: 'https://app.example.test',
        fetch: async (path, init) => {
          const response = await context.__handle(new context.Request(`https://app.example.test${path}`, init), env(), (promise) => void waiting.push(promise))
          // Back to this realm's Response, as a server would send it.
          const headers = new Headers()
          response.headers.forEach((value, key) => {
            if (key !== 'set-cookie') headers.append(key, value)
          })
          for (const cookie of response.headers.getSetCookie()) headers.append('set-cookie', cookie)
          return new Response(await response.text(), { status: response.status, headers })
        },
        settled: async () => void (await Promise.all(waiting)),
        stop: async () => {},
      }
    },
  ],
  [
    'Bun',
    async () => {
      const file = await bundle(project.dir, 'bun', ['bun'], `import { handle } from './app.ts'\nconst server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: (request) => handle(request, { SANDBOX_URL: Bun.env.SANDBOX_URL, PATHBOUND_API_KEY: Bun.env.PATHBOUND_API_KEY }, () => {}) })\nconsole.log(JSON.stringify({ port: server.port }))\n`)
      return serveProcess(await runtimeBinary('bun', '1.4.5', 'bun/bin/bun.exe'), ['run', file], env())
    },
  ],
  [
    'Deno',
    async () => {
      const file = await bundle(project.dir, 'deno', ['deno'], `import { handle } from './app.ts'\nDeno.serve({ port: 0, hostname: '127.0.0.1', onListen: ({ port }) => console.log(JSON.stringify({ port })) }, (request) => handle(request, { SANDBOX_URL: Deno.env.get('SANDBOX_URL'), PATHBOUND_API_KEY: Deno.env.get('PATHBOUND_API_KEY') }, () => {}))\n`)
      return serveProcess(await runtimeBinary('deno', '2.9.6', '@deno/linux-x64-glibc/deno'), ['run', '--allow-net=127.0.0.1', '--allow-env=SANDBOX_URL,PATHBOUND_API_KEY', '--no-prompt', file], env())
    },
  ],
]

/** Waits, a bounded number of times, until the stand-in has an identify for `userId`. */
const received = async (userId: string) => {
  for (let tries = 0; tries < 100; tries++) {
    const found = sandbox.accepted.find((identify) => identify.userId === userId)
    if (found) return found
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return undefined
}

describe.each(RUNTIMES)('on %s', (name, start) => {
  let served: Served
  beforeAll(async () => {
    served = await start()
  }, 180_000)
  afterAll(() => served?.stop())

  it('relays a front-end identify to the provider', async () => {
    const user = `usr_relay_${name.length}`
    const send = (origin: string) =>
      served.fetch('/api/identify', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-user': user, origin, 'user-agent': CHROME },
        body: JSON.stringify({ anonymousId: VISITOR, traits: { plan: 'team' } }),
      })
    const foreign = await send('https://evil.example')
    expect(foreign.status).toBe(403)
    const response = await send(served.origin)
    expect(await response.json()).toEqual({ ok: true, results: [{ provider: 'pathbound', status: 'delivered' }] })
    expect(await received(user)).toMatchObject({ provider: 'pathbound', userId: user, anonymousId: VISITOR })
    expect(sandbox.accepted.filter((identify) => identify.userId === user)).toHaveLength(1)
  })

  it('answers a login with the cookie helpers, and delivers the identify it did not await', async () => {
    const user = `usr_login_${name.length}`
    const response = await served.fetch('/login', { headers: { 'x-user': user, cookie: `idstitch_visitor_id=${VISITOR}` } })
    expect(response.status).toBe(202)
    expect(await response.json()).toEqual({ visitor: VISITOR, rotated: false })
    expect(response.headers.getSetCookie()).toEqual(expect.arrayContaining([expect.stringContaining(`idstitch_external_contact_id=${user}`), expect.stringContaining(`idstitch_visitor_id=${VISITOR}`)]))
    await served.settled()
    expect(await received(user)).toMatchObject({ provider: 'pathbound', userId: user, anonymousId: VISITOR })
  })

  const view = (headers: Record<string, string>) => served.fetch('/pricing', { headers: { 'sec-fetch-dest': 'document', accept: 'text/html', ...headers } })

  it('sets the visitor cookie on a first view, nothing while it is fresh, and nothing for a crawler (isbot on this runtime)', async () => {
    const first = (await view({ 'user-agent': CHROME })).headers.getSetCookie()
    expect(first).toEqual([expect.stringMatching(/^idstitch_visitor_id=[0-9a-f-]{36}; Max-Age=31536000; Path=\/; SameSite=Lax$/), 'idstitch_visitor_served=1; Max-Age=86400; Path=/; SameSite=Lax'])
    const id = first[0]?.split(/[=;]/)[1] as string
    expect((await view({ 'user-agent': CHROME, cookie: `idstitch_visitor_id=${id}; idstitch_visitor_served=1` })).headers.getSetCookie()).toEqual([])
    expect((await view({ 'user-agent': CHROME, cookie: `idstitch_visitor_id=${id}` })).headers.getSetCookie()[0]).toContain(`idstitch_visitor_id=${id};`)
    expect((await view({ 'user-agent': 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' })).headers.getSetCookie()).toEqual([])
  })
})

describe("the deploying page (docs/deploying.md)", () => {
  const readme = readFileSync(new URL('../../docs/deploying.md', import.meta.url), 'utf8')
  const source = readFileSync(new URL('./runtimes.test.ts', import.meta.url), 'utf8')

  it('shows the app these tests serve, as it is', () => {
    const app = readFileSync(new URL('./app.ts', import.meta.url), 'utf8')
    expect(readme).toContain(app.slice(app.indexOf('import { createClient')))
  })

  it("shows each runtime's entry as these tests start it", () => {
    for (const line of readme.slice(readme.indexOf('// Node\nconst server = createServer(')).split('\n').slice(0, 8).filter((text) => !text.startsWith('//'))) {
      expect(source.replaceAll('\\n', '\n')).toContain(line)
    }
  })
})
