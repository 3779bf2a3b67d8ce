import { createClient } from '@idstitch/node'
import { dfend } from '@idstitch/node/providers'
import { dfendRule } from '@idstitch/sandbox'
import { describe, expect, it } from 'vitest'
import { expectFailed, expectInvalid, fast, raw, useStandIn } from './helpers.js'

const KEY = 'sk_dfend_0123456789'
const server = useStandIn(dfendRule({ secretKeys: [KEY] }))

const client = (options: Partial<Parameters<typeof dfend>[0]> = {}) =>
  createClient({ ...fast, providers: [dfend({ apiKey: KEY, baseUrl: server.url, ...options })] })

describe('dfend: the local server enforces the documented rules', () => {
  it.each([
    ['no key', {}, { userId: 'u' }, 401],
    ['a missing userId', { 'x-api-key': KEY }, { email: 'a@example.com' }, 400],
    ['an invalid email', { 'x-api-key': KEY }, { userId: 'u', email: 'nope' }, 400],
    ['a phone not in E.164', { 'x-api-key': KEY }, { userId: 'u', phone: '415-555-0123' }, 400],
    ['an unknown field', { 'x-api-key': KEY }, { userId: 'u', plan: 'pro' }, 400],
  ])('refuses %s', async (_, headers, body, status) => {
    expect((await raw(server, '/identity', { headers, body })).status).toBe(status)
  })
})

describe('dfend: identify', () => {
  it('maps userId, email and phone to DFend fields, other traits to metadata, merge true, and returns { id, created, merged }', async () => {
    const c = client()
    const result = await c.identify({ userId: 'usr_dfend_1', traits: { email: 'ada@example.com', phone: '+14155550123', plan: 'pro', seats: 3 } })
    expect(result.results[0]).toMatchObject({ status: 'delivered', attempts: 1, data: { id: expect.stringMatching(/^idn_/), created: true, merged: false } })
    const [request] = server.requests
    expect(request?.headers['x-api-key']).toBe(KEY)
    expect(request?.headers.authorization).toBeUndefined()
    expect(request?.body).toEqual({ userId: 'usr_dfend_1', email: 'ada@example.com', phone: '+14155550123', merge: true, metadata: { plan: 'pro', seats: 3 } })

    const again = await c.identify({ userId: 'usr_dfend_1', traits: { plan: 'team' } })
    expect(again.results[0]?.data).toEqual({ id: (result.results[0]?.data as { id: string } | undefined)?.id, created: false, merged: true })
  })

  it('sends merge: false when configured, and no metadata when there are no other traits', async () => {
    await client({ merge: false }).identify({ userId: 'usr_dfend_2' })
    expect(server.requests[0]?.body).toEqual({ userId: 'usr_dfend_2', merge: false })
  })

  it('refuses an invalid email or a phone not in E.164 before sending', async () => {
    const c = client()
    expectInvalid((await c.identify({ userId: 'u', traits: { email: 'ada@' } })).results[0], 'dfend', 'traits.email')
    const phone = expectInvalid((await c.identify({ userId: 'u', traits: { phone: '(415) 555-0123' } })).results[0], 'dfend', 'traits.phone')
    expect(phone.issues[0]?.message).toContain('E.164')
    expectInvalid((await c.identify({ userId: 'u', traits: { phone: 14155550123 } })).results[0], 'dfend', 'traits.phone')
    expect(server.requests).toHaveLength(0)
  })

  it('refuses a wrong key with a 401 result, and bad options at construction', async () => {
    const result = await client({ apiKey: 'sk_wrong_key' }).identify({ userId: 'u' })
    expectFailed(result.results[0], 'HttpError', 'http_error')
    expect(result.results[0]).toMatchObject({ httpStatus: 401, attempts: 1 })
    expect(() => dfend({ apiKey: KEY, merge: 'yes' as never })).toThrowError(expect.objectContaining({ provider: 'dfend', option: 'merge' }))
    expect(() => dfend({ apiKey: KEY, baseUrl: 'api.dfend.app' })).toThrowError(expect.objectContaining({ option: 'baseUrl' }))
  })
})
