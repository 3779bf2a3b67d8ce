import type { IdentifyMessage } from '@idstitch/core'
import { describe, expect, it, vi } from 'vitest'
import type { IdstitchClient } from './client.js'
import { createIdentifyHandler, type IdentifyHandlerOptions } from './relay.js'
import type { IdentifyResult } from './results.js'

const VISITOR = 'a3ab2331-989f-4cfa-91c6-2461c9e3c6bd'
const ORIGIN = 'https://app.example.test'

/** A client that records each identify and answers `result`. */
const recording = (result: IdentifyResult = { ok: true, messageId: 'm', results: [{ provider: 'acme', status: 'delivered', attempts: 1 }] }) => {
  const identified: IdentifyMessage[] = []
  const client: IdstitchClient = {
    identify: vi.fn(async (message: IdentifyMessage) => {
      identified.push(message)
      return result
    }),
    flush: async () => {},
    shutdown: async () => {},
  }
  return { client, identified }
}

const handler = (options: Partial<IdentifyHandlerOptions> = {}) => {
  const { client, identified } = recording()
  const relay = createIdentifyHandler({ client, authenticate: () => 'usr_session', ...options })
  return { relay, identified }
}

/** A request to the relay; a header given as `null` is left out. */
const request = (init: { method?: string; headers?: Record<string, string | null>; body?: string } = {}) => {
  const headers = Object.entries({ origin: ORIGIN, 'content-type': 'application/json', ...init.headers }).filter((entry): entry is [string, string] => entry[1] !== null)
  return new Request(`${ORIGIN}/api/identify`, { method: init.method ?? 'POST', headers, ...(init.body !== undefined ? { body: init.body } : {}) })
}

const answer = async (response: Response) => ({ status: response.status, body: (await response.json()) as Record<string, unknown> })

