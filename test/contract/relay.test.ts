import { createClient, createIdentifyHandler, getContactId, type RelayResponseBody } from '@idstitch/node'
import { toNodeHandler } from '@idstitch/node/node-http'
import { datafast, dfend, monterosa, pathbound, segment, thrivestack } from '@idstitch/node/providers'
import { datafastRule, dfendRule, monterosaRule, pathboundRule, segmentRule, thrivestackRule } from '@idstitch/sandbox'
import { createServer, type Server } from 'node:http'
import { connect, type AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startStandIn, useStandIn, VISITOR } from './helpers.js'

const providers = useStandIn(datafastRule({ websiteKeys: ['df_key_0123'] }), pathboundRule({ keys: [{ key: 'pb_key_0123', scopes: ['contacts:write'] }] }))
let app: Server
let appUrl: string

/** The app's session: here the contact cookie stands in for a real session lookup. */
const authenticate = (request: Request) => (request.headers.get('x-session') === 'valid' ? getContactId(request) ?? 'usr_session' : null)

beforeAll(async () => {
  // These tests relay the same identify again on purpose: de-duplication, which would skip it, has its own tests.
  const client = createClient({ logger: false, dedupe: false, providers: [datafast({ apiKey: 'df_key_0123', baseUrl: providers.url }), pathbound({ apiKey: 'pb_key_0123', baseUrl: providers.url })] })
  // No throttle here: these tests relay many identifies for one user (the throttle has tests of its own below).
  const handler = createIdentifyHandler({ client, authenticate, allowedOrigins: ['https://www.example.test'], maxBodyBytes: 1024, throttle: false })
  const node = toNodeHandler(handler)
  app = createServer((req, res) => {
    if (req.url === '/parsed') {
      // What express.json() leaves behind: the stream consumed, req.body parsed.
      let text = ''
      req.on('data', (chunk: Buffer) => (text += chunk))
      req.on('end', () => void node(Object.assign(req, { body: JSON.parse(text) }), res))
      return
    }
    if (req.url === '/throwing') return void toNodeHandler(createIdentifyHandler({ client, authenticate: () => { throw new Error('session store down') } }))(req, res)
    void node(req, res)
  })
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve))
  appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`
})
afterAll(() => new Promise((resolve) => app.close(resolve)))

/** A browser's user agent: the relay refuses bots, and Node's fetch says `node`. */
const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'

const post = async (init: { path?: string; method?: string; headers?: Record<string, string>; body?: string }) => {
  const response = await fetch(appUrl + (init.path ?? '/api/identify'), {
    method: init.method ?? 'POST',
    headers: { origin: appUrl, 'content-type': 'application/json', 'x-session': 'valid', 'user-agent': BROWSER, ...init.headers },
    ...(init.body !== undefined ? { body: init.body } : {}),
  })
  return { status: response.status, body: (await response.json()) as { error?: { code: string; message: string } } & Partial<RelayResponseBody> }
}
const good = JSON.stringify({ anonymousId: VISITOR, userId: 'usr_session', traits: { plan: 'pro' } })

describe('the identify relay', () => {
  it('identifies the session user with the body\'s visitor id and traits, and answers the per-provider outcome', async () => {
    const { status, body } = await post({ body: good })
    expect(status).toBe(200)
    expect(body).toEqual({ ok: true, results: [{ provider: 'datafast', status: 'delivered' }, { provider: 'pathbound', status: 'delivered' }] })
    expect(providers.requests.map((request) => request.body)).toEqual([
      { user_id: 'usr_session', datafast_visitor_id: VISITOR, plan: 'pro' },
      { external_id: 'usr_session', anonymous_id: VISITOR, traits: { plan: 'pro' } },
    ])
  })

  it('takes the user id from the session when the body has none, and accepts an allowed origin', async () => {
    const { status } = await post({ headers: { origin: 'https://www.example.test', cookie: 'idstitch_external_contact_id=usr_cookie' }, body: JSON.stringify({ traits: {} }) })
    expect(status).toBe(200)
    expect(providers.requests.map((request) => request.body)).toEqual([{ external_id: 'usr_cookie' }])
  })

  it('works behind a body parser that already read the stream', async () => {
    expect((await post({ path: '/parsed', body: good })).status).toBe(200)
    expect(providers.requests).toHaveLength(2)
  })

  it.each<[string, Parameters<typeof post>[0], number, string]>([
    ['another method', { method: 'PUT', body: good }, 405, 'method_not_allowed'],
    ['no Origin', { headers: { origin: '' }, body: good }, 403, 'forbidden_origin'],
    ['a foreign origin', { headers: { origin: 'https://evil.test' }, body: good }, 403, 'forbidden_origin'],
    ['a body that is not JSON', { headers: { 'content-type': 'text/plain' }, body: good }, 415, 'unsupported_media_type'],
    ['a body over the size limit', { body: JSON.stringify({ traits: { blob: 'x'.repeat(2000) } }) }, 413, 'body_too_large'],
    ['no session', { headers: { 'x-session': 'none' }, body: good }, 401, 'unauthenticated'],
    ['malformed JSON', { body: '{"userId":' }, 400, 'invalid_json'],
    ['a JSON array', { body: '[]' }, 400, 'invalid_body'],
    ['an unknown field', { body: JSON.stringify({ userId: 'usr_session', isAdmin: true }) }, 400, 'invalid_body'],
    ['an anonymousId that is not a UUID', { body: JSON.stringify({ anonymousId: 'visitor; admin=1' }) }, 400, 'invalid_body'],
    ['traits that are not an object', { body: JSON.stringify({ traits: 'vip' }) }, 400, 'invalid_body'],
    ['a __proto__ trait', { body: '{"traits":{"__proto__":{"admin":true}}}' }, 400, 'invalid_body'],
    ['another user\'s id', { body: JSON.stringify({ userId: 'usr_someone_else' }) }, 403, 'user_mismatch'],
    ['a failing session store', { path: '/throwing', body: good }, 500, 'authenticate_failed'],
  ])('refuses %s, forwarding nothing', async (_, init, status, code) => {
    const response = await post(init)
    expect(response.status).toBe(status)
    expect(response.body.error?.code).toBe(code)
    expect(response.body.error?.message).toEqual(expect.any(String))
    expect(providers.requests).toHaveLength(0)
  })

  it('refuses a chunked body over the limit without a Content-Length', async () => {
    const handler = createIdentifyHandler({ client: createClient({ logger: false, providers: [pathbound({ apiKey: 'pb_key_0123', baseUrl: providers.url })] }), authenticate: () => 'usr_1', maxBodyBytes: 100 })
    const stream = new ReadableStream({
      start(controller) {
        for (let index = 0; index < 10; index++) controller.enqueue(new TextEncoder().encode('{"traits":{"a":"' + 'x'.repeat(50)))
        controller.close()
      },
    })
    const request = new Request('http://app.test/api/identify', { method: 'POST', headers: { origin: 'http://app.test', 'content-type': 'application/json' }, body: stream, duplex: 'half' } as RequestInit)
    expect((await handler(request)).status).toBe(413)
    expect(providers.requests).toHaveLength(0)
  })

  it('answers 400 invalid_request, behind toNodeHandler, to a Host that makes no URL, and nothing is sent', async () => {
    const { port } = new URL(appUrl)
    const headOf = (host: string) =>
      new Promise<string>((resolve, reject) => {
        const body = JSON.stringify({ anonymousId: VISITOR })
        const socket = connect(Number(port), '127.0.0.1', () =>
          socket.end(`POST /api/identify HTTP/1.1\r\nHost: ${host}\r\nOrigin: http://${host}\r\nContent-Type: application/json\r\nX-Session: valid\r\nUser-Agent: ${BROWSER}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`),
        )
        let answer = ''
        socket.on('data', (chunk) => (answer += chunk))
        socket.on('close', () => resolve(answer))
        socket.on('error', reject)
      })
    // Node's server passes either Host on; new Request() refuses both (no URL; credentials in it).
    for (const host of ['a b', 'user@www.example.test']) {
      const answer = await headOf(host)
      expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request')
      expect(answer).toContain('"code":"invalid_request"')
    }
    expect(providers.requests).toHaveLength(0)
  })

  it("answers 200 with ok: false and each provider's error code, never what the provider said", async () => {
    // A provider that echoes the request back in its error, server-only context and traits included.
    providers.faults.push({ status: 401, body: { status: 'error', error: { code: 401, message: 'Invalid API key for {"plan":"pro","key":"df_key_0123"}' } } })
    const { status, body } = await post({ body: good })
    expect(status).toBe(200)
    expect(body.ok).toBe(false)
    expect(body.results?.[0]).toEqual({ provider: 'datafast', status: 'failed', error: { code: 'http_error' } })
    expect(JSON.stringify(body)).not.toMatch(/Invalid API key|df_key_0123|plan/)
  })
})

