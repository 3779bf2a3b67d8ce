import { createClient, createIdentifyHandler, loginCookies } from '@idstitch/node'
import { ga4, pathbound, segment } from '@idstitch/node/providers'
import { ga4Rule, pathboundRule, segmentRule } from '@idstitch/sandbox'
import { describe, expect, it } from 'vitest'
import { useStandIn, VISITOR } from './helpers.js'

// Consent on the message (#23, item 7): analytics: false sends nothing; the ad signals go to GA4's consent
// (Consent Mode v2) and Segment's context.consent; Global Privacy Control, with respectGpc, turns the ad signals off.
const GA_CLIENT = '1234567890.1700000000'
const server = useStandIn(
  ga4Rule({ measurementId: 'G-CONSENT1', apiSecret: 'ga4_secret_0123' }),
  segmentRule({ writeKeys: ['wk_consent_0123'] }),
  pathboundRule({ keys: [{ key: 'pb_consent_0123', scopes: ['contacts:write'] }] }),
)
const client = () =>
  createClient({
    logger: false,
    providers: [
      ga4({ measurementId: 'G-CONSENT1', apiSecret: 'ga4_secret_0123', baseUrl: server.url }),
      segment({ writeKey: 'wk_consent_0123', baseUrl: server.url }),
      pathbound({ apiKey: 'pb_consent_0123', baseUrl: server.url }),
    ],
  })
const message = { anonymousId: VISITOR, anonymousIds: { ga4: GA_CLIENT } }

describe('consent', () => {
  it('sends nothing anywhere when the user declined analytics: every result skipped, no_consent', async () => {
    const result = await client().identify({ userId: 'usr_c_1', ...message, consent: { analytics: false } })
    expect(result.results.map((entry) => [entry.status, entry.reason])).toEqual([['skipped', 'no_consent'], ['skipped', 'no_consent'], ['skipped', 'no_consent']])
    expect(server.requests).toEqual([])
  })

  it("gives GA4 the ad signals as Consent Mode v2's GRANTED and DENIED, and Segment as context.consent; the others nothing", async () => {
    const result = await client().identify({ userId: 'usr_c_2', ...message, consent: { analytics: true, adUserData: true, adPersonalization: false } })
    expect(result.ok).toBe(true)
    const consent = Object.fromEntries(server.accepted.map((identify) => [identify.provider, identify.consent]))
    expect(consent).toEqual({ ga4: { ad_user_data: 'GRANTED', ad_personalization: 'DENIED' }, segment: { analytics: true, ad_user_data: true, ad_personalization: false }, pathbound: undefined })
  })

  it('sends no consent field where the message gave none, and refuses one that is not booleans, naming the field', async () => {
    await client().identify({ userId: 'usr_c_3', ...message })
    expect(server.accepted.map((identify) => identify.consent)).toEqual([undefined, undefined, undefined])
    const invalid = await client().identify({ userId: 'usr_c_4', consent: { analytics: 'yes' } as never })
    expect(invalid.results[0]?.error).toMatchObject({ issues: [expect.objectContaining({ path: 'consent.analytics' })] })
  })

  it('with respectGpc, reads Sec-GPC: 1 as no ad signals (analytics goes on), in loginCookies and in the relay', async () => {
    const gpc = { headers: { 'sec-gpc': '1', cookie: `idstitch_visitor_id=${VISITOR}` } }
    expect(loginCookies(gpc, 'usr_c_5', { respectGpc: true }).consent).toEqual({ adUserData: false, adPersonalization: false })
    expect(loginCookies(gpc, 'usr_c_5').consent).toBeUndefined()

    const relay = createIdentifyHandler({ client: client(), authenticate: () => 'usr_c_6', respectGpc: true, throttle: false })
    const response = await relay(new Request('http://app.example.test/api/identify', { method: 'POST', headers: { origin: 'http://app.example.test', 'content-type': 'application/json', 'sec-gpc': '1', cookie: `_ga=GA1.1.${GA_CLIENT}` }, body: JSON.stringify({ anonymousId: VISITOR }) }))
    expect(response.status).toBe(200)
    expect(Object.fromEntries(server.accepted.map((identify) => [identify.provider, identify.consent]))).toMatchObject({ ga4: { ad_user_data: 'DENIED', ad_personalization: 'DENIED' }, segment: { ad_user_data: false, ad_personalization: false } })
  })
})
