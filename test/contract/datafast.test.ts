import { createClient, isConfigError, isHttpError } from '@idstitch/node'
import { datafast } from '@idstitch/node/providers'
import { datafastRule } from '@idstitch/sandbox'
import { describe, expect, it } from 'vitest'
import { expectFailed, expectInvalid, fast, OTHER_VISITOR, raw, useStandIn, VISITOR } from './helpers.js'

const KEY = 'df_live_0123456789'
const TOKEN = 'dft_account_0123456789'
const TOKEN_NO_WRITE = 'dft_readonly_0123456789'
const WEBSITE = '665f0b3c4d2e1a0012345678'
const server = useStandIn(
  datafastRule({
    websiteKeys: [KEY],
    accountTokens: [
      { token: TOKEN, websiteIds: [WEBSITE] },
      { token: TOKEN_NO_WRITE, websiteIds: [WEBSITE], identifyWrite: false },
    ],
    visitorsWithPageviews: () => new Set([VISITOR]),
  }),
)

const client = (options: Partial<Parameters<typeof datafast>[0]> = {}) =>
  createClient({ ...fast, providers: [datafast({ apiKey: KEY, baseUrl: server.url, ...options })] })

describe('datafast: the local server enforces the documented rules', () => {
  it.each([
    ['no token', {}, { user_id: 'u', datafast_visitor_id: VISITOR }, 401],
    ['a wrong key', { authorization: 'Bearer df_nope' }, { user_id: 'u', datafast_visitor_id: VISITOR }, 401],
    ['no user_id', { authorization: `Bearer ${KEY}` }, { datafast_visitor_id: VISITOR }, 400],
    ['a 256-character user_id', { authorization: `Bearer ${KEY}` }, { user_id: 'u'.repeat(256), datafast_visitor_id: VISITOR }, 400],
    ['a visitor id that is not a UUID', { authorization: `Bearer ${KEY}` }, { user_id: 'u', datafast_visitor_id: 'nope' }, 400],
    ['a dft_ token without websiteId', { authorization: `Bearer ${TOKEN}` }, { user_id: 'u', datafast_visitor_id: VISITOR }, 400],
  ])('refuses %s', async (_, headers, body, status) => {
    const response = await raw(server, '/api/v1/identify', { headers, body })
    expect(response.status).toBe(status)
    expect(response.body).toMatchObject({ status: 'error', error: { code: status, message: expect.any(String) } })
  })
})

describe('datafast: identify', () => {
  it('maps user_id, datafast_visitor_id and traits as top-level fields, with Bearer auth', async () => {
    const result = await client().identify({ userId: 'usr_8f3a', anonymousId: VISITOR, traits: { email: 'ada@example.com', plan: 'pro' } })
    expect(result.ok).toBe(true)
    expect(result.results[0]).toMatchObject({ provider: 'datafast', status: 'delivered', httpStatus: 200, attempts: 1, data: { profileId: expect.any(String) } })
    const [request] = server.requests
    expect(request?.method).toBe('POST')
    expect(request?.path).toBe('/api/v1/identify')
    expect(request?.headers.authorization).toBe(`Bearer ${KEY}`)
    expect(request?.headers['content-type']).toBe('application/json')
    expect(request?.body).toEqual({ user_id: 'usr_8f3a', datafast_visitor_id: VISITOR, email: 'ada@example.com', plan: 'pro' })
  })

  it('sends ?websiteId= with a dft_ account token', async () => {
    const result = await client({ apiKey: TOKEN, websiteId: WEBSITE }).identify({ userId: 'usr_1', anonymousId: VISITOR })
    expect(result.results[0]?.status).toBe('delivered')
    expect(server.requests[0]?.query.get('websiteId')).toBe(WEBSITE)
  })

  it('refuses a dft_ token without websiteId, and a key of the wrong shape, at construction', () => {
    expect(() => datafast({ apiKey: TOKEN })).toThrowError(expect.objectContaining({ name: 'ConfigError', provider: 'datafast', option: 'websiteId' }))
    expect(() => datafast({ apiKey: 'sk_live_1' })).toThrowError(/datafast: invalid option `apiKey`/)
    let thrown: unknown
    try {
      datafast({ apiKey: '' })
    } catch (error) {
      thrown = error
    }
    expect(isConfigError(thrown) && thrown.option).toBe('apiKey')
  })

  it('skips a message without a visitor id, sending nothing', async () => {
    const result = await client().identify({ userId: 'usr_1' })
    expect(result.ok).toBe(true)
    expect(result.results[0]).toMatchObject({ status: 'skipped', attempts: 0, reason: expect.stringContaining('anonymousId') })
    expect(server.requests).toHaveLength(0)
  })

  it('refuses, before sending, a visitor id that is not a UUID, a long user id and colliding traits', async () => {
    const c = client()
    expectInvalid((await c.identify({ userId: 'u', anonymousId: 'not-a-uuid' })).results[0], 'datafast', 'anonymousId')
    expectInvalid((await c.identify({ userId: 'u'.repeat(256), anonymousId: VISITOR })).results[0], 'datafast', 'userId')
    const collision = expectInvalid((await c.identify({ userId: 'u', anonymousId: VISITOR, traits: { user_id: 'admin' } })).results[0], 'datafast', 'traits.user_id')
    expect(collision.issues[0]?.message).toContain('collides')
    expectInvalid((await c.identify({ userId: 'u', anonymousId: VISITOR, traits: { datafast_visitor_id: OTHER_VISITOR } })).results[0], 'datafast', 'traits.datafast_visitor_id')
    expect(server.requests).toHaveLength(0)
  })

  it('reports a visitor without pageviews as visitor_not_found, without retrying', async () => {
    const result = await client().identify({ userId: 'u', anonymousId: OTHER_VISITOR })
    const error = expectFailed(result.results[0], 'HttpError', 'visitor_not_found')
    expect(isHttpError(error) && error.status).toBe(404)
    expect(result.results[0]?.attempts).toBe(1)
    expect(error.message).toContain('no pageviews')
  })

  it('surfaces 401 and 403 as failed HttpErrors with the provider message, without retrying', async () => {
    const unauthorised = await client({ apiKey: 'df_wrong' }).identify({ userId: 'u', anonymousId: VISITOR })
    expect(expectFailed(unauthorised.results[0], 'HttpError', 'http_error').message).toContain('Invalid API key')
    expect(unauthorised.results[0]).toMatchObject({ httpStatus: 401, attempts: 1 })
    const forbidden = await client({ apiKey: TOKEN_NO_WRITE, websiteId: WEBSITE }).identify({ userId: 'u', anonymousId: VISITOR })
    expect(expectFailed(forbidden.results[0], 'HttpError', 'http_error').message).toContain('identify:write')
    expect(forbidden.results[0]).toMatchObject({ httpStatus: 403, attempts: 1 })
  })
})
