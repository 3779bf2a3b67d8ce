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
    expect(server.accepted).toEqual([{ provider: 'ga4', location: 'none', userId: 'usr_ga_1', anonymousId: CLIENT_ID, traits: { plan: 'pro', seats: 5 }, at: expect.any(String) }])
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

describe('ga4: location', () => {
  it("gives GA4 the user's address as ip_override (the reference's field for geography), and nothing without one", async () => {
    await client().identify({ userId: 'usr_ga_ip', anonymousIds: { ga4: CLIENT_ID }, context: { ip: '203.0.113.9' } })
    await client().identify({ userId: 'usr_ga_noip', anonymousIds: { ga4: CLIENT_ID } })
    expect(server.accepted.map((identify) => [identify.userId, identify.location])).toEqual([['usr_ga_ip', '203.0.113.9'], ['usr_ga_noip', 'none']])
    expectInvalid((await client().identify({ userId: 'usr_ga_badip', anonymousIds: { ga4: CLIENT_ID }, context: { ip: 'office' } })).results[0], 'ga4', 'context.ip')
  })
})

describe("ga4: the session, from gtag's _ga_<container id>", () => {
  // gtag writes the session cookie in two formats: the older GS1 (dot-separated fields, the session id third) and
  // GS2 (since 2025: `s<session id>$o<session number>$g…$t…`). Both carry the session the login belongs to.
  it.each([
    ['GS1', 'GS1.1.1733300000.4.1.1733300123.0.0.0'],
    ['GS2', 'GS2.1.s1733300000$o4$g1$t1733300123$j0$l0$h0'],
  ])("sends the session id of this stream's %s cookie, with engagement time, so the User-ID joins that session", async (_, value) => {
    const cookies = `${cookie}; _ga_CONTRACT1=${value}; _ga_OTHERSTREAM=GS1.1.1600000000.1.1.1600000001.0.0.0`
    const result = await client().identify({ userId: 'usr_ga_s1', anonymousIds: getAnonymousIds(cookies) })
    expect(result.results[0]?.status).toBe('delivered')
    expect(server.accepted).toEqual([expect.objectContaining({ userId: 'usr_ga_s1', anonymousId: CLIENT_ID, session: '1733300000' })])
    expect((server.requests[0]?.body as { events: { params: Record<string, unknown> }[] } | undefined)?.events[0]?.params).toEqual({ method: 'idstitch', session_id: '1733300000', engagement_time_msec: 1 })
  })

  it("sends no session without this stream's cookie (another stream's is not it), and ignores a malformed one", async () => {
    await client().identify({ userId: 'usr_ga_s2', anonymousIds: getAnonymousIds(`${cookie}; _ga_OTHERSTREAM=GS1.1.1600000000.1.1.1600000001.0.0.0`) })
    await client().identify({ userId: 'usr_ga_s3', anonymousIds: getAnonymousIds(`${cookie}; _ga_CONTRACT1=GS9.junk`) })
    expect(server.accepted.map((identify) => identify.session)).toEqual([undefined, undefined])
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
