// The relay in Node frameworks as an app installs them: behind Express's own body parsers (Express 4 and 5),
// whatever parser ran first, in Fastify and Koa, whose parsers keep the body on their own request, and over HTTP/2
// (node:http2, Fastify's `http2: true`). The visitor id and traits the browser sent reach the provider, or the app
// hears why not.
import { createClient, createIdentifyHandler, type IdentifyHandlerOptions, type RelayResponseBody } from '@idstitch/node'
import { getNodeRequest, getNodeResponse, toNodeHandler } from '@idstitch/node/node-http'
import { pathbound, segment } from '@idstitch/node/providers'
import { pathboundRule, segmentRule } from '@idstitch/sandbox'
import express5 from 'express'
import session from 'express-session'
import express4 from 'express4'
import Fastify from 'fastify'
import Koa from 'koa'
import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http'
import { connect, createServer as createHttp2Server } from 'node:http2'
import type { AddressInfo } from 'node:net'
import { text } from 'node:stream/consumers'
import { onTestFinished, describe, expect, it } from 'vitest'
import { OTHER_VISITOR, useStandIn, VISITOR } from './helpers.js'

const provider = useStandIn(pathboundRule({ keys: [{ key: 'pb_key_0123', scopes: ['contacts:write'] }] }))
const segmentProvider = useStandIn(segmentRule({ writeKeys: ['wk_frameworks_0123'] }))

const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'
const RELAYED = { anonymousId: VISITOR, traits: { plan: 'pro' } }

declare module 'express-session' {
  interface SessionData {
    userId: string
  }
}

/** The relay, as `app.post('/api/identify', toNodeHandler(relay))` mounts it, for `authenticate`'s user (`usr_1` unless `options` say). */
const relayHandler = (options: Partial<IdentifyHandlerOptions> = {}) => {
  const client = createClient({ logger: false, dedupe: false, providers: [pathbound({ apiKey: 'pb_key_0123', baseUrl: provider.url })] })
  onTestFinished(() => client.shutdown())
  return toNodeHandler(createIdentifyHandler({ client, authenticate: () => 'usr_1', throttle: false, ...options }))
}

/** Express 4 (installed as `express4`) and 5, typed alike: the surface these tests use is the same in both. */
const EXPRESS_MAJORS: [string, typeof express5][] = [
  ['Express 4', express4 as unknown as typeof express5],
  ['Express 5', express5],
]

