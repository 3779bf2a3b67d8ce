import { createClient, getAnonymousIds, isConfigError } from '@idstitch/node'
import { posthog } from '@idstitch/node/providers'
import { posthogRule } from '@idstitch/sandbox'
import { describe, expect, it } from 'vitest'
import { fast, raw, useStandIn, VISITOR } from './helpers.js'

const KEY = 'phc_contract_0123456789'
/** An id as posthog-js mints it (UUIDv7), in its ph_<key>_posthog cookie. */
const POSTHOG_ID = '0190f3c2-7d0e-7c3a-9b1e-2f4a5b6c7d8e'
const cookie = `idstitch_visitor_id=${VISITOR}; ph_${KEY}_posthog=${encodeURIComponent(JSON.stringify({ distinct_id: POSTHOG_ID, $device_id: POSTHOG_ID, $user_state: 'anonymous' }))}`
const server = useStandIn(posthogRule({ apiKeys: [KEY] }))

const client = (apiKey = KEY) => createClient({ ...fast, providers: [posthog({ apiKey, host: server.url })] })

describe('posthog: the local server enforces the documented rules', () => {
  const identify = { event: '$identify', distinct_id: 'usr_1', properties: {} }
  it.each([
    ['a wrong project key', { api_key: 'phc_nope', batch: [identify] }, 401],
    ['no project key', { batch: [identify] }, 401],
    ['no batch', { api_key: KEY }, 400],
    ['an event without a name', { api_key: KEY, batch: [{ distinct_id: 'usr_1' }] }, 400],
    ['an event without a distinct id', { api_key: KEY, batch: [{ event: '$identify', properties: {} }] }, 400],
  ])('refuses %s', async (_, body, status) => {
    expect((await raw(server, '/batch/', { body })).status).toBe(status)
  })
})

describe('posthog: identify', () => {
  it("POSTs /batch/ with the project key and a $identify carrying posthog-js's own anonymous id, read from its cookie", async () => {
    const result = await client().identify({ userId: 'usr_ph_1', anonymousId: VISITOR, anonymousIds: getAnonymousIds(cookie), traits: { email: 'ada@example.com', plan: 'pro' } })
    expect(result.results[0]).toMatchObject({ provider: 'posthog', status: 'delivered', httpStatus: 200 })
    expect(server.accepted).toEqual([{ provider: 'posthog', location: 'none', userId: 'usr_ph_1', anonymousId: POSTHOG_ID, traits: { email: 'ada@example.com', plan: 'pro' }, at: expect.any(String) }])
    const body = server.requests[0]?.body as { api_key: string; batch: { event: string; uuid: string; properties: Record<string, unknown> }[] }
    expect(body.api_key).toBe(KEY)
    expect(body.batch[0]).toMatchObject({ event: '$identify', uuid: expect.stringMatching(/^[0-9a-f-]{36}$/), properties: { $lib: '@idstitch/node' } })
  })

  it('falls back to the idstitch visitor id without a PostHog cookie, and batches identifies in flight together', async () => {
    const idstitch = client()
    await Promise.all(['usr_ph_a', 'usr_ph_b', 'usr_ph_c'].map((userId) => idstitch.identify({ userId, anonymousId: VISITOR })))
    expect(server.requests).toHaveLength(1)
    expect(server.accepted.map((identify) => [identify.userId, identify.anonymousId])).toEqual([['usr_ph_a', VISITOR], ['usr_ph_b', VISITOR], ['usr_ph_c', VISITOR]])
  })

  it("places the person by context.ip as $ip, and never by the server's own address: $geoip_disable without one", async () => {
    const idstitch = client()
    await idstitch.identify({ userId: 'usr_ph_ip', context: { ip: '203.0.113.7' } })
    await idstitch.identify({ userId: 'usr_ph_noip' })
    expect(server.accepted.map((identify) => [identify.userId, identify.location])).toEqual([['usr_ph_ip', '203.0.113.7'], ['usr_ph_noip', 'none']])
    const invalid = await idstitch.identify({ userId: 'usr_ph_bad', context: { ip: 'localhost; drop' } })
    expect(invalid.results[0]).toMatchObject({ status: 'invalid', error: { issues: [{ path: 'context.ip' }] } })
  })

  it('reports a refused key as a failed result, the key redacted', async () => {
    const result = await client('phc_wrong_key_987').identify({ userId: 'usr_ph_x' })
    expect(result.results[0]).toMatchObject({ status: 'failed', httpStatus: 401, error: { code: 'http_error' } })
    expect(result.results[0]?.error?.message).toContain('invalid_api_key')
    expect(JSON.stringify(result)).not.toContain('phc_wrong_key_987')
  })

  it('refuses a personal API key at configuration: only a project key may be sent', () => {
    let error: unknown
    try {
      posthog({ apiKey: 'phx_personal_key' })
    } catch (caught) {
      error = caught
    }
    expect(isConfigError(error) && error.option).toBe('apiKey')
  })
})
