// Each analytics tool mints its own anonymous id and keeps it in its own
// cookie. These readers take a request's cookies (name → raw value, as sent)
// and return each tool's id, keyed by provider kind, for `anonymousIds`.
// Cookies come from the browser: every format is checked, and a malformed or
// tampered one is ignored, never sent. Pure: no DOM, no Node.
//
// The formats, and where they are documented:
// - Segment (analytics.js): `ajs_anonymous_id`, the id as a JSON string
//   (`"…"`, often %-encoded), and `ajs_user_id` once identify() ran.
//   segment.com/docs/connections/sources/catalog/libraries/website/javascript/identity/
// - PostHog (posthog-js): `ph_<project key>_posthog`, %-encoded JSON with
//   `distinct_id` and `$user_state` (`anonymous` until identify()).
//   posthog.com/docs/libraries/js/persistence
// - Mixpanel (mixpanel-browser, Simplified ID Merge): `mp_<token>_mixpanel`,
//   %-encoded JSON with `$device_id`, and `$user_id` once identify() ran. docs.mixpanel.com/docs/tracking-methods/id-management/identifying-users-simplified
// - Amplitude (Browser SDK 2): `AMP_<first 10 characters of the API key>`,
//   base64 of %-encoded JSON with `deviceId`, and `userId` once setUserId() ran.
//   amplitude.com/docs/sdks/analytics/browser/cookies-and-consent-management
// - GA4 (gtag.js): `_ga`, `GA1.<n>.<random>.<seconds>`; the client id is
//   `<random>.<seconds>`. developers.google.com/analytics/devguides/collection/protocol/ga4/reference
//   gtag keeps no user in its cookies: on a shared browser the next person's
//   login carries the same client id, unless the app clears `_ga` on logout
//   (or idstitch's own cookies show another user: then loginCookies sends none).
// - GA4's session (gtag.js): `_ga_<container id>`, `GS1.1.<session id>.…` or `GS2.1.s<session id>$…`,
//   keyed `ga4_session_<container id>`. developers.google.com/analytics/devguides/collection/protocol/ga4/use-cases
// - DataFast: `datafast_visitor_id`, a UUID; Pathbound: `pathbound_visitor_id`, a UUID.
//
// A cookie that shows a tool's SDK already identified this browser (a user id
// in it) gives that tool no id at all: its anonymous id is now the last user's,
// and stitching it to whoever logs in next would join two people (a shared
// browser whose last user never logged out, or whose app never called reset()).
import { fromBase64 } from './json.js'
import { isUuid } from './uuid.js'

/** An id we pass on: printable ASCII without spaces, quotes or separators, 1..200 characters. */
const SAFE_ID = /^[A-Za-z0-9._:$@+-]{1,200}$/
const GA_CLIENT_ID = /^\d{1,20}\.\d{1,20}$/

const decoded = (value: string): string | undefined => {
  try {
    return decodeURIComponent(value)
  } catch {
    return undefined
  }
}

const json = (text: string | undefined): unknown => {
  if (text === undefined) return undefined
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

const field = (value: unknown, name: string): unknown => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)[name] : undefined)

const safe = (id: unknown): string | undefined => (typeof id === 'string' && SAFE_ID.test(id) ? id : undefined)

/** What a reader returns for a cookie that shows its SDK identified the browser: no id for that tool, whatever other cookies say. */
const IDENTIFIED = Symbol('identified')

/** A value that holds a user id: a non-empty string (not `null`, which SDKs write after a reset). */
const holdsUser = (value: unknown): boolean => typeof value === 'string' ? value !== '' && value !== 'null' : value !== undefined && value !== null

/** One tool's reader: which cookie names are its, and the id in a value (or {@link IDENTIFIED}). */
interface Reader {
  kind: string
  /** The key for a cookie whose name says which of several it is (`_ga_<container id>`); `kind` otherwise. */
  keyOf?(name: string): string
  matches(name: string): boolean
  read(value: string): string | typeof IDENTIFIED | undefined
}

