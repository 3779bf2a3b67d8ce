import { z } from 'zod'
import type { ProviderRule } from '../types.js'
import { isJson } from './shared.js'

// GA4's Measurement Protocol, as documented (read 2026-12-02):
// - developers.google.com/analytics/devguides/collection/protocol/ga4/sending-events:
//   `POST /mp/collect?measurement_id=…&api_secret=…`, a JSON body with a
//   required `client_id`, an optional `user_id`, `user_properties` as
//   `{ name: { value } }` and `events` as `[{ name, params }]`; the endpoint
//   answers 2xx whether or not the hit was valid (only the /debug endpoint
//   explains): an invalid hit is dropped silently.
// - support.google.com/analytics/answer/9267744: at most 25 user properties,
//   names up to 24 characters, values up to 36; User-ID up to 256 characters;
//   event names up to 40 characters, 25 parameters an event.
// - …/ga4/reference (`timestamp_micros`): events may be backdated up to 72 hours; older ones are dropped.
// - …/ga4/policy: no personally identifiable information (an email address, a phone number) as a User-ID.
// - …/ga4/reference#reserved_names: user property names starting with
//   google_, ga_ or firebase_, and first_open_time, first_visit_time,
//   last_deep_link_referrer, user_id, first_open_after_install are reserved.

export interface Ga4RuleOptions {
  measurementId: string
  apiSecret: string
}

const RESERVED = new Set(['first_open_time', 'first_visit_time', 'last_deep_link_referrer', 'user_id', 'first_open_after_install'])

const body = z.object({
  client_id: z.string().regex(/^\d+\.\d+$/),
  user_id: z.optional(z.string().min(1).max(256)),
  timestamp_micros: z.optional(z.number()),
  user_properties: z.optional(
    z
      .record(
        z.string().max(24).regex(/^[A-Za-z][A-Za-z0-9_]*$/).refine((name) => !RESERVED.has(name) && !/^(google_|ga_|firebase_)/.test(name)),
        z.object({ value: z.union([z.string().max(36), z.number(), z.boolean()]) }),
      )
      .refine((properties) => Object.keys(properties).length <= 25),
  ),
  events: z.array(z.object({ name: z.string().min(1).max(40), params: z.optional(z.record(z.string().max(40), z.unknown()).refine((params) => Object.keys(params).length <= 25)) })).min(1).max(25),
  // reference: `ip_override`, the address GA4 derives the hit's geography from.
  ip_override: z.optional(z.union([z.ipv4(), z.ipv6()])),
  // Consent Mode v2 (reference: the request's `consent`): each signal "GRANTED" or "DENIED".
  consent: z.optional(z.strictObject({ ad_user_data: z.optional(z.enum(['GRANTED', 'DENIED'])), ad_personalization: z.optional(z.enum(['GRANTED', 'DENIED'])) })),
})

/** `POST /mp/collect`: a hit for this stream with its secret and a valid body is recorded; any other is dropped silently, with a 204 all the same. */
export const ga4Rule = (options: Ga4RuleOptions): ProviderRule => ({
  name: 'ga4',
  method: 'POST',
  path: '/mp/collect',
  handle(request) {
    const noContent = { response: { status: 204 } }
    if (request.query.get('measurement_id') !== options.measurementId || request.query.get('api_secret') !== options.apiSecret) return noContent
    if (!isJson(request)) return noContent
    const parsed = body.safeParse(request.body)
    if (!parsed.success || parsed.data.user_id === undefined) return noContent
    // Backdated past 72 hours: dropped, without a word.
    if (parsed.data.timestamp_micros !== undefined && Date.now() - parsed.data.timestamp_micros / 1000 > 72 * 60 * 60 * 1000) return noContent
    const { user_id, client_id, user_properties = {}, consent, events, ip_override } = parsed.data
    // use-cases: a User-ID is attributed to the session named by `session_id` (with engagement time, for reports).
    const session = events.map((each) => each.params?.session_id).find((id) => typeof id === 'string' && /^\d+$/.test(id)) as string | undefined
    return {
      ...noContent,
      accepted: [{ provider: 'ga4', userId: user_id, anonymousId: client_id, traits: Object.fromEntries(Object.entries(user_properties).map(([name, { value }]) => [name, value])), ...(consent ? { consent } : {}), ...(session ? { session } : {}), location: ip_override ?? 'none', at: new Date().toISOString() }],
    }
  },
})
