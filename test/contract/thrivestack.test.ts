import { createClient } from '@idstitch/node'
import { thrivestack } from '@idstitch/node/providers'
import { thrivestackRule } from '@idstitch/sandbox'
import { describe, expect, it } from 'vitest'
import { expectFailed, expectInvalid, fast, raw, useStandIn } from './helpers.js'

const KEY = 'ts_key_0123456789'
const TOKEN = 'ts_token_abcdefghij'
const server = useStandIn(thrivestackRule({ apiKey: KEY, token: TOKEN }))

const client = (options: Partial<Parameters<typeof thrivestack>[0]> = {}) =>
  createClient({ ...fast, providers: [thrivestack({ apiKey: KEY, baseUrl: server.url, ...options })] })

const item = { user_id: 'u', traits: {}, timestamp: '2026-01-01T00:00:00.000Z', context: {} }

describe('thrivestack: the local server enforces the documented rules', () => {
  const json = { 'x-api-key': KEY, accept: 'application/json' }
  it.each([
    ['no key', { accept: 'application/json' }, [item], 401],
    ['no Accept: application/json', { 'x-api-key': KEY }, [item], 406],
    ['an object instead of an array', json, item, 400],
    ['an empty array', json, [], 400],
    ['1,001 items', json, Array.from({ length: 1001 }, () => item), 400],
    ['a missing user_id', json, [{ traits: {} }], 400],
    ['a timestamp that is not ISO 8601', json, [{ ...item, timestamp: '20-11-23T22:28:55.111Z' }], 400],
    ['an unknown context.source', json, [{ ...item, context: { source: 'ads' } }], 400],
  ])('refuses %s', async (_, headers, body, status) => {
    const response = await raw(server, '/api/identify', { headers, body })
    expect(response.status).toBe(status)
    expect(response.body).toMatchObject({ status: 'error', message: expect.any(String), error_code: expect.any(String) })
  })
})

describe('thrivestack: identify', () => {
  it('sends an array of { user_id, traits, timestamp, context } with x-api-key and Accept: application/json', async () => {
    const result = await client().identify({
      userId: 'usr_ts_1',
      traits: { email: 'ada@example.com', plan: 'pro' },
      timestamp: new Date('2026-03-01T10:00:00Z'),
      context: { group_id: 'acct_1', source: 'product' },
    })
    expect(result.results[0]).toMatchObject({ status: 'delivered', data: { success: true, eventId: expect.any(String) } })
    const [request] = server.requests
    expect(request?.headers['x-api-key']).toBe(KEY)
    expect(request?.headers.accept).toBe('application/json')
    expect(request?.body).toEqual([
      {
        user_id: 'usr_ts_1',
        traits: { email: 'ada@example.com', user_email: 'ada@example.com', plan: 'pro' },
        timestamp: '2026-03-01T10:00:00.000Z',
        context: { group_id: 'acct_1', source: 'product' },
      },
    ])
  })

  it('defaults the timestamp to now', async () => {
    const before = Date.now()
    await client().identify({ userId: 'usr_ts_2' })
    const sent = Date.parse((server.requests[0]?.body as { timestamp: string }[] | undefined)?.[0]?.timestamp ?? '')
    expect(sent).toBeGreaterThanOrEqual(before - 5)
    expect(sent).toBeLessThanOrEqual(Date.now())
  })

  it.each([
    ['bearer', (h: Record<string, unknown>) => expect(h).toMatchObject({ authorization: `Bearer ${KEY}` })],
    ['bearer+key', (h: Record<string, unknown>) => expect(h).toMatchObject({ authorization: `Bearer ${TOKEN}`, key: KEY })],
  ] as const)('supports auth: %s', async (auth, check) => {
    const result = await client({ auth, token: TOKEN }).identify({ userId: 'usr_ts_3' })
    expect(result.results[0]?.status).toBe('delivered')
    check(server.requests[0]?.headers as Record<string, unknown>)
    expect(server.requests[0]?.headers['x-api-key']).toBeUndefined()
  })

  it('batches identifies made together into one request', async () => {
    const c = client()
    const results = await Promise.all(Array.from({ length: 50 }, (_, index) => c.identify({ userId: `usr_batch_${index}` })))
    expect(results.every((result) => result.results[0]?.status === 'delivered')).toBe(true)
    expect(server.requests).toHaveLength(1)
    expect(server.accepted.map((entry) => entry.userId)).toEqual(Array.from({ length: 50 }, (_, index) => `usr_batch_${index}`))
  })

  it('splits batches at 1,000 items', async () => {
    const c = createClient({ ...fast, concurrency: 1, providers: [thrivestack({ apiKey: KEY, baseUrl: server.url })] })
    await Promise.all(Array.from({ length: 2_100 }, (_, index) => c.identify({ userId: `u${index}` })))
    expect(server.requests.map((request) => (request.body as unknown[]).length)).toEqual([1000, 1000, 100])
    expect(server.accepted).toHaveLength(2_100)
  })

  it('refuses context.source outside product/marketing and a message over 2 MB, before sending', async () => {
    const c = client()
    expectInvalid((await c.identify({ userId: 'u', context: { source: 'ads' } })).results[0], 'thrivestack', 'context.source')
    expectInvalid((await c.identify({ userId: 'u', traits: { blob: 'x'.repeat(2 * 1024 * 1024) } })).results[0], 'thrivestack', 'traits')
    expect(server.requests).toHaveLength(0)
  })

  it('requires a token for bearer+key, and a known auth mode', () => {
    expect(() => thrivestack({ apiKey: KEY, auth: 'bearer+key' })).toThrowError(expect.objectContaining({ provider: 'thrivestack', option: 'token' }))
    expect(() => thrivestack({ apiKey: KEY, auth: 'basic' as never })).toThrowError(expect.objectContaining({ option: 'auth' }))
  })

  it('surfaces the error envelope and error_code on 401', async () => {
    const result = await client({ apiKey: 'ts_wrong_key' }).identify({ userId: 'u' })
    const error = expectFailed(result.results[0], 'HttpError', 'http_error')
    expect(error.message).toContain('UNAUTHORIZED')
    expect(result.results[0]?.attempts).toBe(1)
  })
})