const READERS: readonly Reader[] = [
  { kind: 'segment', matches: (name) => name === 'ajs_anonymous_id', read: (value) => safe(json(decoded(value)) ?? decoded(value)) },
  // analytics.js writes the user id (a JSON string) once identify() ran, and removes it on reset().
  { kind: 'segment', matches: (name) => name === 'ajs_user_id', read: (value) => (holdsUser(json(decoded(value)) ?? decoded(value)) ? IDENTIFIED : undefined) },
  {
    kind: 'posthog',
    matches: (name) => /^ph_[A-Za-z0-9_-]+_posthog$/.test(name),
    read(value) {
      const state = json(decoded(value))
      // Once posthog-js identified the visitor, distinct_id is a user id: there is no anonymous id left to merge.
      return field(state, '$user_state') === 'identified' ? IDENTIFIED : safe(field(state, 'distinct_id'))
    },
  },
  {
    kind: 'mixpanel',
    matches: (name) => /^mp_[A-Za-z0-9]+_mixpanel$/.test(name),
    read(value) {
      const state = json(decoded(value))
      // Once mixpanel-browser identified the visitor ($user_id is set), the SDK merged this device itself: it is
      // another user's to merge no more (a shared browser where the last user never called reset()).
      return holdsUser(field(state, '$user_id')) ? IDENTIFIED : safe(field(state, '$device_id'))
    },
  },
  {
    kind: 'amplitude',
    matches: (name) => /^AMP_[A-Za-z0-9]{10}$/.test(name),
    read(value) {
      const text = fromBase64(decoded(value) ?? '')
      const state = json(text === undefined ? undefined : decoded(text))
      return holdsUser(field(state, 'userId')) ? IDENTIFIED : safe(field(state, 'deviceId'))
    },
  },
  {
    kind: 'ga4',
    matches: (name) => name === '_ga',
    read(value) {
      const id = /^GA\d+\.\d+\.(\d+\.\d+)$/.exec(value)?.[1]
      return id && GA_CLIENT_ID.test(id) ? id : undefined
    },
  },
  {
    // gtag's session cookie, one per GA4 stream: `_ga_<measurement id without G->`. Its session id is the third
    // field of the older format (`GS1.1.<session id>.<session number>...`) and the `s` field of the newer one
    // (`GS2.1.s<session id>$o<session number>$g...$t...`). Keyed `ga4_session_<container id, lower case>`, for the
    // GA4 adapter of that stream to send as `session_id` (the Measurement Protocol's use cases need it to
    // attribute a User-ID to the session).
    kind: 'ga4_session',
    keyOf: (name) => `ga4_session_${name.slice(4).toLowerCase()}`,
    matches: (name) => /^_ga_[A-Z0-9]{4,20}$/.test(name),
    read: (value) => /^GS1\.\d+\.(\d{6,20})\./.exec(value)?.[1] ?? /^GS2\.\d+\.s(\d{6,20})\$/.exec(value)?.[1],
  },
  { kind: 'datafast', matches: (name) => name === 'datafast_visitor_id', read: (value) => (isUuid(value) ? value : undefined) },
  { kind: 'pathbound', matches: (name) => name === 'pathbound_visitor_id', read: (value) => (isUuid(value) ? value : undefined) },
]

/**
 * Each tool's anonymous id from a request's cookies (name and raw value, in
 * the order sent), keyed by provider kind. A tool whose cookies disagree (two
 * PostHog projects, a host-only and a domain cookie with different ids) gives
 * no id rather than a guess, and so does a tool whose SDK already identified
 * the browser (Segment's `ajs_user_id`, PostHog's `$user_state`, Mixpanel's
 * `$user_id`, Amplitude's `userId`).
 *
 * @example
 * anonymousIdsFromCookies([['_ga', 'GA1.1.1234567890.1700000000']]) // { ga4: '1234567890.1700000000' }
 */
export const anonymousIdsFromCookies = (cookies: Iterable<readonly [string, string]>): Record<string, string> => {
  const found = new Map<string, Set<string>>()
  const identified = new Set<string>()
  for (const [name, value] of cookies) {
    for (const reader of READERS) {
      if (!reader.matches(name)) continue
      const id = reader.read(value)
      const key = reader.keyOf?.(name) ?? reader.kind
      if (id === IDENTIFIED) identified.add(key)
      if (id === undefined || id === IDENTIFIED) continue
      const ids = found.get(key) ?? new Set<string>()
      ids.add(id)
      found.set(key, ids)
    }
  }
  const ids: Record<string, string> = {}
  for (const [kind, values] of found) if (values.size === 1 && !identified.has(kind)) ids[kind] = [...values][0] as string
  return ids
}

/** Whether `id` may be sent as a tool's anonymous id: what {@link anonymousIdsFromCookies} returns always is. */
export const isAnonymousId = (id: unknown): id is string => safe(id) !== undefined
