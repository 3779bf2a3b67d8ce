import { createClient, createIdentifyHandler, getContactId, toNodeHandler, type RelayResponseBody } from '@idstitch/node'
import { datafast, monterosa, pathbound, segment } from '@idstitch/node/providers'
import { datafastRule, monterosaRule, pathboundRule, segmentRule, startProviderServer, type ProviderServer } from '@idstitch/sandbox'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { VISITOR } from './helpers.js'

let providers: ProviderServer
let app: Server
let appUrl: string

/** The app's session: here the contact cookie stands in for a real session lookup. */
const authenticate = (request: Request) => (request.headers.get('x-session') === 'valid' ? getContactId(request) ?? 'usr_session' : null)

beforeAll(async () => {
  providers = await startProviderServer([datafastRule({ websiteKeys: ['df_key_0123'] }), pathboundRule({ keys: [{ key: 'pb_key_0123', scopes: ['contacts:write'] }] })])
  const client = createClient({ logger: false, providers: [datafast({ apiKey: 'df_key_0123', baseUrl: providers.url }), pathbound({ apiKey: 'pb_key_0123', baseUrl: providers.url })] })
  const handler = createIdentifyHandler({ client, authenticate, allowedOrigins: ['https://www.example.test'], maxBodyBytes: 1024 })
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
afterAll(async () => {
  await new Promise((resolve) => app.close(resolve))
  await providers.close()
})
beforeEach(() => {
  providers.requests.length = 0
})

const post = async (init: { path?: string; method?: string; headers?: Record<string, string>; body?: string }) => {
  const response = await fetch(appUrl + (init.path ?? '/api/identify'), {
    method: init.method ?? 'POST',
    headers: { origin: appUrl, 'content-type': 'application/json', 'x-session': 'valid', ...init.headers },
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
    ['a failing session store', { path: '/throwing', body: good }, 500, 'internal_error'],
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

  it('answers 200 with ok: false and sanitised errors when a provider refuses', async () => {
    providers.faults.push({ status: 401, body: { status: 'error', error: { code: 401, message: 'Invalid API key' } } })
    const { status, body } = await post({ body: good })
    expect(status).toBe(200)
    expect(body.ok).toBe(false)
    expect(body.results?.[0]).toEqual({ provider: 'datafast', status: 'failed', error: { code: 'http_error', message: expect.stringContaining('Invalid API key') } })
    expect(JSON.stringify(body)).not.toContain('df_key_0123')
  })
})

describe('server-side enrichment', () => {
  const PROJECT = '3f1c2a9e-8b7d-4e6f-a5c4-1d2e3f4a5b6c'
  // The app's own store of each user's identity-provider token, looked up by user id.
  const tokens = new Map([['usr_ada', 'tok_ada_0123']])
  const relayTo = async (authenticate: Parameters<typeof createIdentifyHandler>[0]['authenticate']) => {
    const server = await startProviderServer([monterosaRule({ projectId: PROJECT, tokens: ['tok_ada_0123'] }), segmentRule({ writeKeys: ['wk_relay_0123'] })])
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
    expect(body.error?.code).toBe('internal_error')
    expect(requests).toHaveLength(0)
  })
})
