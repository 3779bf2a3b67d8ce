import { createClient, getAnonymousIds } from '@idstitch/node'
import { amplitude } from '@idstitch/node/providers'
import { amplitudeRule } from '@idstitch/sandbox'
import { describe, expect, it } from 'vitest'
import { expectInvalid, fast, raw, useStandIn, VISITOR } from './helpers.js'

const KEY = 'a2dbce0e18dfe5f8e0123456789abcde' // Amplitude keys are 32 hex digits
const DEVICE = 'd3b0c2a1-5e4f-4a3b-9c8d-7e6f5a4b3c2d'
/** The browser SDK's cookie: AMP_<first 10 characters of the key>, base64 of %-encoded JSON. */
const cookie = `idstitch_visitor_id=${VISITOR}; AMP_${KEY.slice(0, 10)}=${encodeURIComponent(Buffer.from(encodeURIComponent(JSON.stringify({ deviceId: DEVICE, sessionId: 1, optOut: false }))).toString('base64'))}`
const server = useStandIn(amplitudeRule({ apiKeys: [KEY] }))

const client = (apiKey = KEY) => createClient({ ...fast, providers: [amplitude({ apiKey, serverUrl: `${server.url}/2/httpapi` })] })

describe('amplitude: the local server enforces the documented rules', () => {
  const identify = { event_type: '$identify', user_id: 'usr_12345' }
  it.each([
    ['no API key', { events: [identify] }, 400],
    ['a wrong API key', { api_key: 'nope', events: [identify] }, 400],
    ['no events', { api_key: KEY }, 400],
    ['an event without user_id or device_id', { api_key: KEY, events: [{ event_type: '$identify' }] }, 400],
    ['a user_id under 5 characters', { api_key: KEY, events: [{ event_type: '$identify', user_id: 'abc' }] }, 400],
    ['2,001 events', { api_key: KEY, events: Array.from({ length: 2001 }, () => identify) }, 413],
  ])('refuses %s', async (_, body, status) => {
    expect((await raw(server, '/2/httpapi', { body })).status).toBe(status)
  })

  it('names every invalid event of a batch by field, and ingests none of it', async () => {
    const refused = await raw(server, '/2/httpapi', { body: { api_key: KEY, events: [identify, { event_type: '$identify', user_id: 'abc' }, identify, { event_type: '$identify', device_id: 'ab' }] } })
    expect(refused).toMatchObject({ status: 400, body: { events_with_invalid_fields: { user_id: [1], device_id: [3] } } })
    expect(server.accepted).toEqual([])
  })
})

describe('amplitude: a batch refused in part', () => {
  it('fails the identifies a 400 names, on their own and for good, and sends the others again without them', async () => {
    // Amplitude's documented answer to a batch with invalid events: it names them and ingests nothing.
    server.faults.push({ status: 400, body: { code: 400, error: 'Invalid field values on some events', events_with_invalid_fields: { time: [1] }, events_with_missing_fields: { event_type: [2] } } })
    const idstitch = client()
    const results = await Promise.all(['usr_amp_a', 'usr_amp_b', 'usr_amp_c', 'usr_amp_d'].map((userId) => idstitch.identify({ userId, anonymousId: VISITOR })))
    expect(results.map((result) => result.results[0]?.status)).toEqual(['delivered', 'failed', 'failed', 'delivered'])
    expect(results[1]?.results[0]?.error).toMatchObject({ name: 'HttpError', code: 'provider_rejected', status: 400, message: expect.stringContaining('invalid time') })
    expect(results[2]?.results[0]?.error?.message).toContain('missing event_type')
    expect(server.requests.map((request) => (request.body as { events: { user_id: string }[] }).events.map((event) => event.user_id))).toEqual([
      ['usr_amp_a', 'usr_amp_b', 'usr_amp_c', 'usr_amp_d'],
      ['usr_amp_a', 'usr_amp_d'],
    ])
    expect(server.accepted.map((identify) => identify.userId)).toEqual(['usr_amp_a', 'usr_amp_d'])
  })
})

