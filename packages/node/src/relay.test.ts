import type { IdentifyMessage } from '@idstitch/core'
import { describe, expect, it, vi } from 'vitest'
import type { IdstitchClient } from './client.js'
import { createIdentifyHandler, type IdentifyHandlerOptions } from './relay.js'
import type { IdentifyResult } from './results.js'

const VISITOR = 'a3ab2331-989f-4cfa-91c6-2461c9e3c6bd'
const ORIGIN = 'https://app.example.test'

/** A client that records each identify and answers `result`. */
const recording = (result: IdentifyResult = { ok: true, results: [{ provider: 'acme', status: 'delivered', attempts: 1 }] }) => {
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
  it("identifies the session's user with the body's visitor id and traits", async () => {
    const { relay, identified } = handler()
    const { status, body } = await answer(await relay(request({ body: JSON.stringify({ anonymousId: VISITOR, userId: 'usr_session', traits: { plan: 'pro' } }) })))
    expect(status).toBe(200)
    expect(body).toEqual({ ok: true, results: [{ provider: 'acme', status: 'delivered' }] })
    expect(identified).toEqual([{ userId: 'usr_session', anonymousId: VISITOR, traits: { plan: 'pro' } }])
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
      expect((await answer(await relay(request({ body: '{}' }))))).toMatchObject({ status: 500, body: { error: { code: 'internal_error' } } })
      expect(identified).toEqual([])
    }
  })

  it("adds the server's traits and context, which win over the browser's", async () => {
    const { relay, identified } = handler({ authenticate: () => ({ userId: 'usr_session', traits: { email: 'ada@example.com' }, context: { source: 'product' } }) })
    await relay(request({ body: JSON.stringify({ traits: { email: 'attacker@example.test', plan: 'pro' } }) }))
    expect(identified).toEqual([{ userId: 'usr_session', anonymousId: undefined, traits: { email: 'ada@example.com', plan: 'pro' }, context: { source: 'product' } }])
  })
})