/** Serves `listener` on a free port for the test; its URL. */
const serve = async (listener: RequestListener): Promise<string> => {
  const server: Server = createServer(listener)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** The tracker's relay call: a same-origin JSON POST, with the session's cookie when there is one. */
const post = async (url: string, cookie = '') => {
  const response = await fetch(`${url}/api/identify`, { method: 'POST', headers: { origin: url, 'content-type': 'application/json', 'user-agent': BROWSER, cookie }, body: JSON.stringify(RELAYED) })
  return { status: response.status, body: (await response.json()) as Partial<RelayResponseBody> & { error?: { code: string; message: string } } }
}

type Parser = (express: typeof express5) => ReturnType<typeof express5.json>
const PARSERS: [string, Parser][] = [
  ['express.json()', (express) => express.json()],
  // Alone, as many apps that take forms use it: Express 4's parsers set req.body = {} without reading a JSON body.
  ['express.urlencoded() alone', (express) => express.urlencoded({ extended: false })],
  ['express.text() for JSON', (express) => express.text({ type: 'application/json' })],
  ['express.raw() for JSON, as webhook routes use it', (express) => express.raw({ type: 'application/json' })],
]

describe.each(EXPRESS_MAJORS)('the relay on %s', (_, express) => {
  it.each(PARSERS)('relays the visitor id and traits after %s', async (_parser, parser) => {
    const app = express()
    app.use(parser(express))
    app.post('/api/identify', relayHandler())
    const { status, body } = await post(await serve(app as unknown as RequestListener))
    expect({ status, body }).toEqual({ status: 200, body: { ok: true, results: [{ provider: 'pathbound', status: 'delivered' }] } })
    expect(provider.requests.map((request) => request.body)).toEqual([{ external_id: 'usr_1', anonymous_id: VISITOR, traits: { plan: 'pro' } }])
  })
})

describe.each(EXPRESS_MAJORS)('the session of %s, for authenticate()', (_, express) => {
  it("is express-session's, on Express's own request: the session's user is identified, and no session is a 401", async () => {
    const relay = relayHandler({ authenticate: (request) => getNodeRequest<express5.Request>(request)?.session.userId })
    const app = express()
    app.use(session({ secret: 'a test secret', resave: false, saveUninitialized: false }))
    app.post('/login', (req, res) => {
      req.session.userId = 'usr_42'
      res.end()
    })
    app.post('/api/identify', relay)
    const url = await serve(app as unknown as RequestListener)
    expect((await post(url)).status).toBe(401)
    const cookie = (await fetch(`${url}/login`, { method: 'POST' })).headers.getSetCookie()[0]?.split(';')[0] ?? ''
    expect(cookie).toMatch(/^connect\.sid=/)
    expect((await post(url, cookie)).status).toBe(200)
    expect(provider.requests.map((request) => request.body)).toEqual([{ external_id: 'usr_42', anonymous_id: VISITOR, traits: { plan: 'pro' } }])
  })
})

describe('cookies an earlier middleware set', () => {
  it("are kept beside the relay's own (deleting the linked-ids cookie it joined)", async () => {
    const app = express5()
    app.use((_req, res, next) => {
      res.cookie('locale', 'fr')
      next()
    })
    app.post('/api/identify', relayHandler())
    const url = await serve(app as unknown as RequestListener)
    const response = await fetch(`${url}/api/identify`, {
      method: 'POST',
      headers: { origin: url, 'content-type': 'application/json', 'user-agent': BROWSER, cookie: `idstitch_linked_ids=${OTHER_VISITOR}` },
      body: JSON.stringify(RELAYED),
    })
    expect(response.status).toBe(200)
    expect(response.headers.getSetCookie()).toEqual(['locale=fr; Path=/', 'idstitch_linked_ids=; Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; SameSite=Lax'])
  })
})

describe("the browser's address", () => {
  /** The relay on Express, identifying to Segment (which locates users by `context.ip`); what Segment received. */
  const relayedContext = async (options: Partial<IdentifyHandlerOptions>, headers: Record<string, string> = {}) => {
    const client = createClient({ logger: false, dedupe: false, providers: [segment({ writeKey: 'wk_frameworks_0123', baseUrl: segmentProvider.url })] })
    onTestFinished(() => client.shutdown())
    const app = express5()
    app.post('/api/identify', toNodeHandler(createIdentifyHandler({ client, authenticate: () => 'usr_1', throttle: false, ...options })))
    const url = await serve(app as unknown as RequestListener)
    const response = await fetch(`${url}/api/identify`, { method: 'POST', headers: { origin: url, 'content-type': 'application/json', 'user-agent': BROWSER, ...headers }, body: JSON.stringify(RELAYED) })
    expect(response.status).toBe(200)
    const sent = segmentProvider.requests.at(-1)?.body as { batch: { context: Record<string, unknown> }[] } | undefined
    return sent?.batch[0]?.context
  }

  it("reaches the provider as context.ip: the connection's, and behind a proxy (trustProxy) the one it saw", async () => {
    expect(await relayedContext({})).toMatchObject({ ip: '127.0.0.1' })
    expect(await relayedContext({ trustProxy: true }, { 'x-forwarded-for': '198.51.100.9, 203.0.113.7' })).toMatchObject({ ip: '203.0.113.7' })
    expect(await relayedContext({ clientIp: false })).not.toHaveProperty('ip')
  })
})

describe('headers an earlier middleware set', () => {
  it("keep their Vary beside the relay's own", async () => {
    const app = express5()
    app.use((_req, res, next) => {
      res.vary('Accept-Encoding')
      next()
    })
    app.post('/api/identify', relayHandler({ allowedOrigins: ['http://www.example.test'] }))
    const url = await serve(app as unknown as RequestListener)
    const response = await fetch(`${url}/api/identify`, {
      method: 'POST',
      headers: { origin: 'http://www.example.test', 'content-type': 'application/json', 'user-agent': BROWSER },
      body: JSON.stringify(RELAYED),
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('vary')).toBe('Accept-Encoding, Origin')
  })
})

describe('the relay on Fastify', () => {
  it("relays the visitor id and traits Fastify's own parser read, as docs/relay.md mounts it", async () => {
    const relay = relayHandler()
    const fastify = Fastify()
    onTestFinished(() => fastify.close())
    fastify.post('/api/identify', (request, reply) => {
      // The reply is the relay's: Fastify sends none of its own.
      reply.hijack()
      return relay(Object.assign(request.raw, { body: request.body }), reply.raw)
    })
    const url = await fastify.listen({ port: 0, host: '127.0.0.1' })
    const { status, body } = await post(url)
    expect({ status, body }).toEqual({ status: 200, body: { ok: true, results: [{ provider: 'pathbound', status: 'delivered' }] } })
    expect(provider.requests.map((request) => request.body)).toEqual([{ external_id: 'usr_1', anonymous_id: VISITOR, traits: { plan: 'pro' } }])
  })
})

/** The tracker's relay call over HTTP/2 without TLS (as a TLS-terminating proxy may speak it to the app). */
const postHttp2 = async (url: string) => {
  const session = connect(url)
  onTestFinished(() => void session.close())
  const stream = session.request({ ':method': 'POST', ':path': '/api/identify', origin: url, 'content-type': 'application/json', 'user-agent': BROWSER })
  stream.end(JSON.stringify(RELAYED))
  const [status, body] = await Promise.all([new Promise<number>((resolve) => stream.once('response', (headers) => resolve(Number(headers[':status'])))), text(stream)])
  return { status, body: JSON.parse(body) as unknown }
}

describe('the relay over HTTP/2', () => {
  const DELIVERED = { status: 200, body: { ok: true, results: [{ provider: 'pathbound', status: 'delivered' }] } }

  it("relays the visitor id and traits on node:http2's compatibility API, its host from :authority", async () => {
    const server = createHttp2Server(relayHandler())
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())))
    expect(await postHttp2(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)).toEqual(DELIVERED)
    expect(provider.requests.map((request) => request.body)).toEqual([{ external_id: 'usr_1', anonymous_id: VISITOR, traits: { plan: 'pro' } }])
  })

  it('relays them on Fastify with http2: true, as docs/relay.md mounts it', async () => {
    const relay = relayHandler()
    const fastify = Fastify({ http2: true })
    onTestFinished(() => fastify.close())
    fastify.post('/api/identify', (request, reply) => {
      reply.hijack()
      return relay(Object.assign(request.raw, { body: request.body }), reply.raw)
    })
    expect(await postHttp2(await fastify.listen({ port: 0, host: '127.0.0.1' }))).toEqual(DELIVERED)
    expect(provider.requests.map((request) => request.body)).toEqual([{ external_id: 'usr_1', anonymous_id: VISITOR, traits: { plan: 'pro' } }])
  })
})