describe('the relay against a hostile browser', () => {
  const server = useStandIn(
    thrivestackRule({ apiKey: 'ts_key_0123' }),
    dfendRule({ secretKeys: ['sk_dfend_0123'] }),
    pathboundRule({ keys: [{ key: 'pb_key_0123', scopes: ['contacts:write'] }] }),
  )

  /** The relay on a real node:http server, behind toNodeHandler. */
  const serve = async (options: Partial<Parameters<typeof createIdentifyHandler>[0]>) => {
    const client = createClient({
      logger: false,
      dedupe: false, // the same identify again, on purpose (de-duplication has its own tests)
      providers: [thrivestack({ apiKey: 'ts_key_0123', baseUrl: server.url }), dfend({ apiKey: 'sk_dfend_0123', baseUrl: server.url }), pathbound({ apiKey: 'pb_key_0123', baseUrl: server.url })],
    })
    const app = createServer(toNodeHandler(createIdentifyHandler({ client, authenticate: () => 'usr_1', ...options })))
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(app.address() as AddressInfo).port}/api/identify`
    return { url, close: () => new Promise((resolve) => app.close(resolve)) }
  }
  const send = (url: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(url, { method: 'POST', headers: { origin: new URL(url).origin, 'content-type': 'application/json', 'user-agent': BROWSER, ...headers }, body: JSON.stringify(body) })

  it("writes what a browser sent into the app's log only as printable text: a trait's name cannot forge a line or reach the terminal", async () => {
    const lines: string[] = []
    const client = createClient({ logger: { warn: (line) => lines.push(line), error: (line) => lines.push(line) }, providers: [pathbound({ apiKey: 'pb_key_0123', baseUrl: server.url })] })
    const handler = createIdentifyHandler({ client, authenticate: () => 'usr_1' })
    // Nested past the 32 levels a message may have, so the identify is refused, naming the path: the browser's key.
    let deep: unknown = 'x'
    for (let level = 0; level < 40; level++) deep = { level: deep }
    const key = '\u001b[2J\r\n[idstitch] pathbound: delivered'
    const response = await handler(new Request('http://app.test/api/identify', { method: 'POST', headers: { origin: 'http://app.test', 'content-type': 'application/json' }, body: JSON.stringify({ anonymousId: VISITOR, traits: { [key]: deep } }) }))
    expect(response.status).toBe(400)
    expect(lines.length).toBeGreaterThan(0)
    expect(lines.join('\n')).toContain('\\u001b[2J\\u000d\\u000a[idstitch] pathbound: delivered')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what must not be there.
    for (const line of lines) expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/)
    expect(server.requests).toHaveLength(0)
  })

  it("keeps one browser from spending the app's quota: past the throttle, 429 with Retry-After, nothing forwarded", async () => {
    const app = await serve({})
    const statuses: number[] = []
    let retryAfter: string | null = null
    for (let index = 0; index < 120; index++) {
      const response = await send(app.url, { traits: { plan: 'pro' } })
      statuses.push(response.status)
      if (response.status === 429) retryAfter = response.headers.get('retry-after')
      await response.body?.cancel()
    }
    await app.close()
    expect(statuses.filter((status) => status === 200)).toHaveLength(5)
    expect(statuses.filter((status) => status === 429)).toHaveLength(115)
    expect(Number(retryAfter)).toBeGreaterThan(0)
    expect(server.requests.filter((request) => request.path === '/v1/identify')).toHaveLength(5)
  })

  it("takes no identity trait from the browser: a vouched email wins under Thrivestack's user_email, and DFend never gets a browser email", async () => {
    const vouching = await serve({ authenticate: () => ({ userId: 'usr_1', traits: { email: 'ada@example.com' } }), browserTraits: ['plan', 'user_email'] })
    expect((await send(vouching.url, { traits: { plan: 'pro', user_email: 'attacker@evil.test' } })).status).toBe(200)
    await vouching.close()
    const thrive = server.requests.find((request) => request.path === '/api/identify')?.body as { traits: Record<string, unknown> }[]
    expect(thrive[0]?.traits).toMatchObject({ email: 'ada@example.com', user_email: 'ada@example.com', plan: 'pro' })
    server.requests.length = 0
    const bare = await serve({})
    const refused = await send(bare.url, { traits: { email: 'attacker@evil.test' } })
    expect(refused.status).toBe(400)
    expect(await refused.json()).toMatchObject({ error: { code: 'forbidden_trait' } })
    await bare.close()
    expect(server.requests).toHaveLength(0)
  })

  it('ignores X-Forwarded-Proto without trustProxy: a forged value cannot make Origin: null same-origin', async () => {
    const app = await serve({})
    for (const proto of ['foo', 'https', 'null']) expect((await send(app.url, {}, { origin: 'null', 'x-forwarded-proto': proto })).status).toBe(403)
    expect((await send(app.url, {}, { origin: 'https://app.example.test', 'x-forwarded-proto': 'https' })).status).toBe(403)
    await app.close()
    expect(server.requests).toHaveLength(0)
  })

  it('with trustProxy, passes a same-origin request that reached the server through a proxy, by Host and X-Forwarded-Proto', async () => {
    const app = await serve({ trustProxy: true })
    const port = new URL(app.url).port
    // The browser used https://app.example.test; the proxy forwarded to 127.0.0.1 and said so in its headers.
    expect((await send(app.url, {}, { origin: 'https://app.example.test', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'app.example.test' })).status).toBe(200)
    expect((await send(app.url, {}, { origin: 'https://app.example.test', 'x-forwarded-proto': 'foo', 'x-forwarded-host': 'app.example.test' })).status).toBe(403)
    expect((await send(app.url, {}, { origin: `http://127.0.0.1:${port}` })).status).toBe(200)
    await app.close()
  })
})

