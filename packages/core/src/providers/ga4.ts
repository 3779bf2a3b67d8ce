import { userIpOf } from '../ip.js'
import { isIdentityTrait } from '../traits.js'
import { anonymousIdFor, defineProvider, httpFailure, isSuccess, joinUrl, optionalBaseUrl, requireString, type FieldIssue, type ProviderOutcome, type Warning } from '../provider.js'
import type { IdentifyEvent } from '../message.js'

// Google Analytics 4's Measurement Protocol, as documented (read 2026-12-02):
// - developers.google.com/analytics/devguides/collection/protocol/ga4/sending-events:
//   `POST /mp/collect?measurement_id=…&api_secret=…` on www.google-analytics.com,
//   a JSON body with `client_id` (the gtag client id), an optional `user_id`,
//   `user_properties` (`{ name: { value } }`) and `events` (`[{ name, params }]`);
// - support.google.com/analytics/answer/9267744 (collection limits): 25 user
//   properties, names of at most 24 characters, values of at most 36; a
//   User-ID of at most 256; event names of at most 40 characters;
// - …/ga4/reference#reserved_names: user property names may not start with
//   `google_`, `ga_` or `firebase_`, nor be `first_open_time`,
//   `first_visit_time`, `last_deep_link_referrer`, `user_id`, `first_open_after_install`.
// Google's policies forbid sending personally identifiable information, so
// identity traits (email, phone, names) are never sent as user properties.

/** Options of the {@link ga4} provider. */
export interface Ga4Options {
  /** The web stream's measurement id, `G-…`. */
  measurementId: string
  /** A Measurement Protocol API secret of that stream (Admin > Data streams > Measurement Protocol API secrets). */
  apiSecret: string
  /** Defaults to `https://www.google-analytics.com` (`https://region1.google-analytics.com` to keep collection in the EU). */
  baseUrl?: string
}

/** The body of `POST /mp/collect`. */
export interface Ga4CollectPayload {
  client_id: string
  user_id: string
  timestamp_micros: number
  user_properties: Record<string, { value: string | number | boolean }>
  /**
   * The `login` event. `session_id` (gtag's, from `_ga_<container id>`) ties the User-ID to the visitor's
   * session, and `engagement_time_msec` lets the event show in reports (the sending-events guide): 1 ms,
   * the least there is, so a login adds no engagement time of its own.
   */
  events: { name: 'login'; params: { method: 'idstitch'; session_id?: string; engagement_time_msec: number } }[]
  /** The user's address (`context.ip`), which GA4 derives the hit's geography from (the reference's `ip_override`). */
  ip_override?: string
  /** Consent Mode v2 (the Measurement Protocol's `consent`): what the message's consent said, and only that. */
  consent?: { ad_user_data?: 'GRANTED' | 'DENIED'; ad_personalization?: 'GRANTED' | 'DENIED' }
}

const granted = (value: boolean | undefined) => (value === undefined ? undefined : value ? ('GRANTED' as const) : ('DENIED' as const))

/** The Measurement Protocol's `consent`, from the message's ad signals; none when it gave neither. */
const consentFor = (consent: IdentifyEvent['consent']): Pick<Ga4CollectPayload, 'consent'> => {
  const signals = { ad_user_data: granted(consent?.adUserData), ad_personalization: granted(consent?.adPersonalization) }
  const given = Object.fromEntries(Object.entries(signals).filter(([, value]) => value !== undefined))
  return Object.keys(given).length > 0 ? { consent: given } : {}
}

interface Config {
  url: string
  apiSecret: string
  /** The measurement id without `G-`, in lower case: which `_ga_<container id>` session is this stream's. */
  container: string
}

/** gtag's session id for this stream (`anonymousIds.ga4_session_<container id>`, read from `_ga_<container id>`). */
const sessionOf = (event: IdentifyEvent, container: string): { session_id?: string } => {
  const session = event.anonymousIds?.[`ga4_session_${container}`]
  return session !== undefined && /^\d{6,20}$/.test(session) ? { session_id: session } : {}
}

const MAX_USER_PROPERTIES = 25
const MAX_NAME = 24
const MAX_VALUE = 36
const RESERVED = new Set(['first_open_time', 'first_visit_time', 'last_deep_link_referrer', 'user_id', 'first_open_after_install'])
const GA_CLIENT_ID = /^\d{1,20}\.\d{1,20}$/
/** GA4 takes events up to 72 hours old, and drops older ones silently (the Measurement Protocol's reference, `timestamp_micros`). */
const WINDOW_MS = 72 * 60 * 60 * 1000
/** A user id that is an email address or a phone number: personal data, which Google's Measurement Protocol policy forbids as a User-ID. */
const PERSONAL_ID = /^[^@\s]+@[^@\s]+\.[^@\s]+$|^\+?[\d\s().-]{7,20}$/