describe('the identify relay, unit by unit', () => {
  it('joins the visitor ids cross-domain links brought (the linked-ids cookie) to the user, each once, and answers with the main identify', async () => {
    const { relay, identified } = handler()
    const LINKED = '0b7e1f0c-52a4-4c55-8f3e-9d3f5a1e2b10'
    const cookie = `idstitch_linked_ids=${LINKED}%20not-a-uuid%20${LINKED}%20${VISITOR}`
    const response = await relay(request({ headers: { cookie }, body: JSON.stringify({ anonymousId: VISITOR }) }))
    expect(response.status).toBe(200)
    expect(identified.map((message) => message.anonymousId)).toEqual([VISITOR, LINKED])
    expect(identified[1]).toEqual({ userId: 'usr_session', anonymousId: LINKED })
  })

  it('joins at most five linked ids a relay call, so a forged cookie cannot multiply one call into many identifies', async () => {
    const { relay, identified } = handler()
    const ids = Array.from({ length: 40 }, (_, index) => `0b7e1f0c-52a4-4c55-8f3e-9d3f5a1e2b${String(index).padStart(2, '0')}`)
    const response = await relay(request({ headers: { cookie: `idstitch_linked_ids=${ids.join('%20')}` }, body: JSON.stringify({ anonymousId: VISITOR }) }))
    expect(response.status).toBe(200)
    expect(identified.map((message) => message.anonymousId)).toEqual([VISITOR, ...ids.slice(-5)])
  })

  it('refuses options that are not what they should be when it is created, naming the option, not at the first request', () => {
    const { client } = recording()
    const create = (options: Partial<IdentifyHandlerOptions>) => () => createIdentifyHandler({ client, authenticate: () => 'usr_session', ...options })
    expect(create({ allowedOrigins: ['www.example.test'] })).toThrowError(expect.objectContaining({ name: 'ConfigError', option: 'allowedOrigins[0]' }))
    expect(create({ throttle: { limit: 0, windowMs: 1000 } })).toThrowError(expect.objectContaining({ name: 'ConfigError', option: 'throttle.limit' }))
    expect(create({ cookieDomain: 'example.test; Secure' })).toThrowError(expect.objectContaining({ name: 'ConfigError', option: 'cookieDomain' }))
    expect(() => createIdentifyHandler({ client, authenticate: undefined as never })).toThrowError(expect.objectContaining({ name: 'ConfigError', option: 'authenticate' }))
  })

  it('deletes the linked-ids cookie once every linked id is joined, host-only and on cookieDomain, never Secure', async () => {
    const LINKED = '0b7e1f0c-52a4-4c55-8f3e-9d3f5a1e2b10'
    const cookie = `idstitch_linked_ids=${LINKED}`
    const { relay } = handler({ cookieDomain: 'example.test' })
    const response = await relay(request({ headers: { cookie }, body: JSON.stringify({ anonymousId: VISITOR }) }))
    expect(response.status).toBe(200)
    expect(response.headers.getSetCookie()).toEqual([
      'idstitch_linked_ids=; Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; SameSite=Lax',
      'idstitch_linked_ids=; Max-Age=0; Domain=example.test; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; SameSite=Lax',
    ])
    // Without cookieDomain, host-only; a cookie of junk goes too; a request without the cookie gets no Set-Cookie.
    const hostOnly = await handler().relay(request({ headers: { cookie: 'idstitch_linked_ids=junk' }, body: '{}' }))
    expect(hostOnly.headers.getSetCookie()).toEqual(['idstitch_linked_ids=; Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; SameSite=Lax'])
    expect((await handler().relay(request({ body: '{}' }))).headers.getSetCookie()).toEqual([])
  })

  it("tells the browser idstitch's own skip reasons, never an adapter's words (which may quote the app's data)", async () => {
    const skipped: IdentifyResult = {
      ok: true,
      messageId: 'm',
      results: [
        { provider: 'crm', status: 'skipped', attempts: 0, reason: 'no CRM plan for alice@example.com' },
        { provider: 'acme', status: 'skipped', attempts: 0, reason: 'duplicate' },
        { provider: 'ads', status: 'skipped', attempts: 0, reason: 'no_consent' },
      ],
    }
    const { client } = recording(skipped)
    const relay = createIdentifyHandler({ client, authenticate: () => 'usr_session' })
    expect(await answer(await relay(request({ body: '{}' })))).toEqual({
      status: 200,
      body: { ok: true, results: [{ provider: 'crm', status: 'skipped' }, { provider: 'acme', status: 'skipped', reason: 'duplicate' }, { provider: 'ads', status: 'skipped', reason: 'no_consent' }] },
    })
  })

  it('keeps the linked-ids cookie when a linked identify failed, for a later call or the login to join it', async () => {
    const LINKED = '0b7e1f0c-52a4-4c55-8f3e-9d3f5a1e2b10'
    const failed: IdentifyResult = { ok: false, messageId: 'm', results: [{ provider: 'acme', status: 'failed', attempts: 3 }] }
    const client: IdstitchClient = {
      identify: async (message) => (message.anonymousId === LINKED ? failed : { ok: true, messageId: 'm', results: [{ provider: 'acme', status: 'delivered', attempts: 1 }] }),
      flush: async () => {},
      shutdown: async () => {},
    }
    const relay = createIdentifyHandler({ client, authenticate: () => 'usr_session', cookieDomain: 'example.test' })
    const response = await relay(request({ headers: { cookie: `idstitch_linked_ids=${LINKED}` }, body: JSON.stringify({ anonymousId: VISITOR }) }))
    expect(await answer(response)).toEqual({ status: 200, body: { ok: true, results: [{ provider: 'acme', status: 'delivered' }] } })
    expect(response.headers.getSetCookie()).toEqual([])
  })

  it('refuses identify calls from crawlers and other bots, and takes a browser’s', async () => {
    const { relay, identified } = handler()
    const bot = await relay(request({ headers: { 'user-agent': 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' }, body: '{}' }))
    expect(await answer(bot)).toEqual({ status: 403, body: { error: { code: 'bot', message: 'identify calls from crawlers and other bots are refused' } } })
    expect(identified).toHaveLength(0)
    const browser = await relay(request({ headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36' }, body: '{}' }))
    expect(browser.status).toBe(200)
    expect(identified).toHaveLength(1)
  })

  it("adds each tool's own id from the request's cookies, and never takes one from the body", async () => {
    const { relay, identified } = handler()
    const cookie = `_ga=GA1.1.1234567890.1700000000; ajs_anonymous_id=%22ajs-1%22; pathbound_visitor_id=not-a-uuid`
    expect((await relay(request({ headers: { cookie }, body: JSON.stringify({ anonymousId: VISITOR }) }))).status).toBe(200)
    expect(identified[0]?.anonymousIds).toEqual({ ga4: '1234567890.1700000000', segment: 'ajs-1' })
    const smuggled = await answer(await relay(request({ body: JSON.stringify({ anonymousId: VISITOR, anonymousIds: { ga4: '1.2' } }) })))
    expect(smuggled).toMatchObject({ status: 400, body: { error: { code: 'invalid_body' } } })
  })

  it("identifies the session's user with the body's visitor id and traits", async () => {
    const { relay, identified } = handler()
    const { status, body } = await answer(await relay(request({ body: JSON.stringify({ anonymousId: VISITOR, userId: 'usr_session', traits: { plan: 'pro' } }) })))
    expect(status).toBe(200)
    expect(body).toEqual({ ok: true, results: [{ provider: 'acme', status: 'delivered' }] })
    expect(identified).toEqual([{ userId: 'usr_session', anonymousId: VISITOR, anonymousIds: {}, traits: { plan: 'pro' } }])
  })

  it.each<[string, Parameters<typeof request>[0], number, string]>([
    ['a GET', { method: 'GET' }, 405, 'method_not_allowed'],
    ['no Origin', { headers: { origin: null }, body: '{}' }, 403, 'forbidden_origin'],
    ['a foreign Origin', { headers: { origin: 'https://evil.test' }, body: '{}' }, 403, 'forbidden_origin'],
    ['a form post', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' }, 415, 'unsupported_media_type'],
    ['malformed JSON', { body: '{"anonymousId":' }, 400, 'invalid_json'],
    ['a JSON array', { body: '[]' }, 400, 'invalid_body'],
    ['an unknown field', { body: JSON.stringify({ context: { admin: true } }) }, 400, 'invalid_body'],
    ["another user's id", { body: JSON.stringify({ userId: 'usr_other' }) }, 403, 'user_mismatch'],
    ['a visitor id that is not a UUID', { body: JSON.stringify({ anonymousId: 'v1' }) }, 400, 'invalid_body'],
    ['traits that are not an object', { body: JSON.stringify({ traits: 'x' }) }, 400, 'invalid_body'],
    ['a body over the limit', { body: JSON.stringify({ traits: { blob: 'x'.repeat(70_000) } }) }, 413, 'body_too_large'],
  ])('refuses %s, forwarding nothing', async (_case, init, status, code) => {
    const { relay, identified } = handler()
    const response = await answer(await relay(request(init)))
    expect(response).toMatchObject({ status, body: { error: { code } } })
    expect(identified).toEqual([])
  })

  it('accepts an allowed origin besides its own', async () => {
    const { relay, identified } = handler({ allowedOrigins: ['https://www.example.test/'] })
    expect((await relay(request({ headers: { origin: 'https://WWW.example.test' }, body: '{}' }))).status).toBe(200)
    expect(identified).toHaveLength(1)
  })

  it('answers 401 without a session, and 500 when authenticate() throws or returns what is not an identity', async () => {
    expect((await answer(await handler({ authenticate: () => null }).relay(request({ body: '{}' }))))).toMatchObject({ status: 401, body: { error: { code: 'unauthenticated' } } })
    for (const authenticate of [() => { throw new Error('store down') }, () => ({ userId: '' }), () => ({ userId: 'u', traits: [] as never })]) {
      const { relay, identified } = handler({ authenticate })
      expect((await answer(await relay(request({ body: '{}' }))))).toMatchObject({ status: 500, body: { error: { code: 'authenticate_failed' } } })
      expect(identified).toEqual([])
    }
  })

  it("adds the server's traits and context; a vouched trait wins under every name a provider knows it by", async () => {
    const { relay, identified } = handler({
      authenticate: () => ({ userId: 'usr_session', traits: { email: 'ada@example.com' }, context: { source: 'product' } }),
      browserTraits: ['user_email', 'email', 'plan'],
    })
    await relay(request({ body: JSON.stringify({ traits: { email: 'attacker@example.test', user_email: 'attacker@example.test', plan: 'pro' } }) }))
    expect(identified).toEqual([{ userId: 'usr_session', anonymousId: undefined, anonymousIds: {}, traits: { email: 'ada@example.com', plan: 'pro' }, context: { source: 'product' } }])
  })

  it("puts the browser's address in context.ip: the one the app's proxy saw with trustProxy, authenticate()'s own winning", async () => {
    const forwarded = { 'x-forwarded-for': '198.51.100.9, 203.0.113.7' }
    const proxied = handler({ trustProxy: true, authenticate: () => ({ userId: 'usr_session', context: { source: 'product' } }) })
    await proxied.relay(request({ headers: forwarded, body: '{}' }))
    expect(proxied.identified[0]?.context).toEqual({ source: 'product', ip: '203.0.113.7' })
    const vouched = handler({ trustProxy: true, authenticate: () => ({ userId: 'usr_session', context: { ip: '192.0.2.1' } }) })
    await vouched.relay(request({ headers: forwarded, body: '{}' }))
    expect(vouched.identified[0]?.context).toEqual({ ip: '192.0.2.1' })
    const twoProxies = handler({ trustProxy: 2 })
    await twoProxies.relay(request({ headers: forwarded, body: '{}' }))
    expect(twoProxies.identified[0]?.context).toEqual({ ip: '198.51.100.9' })
  })

  it('sends no address with clientIp: false, nor one a browser forged without trustProxy (a Fetch request has no socket)', async () => {
    const off = handler({ trustProxy: true, clientIp: false })
    await off.relay(request({ headers: { 'x-forwarded-for': '203.0.113.7' }, body: '{}' }))
    const forged = handler()
    await forged.relay(request({ headers: { 'x-forwarded-for': '203.0.113.7', 'x-real-ip': '203.0.113.8' }, body: '{}' }))
    expect([off.identified[0]?.context, forged.identified[0]?.context]).toEqual([undefined, undefined])
    expect(() => handler({ clientIp: 'yes' as never })).toThrowError(expect.objectContaining({ name: 'ConfigError', option: 'clientIp' }))
  })

  it.each(['email', 'user_email', 'phone', 'name', 'firstName', 'last_name'])('refuses the identity trait %s from the browser by default (400 forbidden_trait)', async (trait) => {
    const { relay, identified } = handler()
    const response = await answer(await relay(request({ body: JSON.stringify({ traits: { [trait]: 'x', plan: 'pro' } }) })))
    expect(response).toMatchObject({ status: 400, body: { error: { code: 'forbidden_trait', message: expect.stringContaining(`traits.${trait}`) } } })
    expect(identified).toEqual([])
  })

  it('allows exactly the traits in browserTraits', async () => {
    const { relay, identified } = handler({ browserTraits: ['plan'] })
    expect((await relay(request({ body: JSON.stringify({ traits: { plan: 'pro' } }) }))).status).toBe(200)
    expect((await answer(await relay(request({ body: JSON.stringify({ traits: { company: 'Acme' } }) })))).body).toMatchObject({ error: { code: 'forbidden_trait' } })
    expect(identified).toHaveLength(1)
  })

  it("answers each provider's status and error code, never what a provider said", async () => {
    const { client, identified } = recording({
      ok: false,
      messageId: 'm',
      results: [{ provider: 'acme', status: 'failed', attempts: 1, httpStatus: 400, error: Object.assign(new Error('[idstitch] acme: HTTP 400: echo {"context":{"secret":"s3"}}'), { code: 'http_error' }) as never }],
    })
    const relay = createIdentifyHandler({ client, authenticate: () => 'usr_session' })
    const response = await relay(request({ body: '{}' }))
    const text = await response.text()
    expect(JSON.parse(text)).toEqual({ ok: false, results: [{ provider: 'acme', status: 'failed', error: { code: 'http_error' } }] })
    expect(text).not.toContain('s3')
    expect(identified).toHaveLength(1)
  })

  it('throttles each user: past the limit, 429 with Retry-After, forwarding nothing; other users are not held back', async () => {
    const { relay, identified } = handler({ throttle: { limit: 2, windowMs: 60_000 }, authenticate: (r) => r.headers.get('x-user') })
    const as = (user: string) => relay(request({ headers: { 'x-user': user }, body: '{}' }))
    expect([(await as('usr_a')).status, (await as('usr_a')).status]).toEqual([200, 200])
    const third = await as('usr_a')
    expect(third.status).toBe(429)
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(59)
    expect(await third.json()).toMatchObject({ error: { code: 'too_many_requests' } })
    expect((await as('usr_b')).status).toBe(200)
    expect(identified).toHaveLength(3)
  })

  it('forgets the user seen least lately past 10,000 users, never one still relaying: a burst of new users does not free a throttled one', async () => {
    const { relay } = handler({ throttle: { limit: 1, windowMs: 60_000 }, authenticate: (r) => r.headers.get('x-user') })
    const as = (user: string) => relay(request({ headers: { 'x-user': user }, body: '{}' }))
    expect((await as('usr_busy')).status).toBe(200)
    for (let index = 0; index < 9_999; index++) await as(`usr_${index}`)
    // Still held back, and so seen lately: the next new user takes the place of the one seen least lately.
    expect((await as('usr_busy')).status).toBe(429)
    expect((await as('usr_new')).status).toBe(200)
    expect((await as('usr_busy')).status).toBe(429)
    // The first of the burst was forgotten: its window starts again.
    expect((await as('usr_0')).status).toBe(200)
  })

  it("measures a user's window by a clock that does not step back with the wall clock's: an hour back holds no one back an hour", async () => {
    const { relay } = handler({ throttle: { limit: 1, windowMs: 100 } })
    const wall = Date.now
    try {
      expect((await relay(request({ body: '{}' }))).status).toBe(200)
      vi.spyOn(Date, 'now').mockImplementation(() => wall() - 3_600_000)
      const held = await relay(request({ body: '{}' }))
      expect([held.status, held.headers.get('retry-after')]).toEqual([429, '1'])
      await new Promise((resolve) => setTimeout(resolve, 200))
      expect((await relay(request({ body: '{}' }))).status).toBe(200)
    } finally {
      vi.restoreAllMocks()
    }
  })

  it('throttles 5 identifies per user per minute by default, and not at all with throttle: false', async () => {
    const limited = handler()
    const statuses = []
    for (let index = 0; index < 6; index++) statuses.push((await limited.relay(request({ body: '{}' }))).status)
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429])
    const open = handler({ throttle: false })
    for (let index = 0; index < 6; index++) expect((await open.relay(request({ body: '{}' }))).status).toBe(200)
  })

  it('answers 500 naming the cause for a body the app read before the relay (Hono: c.req.json(), a validator), forwarding nothing', async () => {
    const { relay, identified } = handler()
    const read = request({ body: JSON.stringify({ anonymousId: VISITOR }) })
    await read.json()
    expect(await answer(await relay(read))).toEqual({ status: 500, body: { error: { code: 'internal_error', message: 'the request body was read before the relay: hand it the request unread' } } })
    expect(identified).toEqual([])
  })

  it('answers 408 for a body that does not arrive in time, forwarding nothing', async () => {
    const { relay, identified } = handler({ bodyTimeoutMs: 50 })
    const stalled = new ReadableStream<Uint8Array>({ start: (controller) => controller.enqueue(new TextEncoder().encode('{"traits":')) })
    const response = await relay(new Request(`${ORIGIN}/api/identify`, { method: 'POST', headers: { origin: ORIGIN, 'content-type': 'application/json' }, body: stalled, duplex: 'half' } as RequestInit))
    expect(await answer(response)).toMatchObject({ status: 408, body: { error: { code: 'body_timeout' } } })
    expect(identified).toEqual([])
  })

  it("answers 400 for a body that ends before it is whole (the browser went away): the browser's failure, not the relay's", async () => {
    const { relay, identified } = handler()
    const cut = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"traits":'))
        controller.error(new Error('aborted'))
      },
    })
    const response = await relay(new Request(`${ORIGIN}/api/identify`, { method: 'POST', headers: { origin: ORIGIN, 'content-type': 'application/json' }, body: cut, duplex: 'half' } as RequestInit))
    expect(await answer(response)).toMatchObject({ status: 400, body: { error: { code: 'invalid_body', message: 'the body ended before it was whole' } } })
    expect(identified).toEqual([])
  })
})

describe('the identify relay behind a proxy', () => {
  /** What `next start` or a Node server behind a TLS proxy sees: an internal URL, the browser's host in headers. */
  const proxied = (headers: Record<string, string>) =>
    new Request('http://localhost:3000/api/identify', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' })

  it('passes a same-origin request through the proxy with trustProxy, without allowedOrigins', async () => {
    const { relay } = handler({ trustProxy: true })
    expect((await relay(proxied({ origin: 'https://app.example.com', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'app.example.com' }))).status).toBe(200)
    expect((await relay(proxied({ origin: 'https://app.example.com', 'x-forwarded-proto': 'https', host: 'app.example.com' }))).status).toBe(200)
  })

  it("takes a forwarded host with the scheme's default port for the origin without it, as a browser's Origin names it", async () => {
    const { relay } = handler({ trustProxy: true })
    expect((await relay(proxied({ origin: 'https://app.example.com', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'app.example.com:443' }))).status).toBe(200)
    expect((await relay(proxied({ origin: 'http://app.example.com', 'x-forwarded-proto': 'http', 'x-forwarded-host': 'app.example.com:80' }))).status).toBe(200)
    // Another port is another origin; a default port of the other scheme is not dropped.
    expect((await relay(proxied({ origin: 'https://app.example.com', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'app.example.com:8443' }))).status).toBe(403)
    expect((await relay(proxied({ origin: 'https://app.example.com', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'app.example.com:80' }))).status).toBe(403)
    expect((await relay(proxied({ origin: 'https://evil.test', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'app.example.com@evil.test:443' }))).status).toBe(403)
  })

  it('ignores forwarded headers without trustProxy', async () => {
    const { relay } = handler()
    expect((await relay(proxied({ origin: 'https://app.example.com', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'app.example.com' }))).status).toBe(403)
  })

  it('never takes an Origin of null as same-origin, whatever X-Forwarded-Proto says', async () => {
    const { relay } = handler({ trustProxy: true })
    for (const proto of ['foo', 'javascript', '']) {
      expect((await relay(proxied({ origin: 'null', 'x-forwarded-proto': proto, host: 'localhost:3000' }))).status).toBe(403)
    }
  })
})

describe('the identify relay, second review', () => {
  it.each(['$email', '$name', '$phone', '$first_name', 'Email', 'email_address', 'emailAddress', 'phoneNumber', 'fullName'])(
    'refuses the identity trait %s from the browser in any provider spelling or case',
    async (trait) => {
      const { relay, identified } = handler()
      const response = await answer(await relay(request({ body: JSON.stringify({ traits: { [trait]: 'Mallory' } }) })))
      expect(response).toMatchObject({ status: 400, body: { error: { code: 'forbidden_trait' } } })
      expect(identified).toEqual([])
    },
  )

  it("lets a vouched trait replace the browser's under its provider spellings too ($email for email)", async () => {
    const { relay, identified } = handler({ authenticate: () => ({ userId: 'usr_session', traits: { email: 'ada@example.com' } }), browserTraits: ['$email', '$name', 'plan'] })
    await relay(request({ body: JSON.stringify({ traits: { $email: 'mallory@evil.test', $name: 'Mallory', plan: 'pro' } }) }))
    expect(identified[0]?.traits).toEqual({ $name: 'Mallory', plan: 'pro', email: 'ada@example.com' })
  })

  it('answers an identify every provider refused with a code and the body field, never an adapter\'s or the app\'s words', async () => {
    const issue = { provider: 'crm', path: 'body', message: 'builder threw: lookup failed: postgres://app:S3cretDbPass@10.0.0.5/crm' }
    const refused = Object.assign(new Error(`[idstitch] crm: ${issue.path} ${issue.message}`), { code: 'validation_failed', issues: [issue] })
    const { client } = recording({ ok: false, messageId: 'm', results: [{ provider: 'crm', status: 'invalid', attempts: 0, error: refused as never }] })
    const text = await (await createIdentifyHandler({ client, authenticate: () => 'usr_session' })(request({ body: '{}' }))).text()
    expect(JSON.parse(text)).toEqual({ error: { code: 'invalid_body', message: 'the identify is invalid (the server logs why)' } })
    expect(text).not.toContain('S3cret')
    const onTraits = Object.assign(new Error('x'), { code: 'validation_failed', issues: [{ path: 'traits.plan', message: 'must be a string, says the adapter' }] })
    const named = recording({ ok: false, messageId: 'm', results: [{ provider: 'crm', status: 'invalid', attempts: 0, error: onTraits as never }] })
    expect(await (await createIdentifyHandler({ client: named.client, authenticate: () => 'usr_session' })(request({ body: '{}' }))).json()).toEqual({ error: { code: 'invalid_body', message: 'traits.plan is invalid' } })
    // The user id is the session's, not the body's: the browser cannot mend it, and is not told it sent it.
    const onUser = Object.assign(new Error('x'), { code: 'validation_failed', issues: [{ path: 'userId', message: 'must be 1..100 characters' }] })
    const session = recording({ ok: false, messageId: 'm', results: [{ provider: 'pathbound', status: 'invalid', attempts: 0, error: onUser as never }] })
    expect(await (await createIdentifyHandler({ client: session.client, authenticate: () => 'usr_session' })(request({ body: '{}' }))).json()).toEqual({ error: { code: 'invalid_body', message: 'the identify is invalid (the server logs why)' } })
  })

  it('answers a CORS preflight from an allowed origin, and adds CORS headers to its answers; refuses any other origin', async () => {
    const { relay, identified } = handler({ allowedOrigins: ['https://www.example.test'] })
    const preflight = await relay(request({ method: 'OPTIONS', headers: { origin: 'https://www.example.test', 'access-control-request-method': 'POST' } }))
    expect(preflight.status).toBe(204)
    expect(Object.fromEntries(preflight.headers)).toMatchObject({ 'access-control-allow-origin': 'https://www.example.test', 'access-control-allow-credentials': 'true', 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'content-type' })
    const posted = await relay(request({ headers: { origin: 'https://www.example.test' }, body: '{}' }))
    expect(posted.status).toBe(200)
    expect(posted.headers.get('access-control-allow-origin')).toBe('https://www.example.test')
    expect((await relay(request({ method: 'OPTIONS', headers: { origin: 'https://evil.test' } }))).status).toBe(403)
    expect((await relay(request({ headers: { origin: 'https://evil.test' }, body: '{}' }))).headers.get('access-control-allow-origin')).toBeNull()
    expect(identified).toHaveLength(1)
  })
})