describe('server-side enrichment', () => {
  const PROJECT = '3f1c2a9e-8b7d-4e6f-a5c4-1d2e3f4a5b6c'
  // The app's own store of each user's identity-provider token, looked up by user id.
  const tokens = new Map([['usr_ada', 'tok_ada_0123']])
  const relayTo = async (authenticate: Parameters<typeof createIdentifyHandler>[0]['authenticate']) => {
    const server = await startStandIn(monterosaRule({ projectId: PROJECT, tokens: ['tok_ada_0123'] }), segmentRule({ writeKeys: ['wk_relay_0123'] }))
    const client = createClient({
      logger: false,
      providers: [
        monterosa({ baseUrl: server.url, projectId: PROJECT, provider: 'authZero', token: (event) => tokens.get(event.userId) }),
        segment({ writeKey: 'wk_relay_0123', baseUrl: server.url }),
      ],
    })
    const handler = createIdentifyHandler({ client, authenticate })
    const request = new Request('http://app.test/api/identify', {
      method: 'POST',
      headers: { origin: 'http://app.test', 'content-type': 'application/json' },
      body: JSON.stringify({ anonymousId: VISITOR, traits: { plan: 'free', theme: 'dark' } }),
    })
    const response = await handler(request)
    await server.close()
    return { status: response.status, body: (await response.json()) as RelayResponseBody & { error?: { code: string } }, requests: server.requests }
  }

  it('adds the traits and context authenticate() returns: server traits win, the context reaches the providers and never the browser', async () => {
    const { status, body, requests } = await relayTo(() => ({ userId: 'usr_ada', traits: { plan: 'pro', email: 'ada@example.com' }, context: { userAgent: 'Mozilla/5.0 (server-seen)' } }))
    expect(status).toBe(200)
    expect(body).toEqual({ ok: true, results: [{ provider: 'monterosa', status: 'delivered' }, { provider: 'segment', status: 'delivered' }] })
    const monterosaRequest = requests.find((request) => request.path === '/v1/user')
    const segmentRequest = requests.find((request) => request.path === '/v1/batch')
    expect(monterosaRequest?.headers.authorization).toBe('Bearer tok_ada_0123')
    expect(monterosaRequest?.body).toMatchObject({ data: { plan: 'pro', theme: 'dark', email: 'ada@example.com' } })
    expect(segmentRequest?.body).toMatchObject({
      batch: [{ userId: 'usr_ada', anonymousId: VISITOR, traits: { plan: 'pro', theme: 'dark', email: 'ada@example.com' }, context: { userAgent: 'Mozilla/5.0 (server-seen)' } }],
    })
    expect(JSON.stringify(body)).not.toContain('server-seen')
  })

  it.each([
    ['without a user id', { traits: { plan: 'pro' } }],
    ['with traits that are not an object', { userId: 'usr_ada', traits: ['pro'] }],
    ['with context that is not an object', { userId: 'usr_ada', context: 'server' }],
  ])('answers 500, forwarding nothing, when authenticate() returns an object %s', async (_, identity) => {
    const { status, body, requests } = await relayTo(() => identity as never)
    expect(status).toBe(500)
    expect(body.error?.code).toBe('authenticate_failed')
    expect(requests).toHaveLength(0)
  })
})