/** What in the identify GA4 would drop or must not get, before anything is sent. */
const checkIdentify = (event: IdentifyEvent): FieldIssue[] => {
  const issues: FieldIssue[] = []
  if (event.userId.length > 256) issues.push({ path: 'userId', message: 'must be at most 256 characters for GA4 (User-ID)' })
  if (PERSONAL_ID.test(event.userId)) issues.push({ path: 'userId', message: "looks like an email address or a phone number: Google's policies forbid personal data as a GA4 User-ID; send your own opaque id" })
  if (event.receivedAt !== undefined && Date.parse(event.receivedAt) - Date.parse(event.timestamp) > WINDOW_MS) {
    issues.push({ path: 'timestamp', message: 'is more than 72 hours old: GA4 drops such events without a word' })
  }
  return issues
}

/** The traits as GA4 user properties, or why they cannot be. */
const userProperties = (traits: Readonly<Record<string, unknown>>) => {
  const properties: Record<string, { value: string | number | boolean }> = {}
  const issues: FieldIssue[] = []
  let leftOut = false
  for (const [name, value] of Object.entries(traits)) {
    // Any spelling, any case (`Email`, `email_address`, `phoneNumber`, `fullName`): the policy forbids the data, not a name.
    if (isIdentityTrait(name)) {
      leftOut = true
      continue
    }
    const path = `traits.${name}`
    if (name.length > MAX_NAME || !/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) issues.push({ path, message: `must be a GA4 user property name: a letter, then letters, digits or _, at most ${MAX_NAME} characters` })
    else if (RESERVED.has(name) || /^(google_|ga_|firebase_)/.test(name)) issues.push({ path, message: 'is a name GA4 reserves' })
    else if (typeof value === 'string' && value.length > MAX_VALUE) issues.push({ path, message: `must be at most ${MAX_VALUE} characters for GA4` })
    else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') properties[name] = { value }
    else if (value !== null) issues.push({ path, message: 'must be a string, number or boolean for GA4' })
  }
  if (Object.keys(properties).length > MAX_USER_PROPERTIES) issues.push({ path: 'traits', message: `must be at most ${MAX_USER_PROPERTIES} user properties for GA4` })
  return { properties, issues, leftOut }
}

const PII_WARNING: Warning = { key: 'ga4:pii', message: "identity traits (email, phone, names) are not sent to GA4: Google's policies forbid personal data in Analytics" }

/**
 * Google Analytics 4 (Measurement Protocol): `POST /mp/collect` with the
 * visitor's gtag client id (from the `_ga` cookie, via `anonymousIds.ga4`),
 * the user id, the traits as user properties within GA4's limits, and a
 * `login` event. Without a client id the identify is skipped: GA4 cannot
 * stitch without it. The API secret travels in the query string and is
 * redacted wherever idstitch reports a request.
 *
 * @example
 * ga4({ measurementId: 'G-ABC123', apiSecret: process.env.GA4_API_SECRET! })
 */
export const ga4 = /* @__PURE__ */ defineProvider<Ga4Options, Ga4CollectPayload, Config>({
  name: 'ga4',
  answersJson: true,
  options: ['measurementId', 'apiSecret', 'baseUrl'],
  configure(options, fail) {
    const measurementId = requireString(fail, 'measurementId', options.measurementId)
    if (!/^G-[A-Z0-9]+$/.test(measurementId)) fail('measurementId', 'must be a GA4 measurement id (G-…)')
    const apiSecret = requireString(fail, 'apiSecret', options.apiSecret)
    const base = joinUrl(optionalBaseUrl(fail, options.baseUrl, 'https://www.google-analytics.com'), '/mp/collect')
    return { url: `${base}?measurement_id=${encodeURIComponent(measurementId)}&api_secret=${encodeURIComponent(apiSecret)}`, apiSecret, container: measurementId.slice(2).toLowerCase() }
  },
  secrets: (config) => [config.apiSecret],
  prepare(event, config) {
    const client = anonymousIdFor(event, 'ga4', { test: (id) => GA_CLIENT_ID.test(id), rule: "must be a GA client id (digits.digits, from the _ga cookie)" })
    if (client.issue) return { type: 'invalid', issues: [client.issue] }
    // The visitor id is not a GA client id: without gtag's own, GA4 has nothing to stitch.
    if (client.id === undefined || client.id === event.anonymousId) return { type: 'skip', reason: "GA4 needs the visitor's gtag client id (anonymousIds.ga4, from the _ga cookie) and none was given" }
    const { properties, issues, leftOut } = userProperties(event.traits)
    issues.unshift(...checkIdentify(event))
    const user = userIpOf(event.context, 'GA4')
    if (user.issue) issues.push(user.issue)
    if (issues.length > 0) return { type: 'invalid', issues }
    const item: Ga4CollectPayload = {
      client_id: client.id,
      user_id: event.userId,
      timestamp_micros: Date.parse(event.timestamp) * 1000,
      user_properties: properties,
      events: [{ name: 'login', params: { method: 'idstitch', ...sessionOf(event, config.container), engagement_time_msec: 1 } }],
      ...(user.ip === undefined ? {} : { ip_override: user.ip }),
      ...consentFor(event.consent),
    }
    return { type: 'item', item, ...(leftOut ? { warnings: [PII_WARNING] } : {}) }
  },
  request: ([item], config) => ({ method: 'POST', url: config.url, headers: { 'content-type': 'application/json' }, body: item }),
  parse: (response): ProviderOutcome => (isSuccess(response) ? { ok: true, data: response.body } : httpFailure(response)),
})
