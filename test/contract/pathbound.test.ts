import { createClient } from '@idstitch/node'
import { pathbound } from '@idstitch/node/providers'
import { pathboundRule } from '@idstitch/sandbox'
import { describe, expect, it } from 'vitest'
import { expectFailed, expectInvalid, fast, raw, startStandIn, useStandIn, VISITOR } from './helpers.js'

const KEY = 'pb_live_0123456789'
const READ_ONLY = 'pb_read_0123456789'
const server = useStandIn(pathboundRule({ keys: [{ key: KEY, scopes: ['contacts:write'] }, { key: READ_ONLY, scopes: ['contacts:read'] }] }))

const client = (options: Partial<Parameters<typeof pathbound>[0]> = {}, extra = {}) =>
  createClient({ ...fast, ...extra, providers: [pathbound({ apiKey: KEY, baseUrl: server.url, ...options })] })

describe('pathbound: the local server enforces the documented rules', () => {
  it.each([
    ['no key', {}, { external_id: 'x' }, 401],
    ['a key without contacts:write', { authorization: `Bearer ${READ_ONLY}` }, { external_id: 'x' }, 403],
    ['a missing external_id', { authorization: `Bearer ${KEY}` }, { anonymous_id: VISITOR }, 400],
    ['a 101-character external_id', { authorization: `Bearer ${KEY}` }, { external_id: 'x'.repeat(101) }, 400],
    ['traits that are not an object', { authorization: `Bearer ${KEY}` }, { external_id: 'x', traits: 'vip' }, 400],
  ])('refuses %s', async (_, headers, body, status) => {
    const response = await raw(server, '/v1/identify', { headers, body })
    expect(response.status).toBe(status)
    expect(response.body).toMatchObject({ status: 'error', error: expect.any(String), timestamp: expect.any(String) })
  })

  it('answers 429 after 100 requests in 15 minutes', async () => {
    const limited = await startStandIn(pathboundRule({ keys: [{ key: KEY, scopes: ['contacts:write'] }] }))
    const statuses: number[] = []
    for (let index = 0; index < 101; index++) {
      statuses.push((await raw(limited, '/v1/identify', { headers: { authorization: `Bearer ${KEY}` }, body: { external_id: `c_${index}` } })).status)
    }
    await limited.close()
    expect(statuses.slice(0, 100).every((status) => status === 200)).toBe(true)
    expect(statuses[100]).toBe(429)
  })
})

describe('pathbound: identify', () => {
  it('maps external_id, anonymous_id and traits with Bearer auth, and returns the contact', async () => {
    const result = await client().identify({ userId: 'usr_8f3a2c9e', anonymousId: VISITOR, traits: { email: 'ada@example.com', firstname: 'Ada' } })
    expect(result.results[0]).toMatchObject({
      status: 'delivered',
      data: { status: 'success', contact_id: expect.any(String), created: true, events_linked: 1, timestamp: expect.any(String) },
    })
    const [request] = server.requests
    expect(request?.headers.authorization).toBe(`Bearer ${KEY}`)
    expect(request?.body).toEqual({ external_id: 'usr_8f3a2c9e', anonymous_id: VISITOR, traits: { email: 'ada@example.com', firstname: 'Ada' } })
  })

  it('omits anonymous_id and traits when there are none', async () => {
    await client().identify({ userId: 'usr_bare' })
    expect(server.requests[0]?.body).toEqual({ external_id: 'usr_bare' })
  })

  it('refuses an external id over 100 characters before sending', async () => {
    expectInvalid((await client().identify({ userId: 'x'.repeat(101) })).results[0], 'pathbound', 'userId')
    expect(server.requests).toHaveLength(0)
  })

  it('warns once, through the logger, when external ids look guessable', async () => {
    const lines: string[] = []
    const c = client({}, { logger: { warn: (line: string) => lines.push(line) } })
    await c.identify({ userId: '12345' })
    await c.identify({ userId: '67890' })
    await c.identify({ userId: 'ada@example.com' })
    await c.identify({ userId: 'usr_opaque_1' })
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(/^\[idstitch\] pathbound: .*digits/)
    expect(lines[1]).toMatch(/email/)
    expect(lines.join()).not.toContain(KEY)
  })

  it('reports a missing scope as a 403 result without retrying', async () => {
    const result = await client({ apiKey: READ_ONLY }).identify({ userId: 'usr_x' })
    expect(expectFailed(result.results[0], 'HttpError', 'http_error').message).toContain('contacts:write')
    expect(result.results[0]).toMatchObject({ httpStatus: 403, attempts: 1 })
  })

  it('includes the per-field details of a 400 in the error', async () => {
    server.faults.push({ status: 400, body: { status: 'error', error: 'Validation failed', details: [{ field: 'traits.email', message: 'invalid' }] } })
    const result = await client().identify({ userId: 'usr_400' })
    const error = expectFailed(result.results[0], 'HttpError', 'http_error')
    expect(error.message).toContain('Validation failed')
    expect(error.message).toContain('traits.email')
    expect(result.results[0]?.attempts).toBe(1)
  })
})
