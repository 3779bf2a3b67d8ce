import { createClient, getAnonymousIds } from '@idstitch/node'
import { ga4 } from '@idstitch/node/providers'
import { ga4Rule } from '@idstitch/sandbox'
import { describe, expect, it } from 'vitest'
import { expectInvalid, fast, raw, useStandIn, VISITOR } from './helpers.js'

const MEASUREMENT = 'G-CONTRACT1'
const SECRET = 'ga_secret_0123456789'
const CLIENT_ID = '1234567890.1700000000'
const cookie = `idstitch_visitor_id=${VISITOR}; _ga=GA1.1.${CLIENT_ID}`
const server = useStandIn(ga4Rule({ measurementId: MEASUREMENT, apiSecret: SECRET }))

const client = (apiSecret = SECRET) => createClient({ ...fast, providers: [ga4({ measurementId: MEASUREMENT, apiSecret, baseUrl: server.url })] })
const path = `/mp/collect?measurement_id=${MEASUREMENT}&api_secret=${SECRET}`
const hit = { client_id: CLIENT_ID, user_id: 'usr_1', events: [{ name: 'login' }] }

describe('ga4: the local server enforces the documented rules, dropping bad hits silently as GA4 does', () => {
  it.each([
    ['a wrong API secret', `/mp/collect?measurement_id=${MEASUREMENT}&api_secret=nope`, hit],
    ['no client_id', path, { ...hit, client_id: undefined }],
    ['26 user properties', path, { ...hit, user_properties: Object.fromEntries(Array.from({ length: 26 }, (_, i) => [`p${i}`, { value: i }])) }],
    ['a 25-character property name', path, { ...hit, user_properties: { ['x'.repeat(25)]: { value: 1 } } }],
    ['a 37-character value', path, { ...hit, user_properties: { plan: { value: 'x'.repeat(37) } } }],
    ['a reserved name', path, { ...hit, user_properties: { ga_plan: { value: 'pro' } } }],
  ])('drops %s (204, nothing recorded)', async (_, url, body) => {
    expect((await raw(server, url, { body })).status).toBe(204)
    expect(server.accepted).toEqual([])
  })
})

describe('ga4: identify', () => {
  it("sends the gtag client id from the _ga cookie, the user id, traits as user properties and a login event; never personal data", async () => {
    const result = await client().identify({ userId: 'usr_ga_1', anonymousId: VISITOR, anonymousIds: getAnonymousIds(cookie), traits: { email: 'ada@example.com', plan: 'pro', seats: 5 } })
    expect(result.results[0]).toMatchObject({ provider: 'ga4', status: 'delivered', httpStatus: 204 })
    expect(server.accepted).toEqual([{ provider: 'ga4', userId: 'usr_ga_1', anonymousId: CLIENT_ID, traits: { plan: 'pro', seats: 5 }, at: expect.any(String) }])
    expect(server.requests[0]?.raw).not.toContain('ada@example.com')
  })

  it('skips without a gtag client id: the idstitch visitor id is not one', async () => {
    const result = await client().identify({ userId: 'usr_ga_2', anonymousId: VISITOR })
    expect(result.results[0]).toMatchObject({ status: 'skipped', reason: expect.stringContaining('_ga') })
    expect(server.requests).toHaveLength(0)
  })

  it("refuses, before sending, what GA4 would drop silently, each by its path", async () => {
    const idstitch = client()
    const anonymousIds = { ga4: CLIENT_ID }
    expectInvalid((await idstitch.identify({ userId: 'usr_ga_3', anonymousIds, traits: { favourite_colour_of_the_user: 'x' } })).results[0], 'ga4', 'traits.favourite_colour_of_the_user')
    expectInvalid((await idstitch.identify({ userId: 'usr_ga_3', anonymousIds, traits: { plan: 'x'.repeat(37) } })).results[0], 'ga4', 'traits.plan')
    expectInvalid((await idstitch.identify({ userId: 'usr_ga_3', anonymousIds, traits: { first_visit_time: 1 } })).results[0], 'ga4', 'traits.first_visit_time')
    expectInvalid((await idstitch.identify({ userId: 'usr_ga_3', anonymousIds, traits: Object.fromEntries(Array.from({ length: 26 }, (_, i) => [`p${i}`, i])) })).results[0], 'ga4', 'traits')
    expectInvalid((await idstitch.identify({ userId: 'usr_ga_3', anonymousIds: { ga4: 'GA1.1.x' } })).results[0], 'ga4', 'anonymousIds.ga4')
    expect(server.requests).toHaveLength(0)
  })

  it('keeps the API secret, which rides in the query string, out of every result', async () => {
    const dry = await createClient({ ...fast, dryRun: true, providers: [ga4({ measurementId: MEASUREMENT, apiSecret: SECRET, baseUrl: server.url })] }).identify({ userId: 'usr_ga_4', anonymousIds: { ga4: CLIENT_ID } })
    expect(JSON.stringify(dry)).not.toContain(SECRET)
    expect(dry.results[0]?.request?.url).toContain('api_secret=[redacted]')
  })
})

describe('ga4: what GA4 would drop, or must not get, is refused before sending', () => {
  it('refuses a timestamp past the 72-hour window (the stand-in, as GA4, would drop it silently), and an email or phone number as the user id', async () => {
    const stale = await client().identify({ userId: 'usr_old', anonymousIds: getAnonymousIds(cookie), timestamp: new Date(Date.now() - 73 * 60 * 60 * 1000) })
    expect(expectInvalid(stale.results[0], 'ga4', 'timestamp').message).toContain('72 hours')
    expect((await client().identify({ userId: 'usr_recent', anonymousIds: getAnonymousIds(cookie), timestamp: new Date(Date.now() - 71 * 60 * 60 * 1000) })).results[0]?.status).toBe('delivered')
    for (const userId of ['jane@example.com', '+1 (555) 010-0199']) expectInvalid((await client().identify({ userId, anonymousIds: getAnonymousIds(cookie) })).results[0], 'ga4', 'userId')
    // Sent raw, a stale hit is dropped without a word.
    await raw(server, path, { body: { ...hit, user_id: 'usr_raw_stale', timestamp_micros: (Date.now() - 73 * 60 * 60 * 1000) * 1000 } })
    expect(server.accepted.map((identify) => identify.userId)).toEqual(['usr_recent'])
  })
})
