import { describe, expect, it } from 'vitest'
import { anonymousIdsFromCookies } from './anonymous-ids.js'
import { base64 } from './json.js'

const POSTHOG_ID = '0190f3c2-7d0e-7c3a-9b1e-2f4a5b6c7d8e'
const DEVICE = 'd3b0c2a1-5e4f-4a3b-9c8d-7e6f5a4b3c2d'
const VISITOR = 'a3ab2331-989f-4cfa-91c6-2461c9e3c6bd'
const encoded = (value: unknown) => encodeURIComponent(JSON.stringify(value))

describe("each tool's anonymous id, from its cookie", () => {
  it('reads every documented format', () => {
    const ids = anonymousIdsFromCookies([
      ['ajs_anonymous_id', encoded(VISITOR)],
      ['ph_phc_Abc123_posthog', encoded({ distinct_id: POSTHOG_ID, $device_id: POSTHOG_ID, $user_state: 'anonymous' })],
      ['mp_0123456789abcdef_mixpanel', encoded({ distinct_id: `$device:${DEVICE}`, $device_id: DEVICE })],
      ['AMP_a2dbce0e18', encodeURIComponent(base64(encodeURIComponent(JSON.stringify({ deviceId: DEVICE, sessionId: 1700000000000, optOut: false }))))],
      ['_ga', 'GA1.1.1234567890.1700000000'],
      ['datafast_visitor_id', VISITOR],
      ['pathbound_visitor_id', VISITOR],
      ['unrelated', 'x'],
    ])
    expect(ids).toEqual({ segment: VISITOR, posthog: POSTHOG_ID, mixpanel: DEVICE, amplitude: DEVICE, ga4: '1234567890.1700000000', datafast: VISITOR, pathbound: VISITOR })
  })

  it('ignores malformed and tampered cookies, never passing them on', () => {
    const ids = anonymousIdsFromCookies([
      ['ajs_anonymous_id', encoded('<script>')],
      ['ph_phc_Abc123_posthog', '%7Bnot json'],
      ['mp_token_mixpanel', encoded({ $device_id: 'a b' })],
      ['AMP_a2dbce0e18', 'not*base64'],
      ['_ga', 'GA1.1.12345abc.1700000000'],
      ['datafast_visitor_id', 'not-a-uuid'],
      ['pathbound_visitor_id', `${VISITOR}; admin=1`],
    ])
    expect(ids).toEqual({})
  })

  it("gives no PostHog id once posthog-js identified the visitor (its distinct_id is then a user's)", () => {
    expect(anonymousIdsFromCookies([['ph_phc_Abc123_posthog', encoded({ distinct_id: 'usr_1', $user_state: 'identified' })]])).toEqual({})
  })

  it('gives no id for a tool whose cookies disagree, rather than a guess', () => {
    const ids = anonymousIdsFromCookies([
      ['_ga', 'GA1.1.1111111111.1700000000'],
      ['_ga', 'GA1.2.2222222222.1700000000'],
      ['pathbound_visitor_id', VISITOR],
      ['pathbound_visitor_id', VISITOR],
    ])
    expect(ids).toEqual({ pathbound: VISITOR })
  })
})

describe("a tool whose SDK already identified the browser gives no id (a shared browser)", () => {
  it('reads Segment\'s ajs_user_id and Amplitude\'s userId, as PostHog\'s and Mixpanel\'s states', () => {
    expect(anonymousIdsFromCookies([['ajs_anonymous_id', encoded('ajs-a')], ['ajs_user_id', encoded('usr_alice')]])).toEqual({})
    expect(anonymousIdsFromCookies([['ajs_user_id', encoded('usr_alice')], ['ajs_anonymous_id', encoded('ajs-a')]])).toEqual({})
    expect(anonymousIdsFromCookies([['ajs_anonymous_id', encoded('ajs-a')], ['ajs_user_id', encoded(null)]])).toEqual({ segment: 'ajs-a' })
    const amplitude = (state: object) => encodeURIComponent(base64(encodeURIComponent(JSON.stringify(state))))
    expect(anonymousIdsFromCookies([['AMP_a2dbce0e18', amplitude({ deviceId: DEVICE, userId: 'usr_alice' })]])).toEqual({})
    expect(anonymousIdsFromCookies([['AMP_a2dbce0e18', amplitude({ deviceId: DEVICE, userId: null })]])).toEqual({ amplitude: DEVICE })
    expect(anonymousIdsFromCookies([['mp_0123456789abcdef_mixpanel', encoded({ $device_id: DEVICE, $user_id: 'usr_alice' })]])).toEqual({})
    expect(anonymousIdsFromCookies([['ph_phc_Abc123_posthog', encoded({ distinct_id: 'usr_alice', $user_state: 'identified' })]])).toEqual({})
  })
})