describe('amplitude: identify', () => {
  it("sends a $identify with the browser SDK's own device id, read from its AMP_ cookie, and the traits as $set", async () => {
    const result = await client().identify({ userId: 'usr_amp_1', anonymousId: VISITOR, anonymousIds: getAnonymousIds(cookie), traits: { plan: 'pro' } })
    expect(result.results[0]).toMatchObject({ provider: 'amplitude', status: 'delivered', data: { code: 200, events_ingested: 1 } })
    expect(server.accepted).toEqual([{ provider: 'amplitude', location: 'none', userId: 'usr_amp_1', anonymousId: DEVICE, traits: { plan: 'pro' }, at: expect.any(String) }])
    expect((server.requests[0]?.body as { events: { insert_id: string }[] } | undefined)?.events[0]?.insert_id).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('places the user by context.ip as the event\'s ip, and sends no address without one (Amplitude then uses none)', async () => {
    const idstitch = client()
    await idstitch.identify({ userId: 'usr_amp_ip', context: { ip: '2001:db8::7' } })
    await idstitch.identify({ userId: 'usr_amp_noip' })
    expect(server.accepted.map((identify) => [identify.userId, identify.location])).toEqual([['usr_amp_ip', '2001:db8::7'], ['usr_amp_noip', 'none']])
    expectInvalid((await idstitch.identify({ userId: 'usr_amp_badip', context: { ip: 'localhost' } })).results[0], 'amplitude', 'context.ip')
  })

  it('batches identifies in flight together, 10 to a request, as Amplitude recommends', async () => {
    const idstitch = client()
    await Promise.all(Array.from({ length: 12 }, (_, i) => idstitch.identify({ userId: `usr_amp_b${i}`, anonymousId: VISITOR })))
    expect(server.requests.map((request) => (request.body as { events: unknown[] }).events.length)).toEqual([10, 2])
    expect(server.accepted).toHaveLength(12)
  })

  it('refuses a user id Amplitude would refuse, and reports a refused key without it', async () => {
    expectInvalid((await client().identify({ userId: 'usr' })).results[0], 'amplitude', 'userId')
    const refused = await client('amp_wrong_key_987').identify({ userId: 'usr_amp_x' })
    expect(refused.results[0]).toMatchObject({ status: 'failed', httpStatus: 400 })
    expect(JSON.stringify(refused)).not.toContain('amp_wrong_key_987')
  })
})

describe('amplitude: ids shorter than its default minimum', () => {
  it('refuses a 2-character user id by default, naming the option; with minIdLength, sends options.min_id_length and is accepted', async () => {
    const refused = await client().identify({ userId: '42', anonymousIds: { amplitude: DEVICE } })
    const error = expectInvalid(refused.results[0], 'amplitude', 'userId')
    expect(error.message).toContain('minIdLength')
    // The stand-in itself refuses it without the option.
    expect((await raw(server, '/2/httpapi', { body: { api_key: KEY, events: [{ event_type: '$identify', user_id: '42' }] } })).status).toBe(400)
    const short = createClient({ ...fast, providers: [amplitude({ apiKey: KEY, serverUrl: `${server.url}/2/httpapi`, minIdLength: 1 })] })
    expect((await short.identify({ userId: '42', anonymousIds: { amplitude: DEVICE } })).results[0]).toMatchObject({ status: 'delivered' })
    expect((server.requests.at(-1)?.body as { options?: unknown } | undefined)?.options).toEqual({ min_id_length: 1 })
    expect(server.accepted.map((identify) => identify.userId)).toEqual(['42'])
    expect(() => amplitude({ apiKey: KEY, minIdLength: 0 })).toThrowError(expect.objectContaining({ option: 'minIdLength' }))
  })
})