// Loaded by a name TypeScript does not follow: its types add a required `rawBody` to every node:http
// IncomingMessage in the program, which breaks the Express example this program also checks.
const KOA_BODYPARSER: string = '@koa/bodyparser'
const { bodyParser } = (await import(KOA_BODYPARSER)) as { bodyParser: () => Koa.Middleware }

describe('the relay on Koa', () => {
  it("relays the visitor id and traits @koa/bodyparser read, as docs/relay.md mounts it", async () => {
    const relay = relayHandler()
    const app = new Koa()
    app.use(bodyParser())
    app.use(async (ctx, next) => {
      if (ctx.path !== '/api/identify') return next()
      // The response is the relay's: Koa sends none of its own.
      ctx.respond = false
      // (`body` is @koa/bodyparser's, on Koa's request: its types are left out of this program, above.)
      await relay(Object.assign(ctx.req, { body: (ctx.request as { body?: unknown }).body }), ctx.res)
    })
    const { status, body } = await post(await serve(app.callback()))
    expect({ status, body }).toEqual({ status: 200, body: { ok: true, results: [{ provider: 'pathbound', status: 'delivered' }] } })
    expect(provider.requests.map((request) => request.body)).toEqual([{ external_id: 'usr_1', anonymous_id: VISITOR, traits: { plan: 'pro' } }])
  })
})

describe('toNodeHandler()', () => {
  it('refuses a handler that is no function (a misnamed import) at once, with a ConfigError naming it', () => {
    for (const handler of [undefined, null, { POST: () => {} }]) {
      expect(() => toNodeHandler(handler as never)).toThrowError(expect.objectContaining({ name: 'ConfigError', option: 'handler' }))
    }
  })
})

describe('getNodeRequest() and getNodeResponse()', () => {
  it('are undefined for a request toNodeHandler() did not make', () => {
    expect(getNodeRequest(new Request('http://127.0.0.1/api/identify'))).toBeUndefined()
    expect(getNodeResponse(new Request('http://127.0.0.1/api/identify'))).toBeUndefined()
  })

  it("give authenticate() the response too, whose cookies (a renewed session's) are sent beside the relay's", async () => {
    // As next-auth v4's getServerSession(req, res, authOptions) renews its session cookie: getHeader, then setHeader.
    const renew = (res: import('node:http').ServerResponse) => res.setHeader('set-cookie', [...((res.getHeader('set-cookie') as string[] | undefined) ?? []), 'session=renewed; Path=/; HttpOnly'])
    const relay = relayHandler({
      authenticate: (request) => {
        const res = getNodeResponse(request)
        if (!res || getNodeRequest(request)?.headers.cookie?.includes('session=1') !== true) return null
        renew(res)
        return 'usr_1'
      },
    })
    const url = await serve(relay)
    const response = await fetch(`${url}/api/identify`, { method: 'POST', headers: { origin: url, 'content-type': 'application/json', 'user-agent': BROWSER, cookie: `session=1; idstitch_linked_ids=${OTHER_VISITOR}` }, body: JSON.stringify(RELAYED) })
    expect(response.status).toBe(200)
    // The relay's own cookie (it deleted the linked ids it joined) came after the session's, and replaced nothing.
    expect(response.headers.getSetCookie()).toEqual(['session=renewed; Path=/; HttpOnly', expect.stringMatching(/^idstitch_linked_ids=;/)])
    expect(provider.requests.map((request) => request.body)).toContainEqual({ external_id: 'usr_1', anonymous_id: VISITOR, traits: { plan: 'pro' } })
  })
})

describe('a body read before the relay', () => {
  it('is a 500 naming what happened when nothing was left in req.body, and nothing is sent', async () => {
    const relay = relayHandler()
    // A framework's own parser (Fastify's keeps the body on its request object, not on the raw one).
    const url = await serve((req: IncomingMessage, res) => {
      req.resume()
      req.on('end', () => void relay(req, res))
    })
    const { status, body } = await post(url)
    expect(status).toBe(500)
    expect(body.error).toEqual({ code: 'internal_error', message: 'the request body was read before the relay, and no parsed req.body was left to relay' })
    expect(provider.requests).toEqual([])
  })
})
