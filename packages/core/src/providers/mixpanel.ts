import { userIpOf } from '../ip.js'
import { base64, utf8Length } from '../json.js'
import type { IdentifyEvent } from '../message.js'
import { anonymousIdFor, defineProvider, errorMessage, httpFailure, isSuccess, joinUrl, optionalBaseUrl, requireString, type FieldIssue, type ProviderOutcome, type ProviderRequest, type ProviderResponse } from '../provider.js'

// Mixpanel's ingestion API, as documented at docs.mixpanel.com (read 2026-12-02):
// - Simplified ID Merge (docs/tracking-methods/id-management/identifying-users-simplified):
//   an event that carries both `$device_id` and `$user_id` merges the device's
//   anonymous history into the user; `distinct_id` is then derived from `$user_id`.
// - Import Events (reference/import-events): `POST /import?strict=1`, a JSON
//   array of at most 2,000 events; authenticated by a Service Account, or by the
//   project token as the Basic user name with an empty password. Each event needs
//   `event`, `properties.time` (seconds or ms, after 1971-01-01, at most an hour
//   ahead), `properties.distinct_id` and `properties.$insert_id` (at most 36
//   letters, digits or `-`; Mixpanel de-duplicates by it, which makes a retried
//   import safe); placeholder ids (`null`, `anonymous`, `0000…`) are refused.
//   strict=1 answers 400 with `failed_records` naming each refused event.
// - Profile Set (reference/profile-set): `POST /engage#profile-set`, a JSON array
//   of at most 2,000 `{ $token, $distinct_id, $set }` updates, each under 1 MB;
//   it answers 200 even when an update is invalid, so the body says: `verbose=1`
//   gives `{ status: 1 }` or `{ status: 0, error }`. `$ip: "0"` keeps Mixpanel
//   from locating the user at the server's address.
// - Hosts: `https://api.mixpanel.com`, `https://api-eu.mixpanel.com` (EU residency),
//   `https://api-in.mixpanel.com` (India).
// - The project token is not a secret (reference/project-token: every browser
//   running mixpanel-browser has it) and grants no read access; a Service
//   Account does, and the Project Secret is deprecated (retired March 2027).

/** Options of the {@link mixpanel} provider. */
export interface MixpanelOptions {
  /** The project token (the one mixpanel-browser is initialised with). */
  token: string
  /** `https://api.mixpanel.com` (default), `https://api-eu.mixpanel.com` for EU data residency, `https://api-in.mixpanel.com` for India. */
  host?: string
  /**
   * The project's identity model (Project Settings → Identity Merge): `'simplified'` (default, every project
   * created since 2024) or `'original'` (Original ID Merge), which merges a visitor into a user only through a
   * `$identify` event naming both (`$identified_id`, `$anon_id`), sent to `/track`.
   */
  idMerge?: 'simplified' | 'original'
}

/** The `$identify` event of Original ID Merge (reference/create-identity): the user id and the anonymous id it takes in. */
export interface MixpanelCreateIdentityEvent {
  event: '$identify'
  properties: {
    $identified_id: string
    $anon_id: string
    /** The project token: `/track` is authenticated by it. */
    token: string
    /** Epoch ms. */
    time: number
    $insert_id: string
    ip?: string
    mp_lib: string
    $lib_version: string
  }
}

/** The merge event of Simplified ID Merge, as sent to `/import`. */
export interface MixpanelIdentifyEvent {
  event: '$identify'
  properties: {
    /** The user id (Mixpanel derives it from `$user_id` too). */
    distinct_id: string
    $user_id: string
    /** The visitor's own Mixpanel device id (its `mp_<token>_mixpanel` cookie), else the idstitch visitor id. */
    $device_id?: string
    /** Epoch ms. */
    time: number
    /** Mixpanel de-duplicates events by it: the message id, or a hash of it when it is not of Mixpanel's form. */
    $insert_id: string
    /** The user's address (`context.ip`), which Mixpanel geolocates the event by; absent without one (`ip=0` keeps the server's). */
    ip?: string
    mp_lib: string
    $lib_version: string
  }
}

/** A profile update as sent to `/engage` (the token is added when the request is built). */
export interface MixpanelProfileUpdate {
  $distinct_id: string
  $set?: Record<string, unknown>
  /** `traitsOnce`: a separate update, which keeps a property the profile has already. */
  $set_once?: Record<string, unknown>
  /** The user's address (`context.ip`), or `"0"`: never locate the user at the server's IP address. */
  $ip: string
}

/** What one identify becomes: the merge event, and the profile update when there are traits. */
export interface MixpanelItem {
  /** None under Original ID Merge without an anonymous id to merge: then the profile updates alone. */
  event?: MixpanelIdentifyEvent | MixpanelCreateIdentityEvent
  /** `$set` of the traits, and `$set_once` of `traitsOnce`: one `/engage` update each (an update takes one operation). */
  profiles?: MixpanelProfileUpdate[]
}

interface Config {
  token: string
  /** Where the merge events go: `/import` (Simplified), `/track` (Original). */
  eventsUrl: string
  engageUrl: string
  original: boolean
}

/** idstitch's own bounds for one request: 100 identifies and 1 MB (Mixpanel takes 2,000 and 2 MB). */
export const MIXPANEL_MAX_ITEMS = 100
export const MIXPANEL_MAX_BYTES = 1024 * 1024
const INSERT_ID = /^[A-Za-z0-9-]{1,36}$/
/** Values Mixpanel refuses as a distinct id or insert id: they betray a bug upstream. */
const PLACEHOLDERS = new Set(['00000000-0000-0000-0000-000000000000', 'anon', 'anonymous', 'nil', 'none', 'null', 'n/a', 'na', 'undefined', 'unknown', '<nil>', '0', '-1', 'true', 'false', '[]', '{}'])
/** Mixpanel's reserved profile properties, by the trait names users give them (Segment's spec). */
const RESERVED_PROFILE: Readonly<Record<string, string>> = {
  email: '$email',
  name: '$name',
  firstName: '$first_name',
  first_name: '$first_name',
  lastName: '$last_name',
  last_name: '$last_name',
  phone: '$phone',
  avatar: '$avatar',
  createdAt: '$created',
  created_at: '$created',
}

/** A stable 64-bit hex hash (FNV-1a, twice with different offsets): an insert id for a message id Mixpanel would refuse. */
const hashId = (text: string): string => {
  let a = 0x811c9dc5
  let b = 0x01000193 ^ 0x5bd1e995
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index)
    a = Math.imul(a ^ code, 0x01000193) >>> 0
    b = Math.imul(b ^ code, 0x01000193) >>> 0
  }
  return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0')
}

const insertIdOf = (messageId: string): string => (INSERT_ID.test(messageId) && !isPlaceholder(messageId) ? messageId : `h-${hashId(messageId)}`)

/**
 * Traits as profile properties: the ones Mixpanel reserves under their `$`
 * names. A trait under its plain name wins over the same trait given under
 * its `$` name (`email` over `$email`): the plain name is the one the relay
 * lets only the server vouch for, so a `$email` from elsewhere never
 * replaces it.
 */
const profileProperties = (traits: Readonly<Record<string, unknown>>): Record<string, unknown> => {
  const properties: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(traits)) if (!Object.hasOwn(RESERVED_PROFILE, name)) properties[name] = value
  for (const [name, value] of Object.entries(traits)) if (Object.hasOwn(RESERVED_PROFILE, name)) properties[RESERVED_PROFILE[name] as string] = value
  return properties
}

/** The profile updates of an identify: `$set` of its traits, `$set_once` of its `traitsOnce`, each when there are any. */
const profileUpdates = (event: IdentifyEvent, ip: string | undefined): MixpanelProfileUpdate[] => {
  const set = profileProperties(event.traits)
  const once = profileProperties(event.traitsOnce ?? {})
  const $ip = ip ?? '0'
  return [
    ...(Object.keys(set).length > 0 ? [{ $distinct_id: event.userId, $set: set, $ip }] : []),
    ...(Object.keys(once).length > 0 ? [{ $distinct_id: event.userId, $set_once: once, $ip }] : []),
  ]
}

const isPlaceholder = (id: string): boolean => PLACEHOLDERS.has(id.toLowerCase())
/** mixpanel-browser's device id, when it is one Mixpanel takes (the idstitch visitor id is a UUID, never a placeholder). */
const DEVICE_ID = { test: (id: string) => !isPlaceholder(id), rule: 'is a placeholder Mixpanel refuses as a device id' }

/** `/track` takes events of the last 5 days only (reference/track-event; older ones go through `/import`), judged against when idstitch took the message. */
const TRACK_WINDOW_MS = 5 * 24 * 60 * 60 * 1000
const tooOldToTrack = (event: IdentifyEvent): boolean => event.receivedAt !== undefined && Date.parse(event.receivedAt) - Date.parse(event.timestamp) > TRACK_WINDOW_MS

/** Simplified ID Merge: one event with both `$user_id` and `$device_id` merges the device into the user. */
const identifyEvent = (event: IdentifyEvent, anonymousId: string | undefined, ip: string | undefined): MixpanelIdentifyEvent => ({
  event: '$identify',
  properties: {
    distinct_id: event.userId,
    $user_id: event.userId,
    ...(anonymousId === undefined ? {} : { $device_id: anonymousId }),
    time: Date.parse(event.timestamp),
    $insert_id: insertIdOf(event.messageId),
    ...(ip === undefined ? {} : { ip }),
    mp_lib: event.library.name,
    $lib_version: event.library.version,
  },
})

/** Original ID Merge: `$identify` with `$identified_id` and `$anon_id` (reference/create-identity); none without an anonymous id. */
const createIdentity = (event: IdentifyEvent, anonymousId: string | undefined, ip: string | undefined, token: string): MixpanelCreateIdentityEvent | undefined =>
  anonymousId === undefined
    ? undefined
    : {
        event: '$identify',
        properties: {
          $identified_id: event.userId,
          $anon_id: anonymousId,
          token,
          time: Date.parse(event.timestamp),
          $insert_id: insertIdOf(event.messageId),
          ...(ip === undefined ? {} : { ip }),
          mp_lib: event.library.name,
          $lib_version: event.library.version,
        },
      }

/** `/engage` answers 200 for an invalid update too: with `verbose=1` its body says `{ status: 0, error }`. */
const parseProfile = (response: ProviderResponse): ProviderOutcome => {
  const body = response.body as { status?: unknown; error?: unknown } | null
  if (isSuccess(response) && typeof body === 'object' && body !== null && body.status === 1) return { ok: true, data: body }
  const error = typeof body === 'object' && body !== null && typeof body.error === 'string' ? body.error : errorMessage(response.body, response.status)
  if (isSuccess(response)) return { ok: false, code: 'provider_rejected', message: `profile update refused: ${error}` }
  return httpFailure(response, `profile update: ${error}`)
}

/** A refused event of `failed_records`: its index in the batch, and why. */
const refusalOf = (record: unknown): { index: number; message: string } | undefined => {
  const { index, field, message } = (typeof record === 'object' && record !== null ? record : {}) as { index?: unknown; field?: unknown; message?: unknown }
  if (typeof index !== 'number') return undefined
  return { index, message: typeof message === 'string' ? message : `${typeof field === 'string' ? field : 'the event'} is invalid` }
}

/**
 * `/import?strict=1` imports the valid events of a batch and answers 400 naming each refused one in
 * `failed_records`: those fail on their own, and the imported ones go on to their profile update.
 */
const parseImport = (response: ProviderResponse): ProviderOutcome => {
  if (isSuccess(response)) return { ok: true, data: response.body }
  const body = (typeof response.body === 'object' && response.body !== null ? response.body : {}) as { error?: unknown; failed_records?: unknown }
  const refused = (Array.isArray(body.failed_records) ? body.failed_records : []).map(refusalOf).filter((refusal) => refusal !== undefined)
  const detail = refused[0] ? `: ${refused[0].message}` : ''
  const message = `${typeof body.error === 'string' ? body.error : errorMessage(response.body, response.status)}${detail}`
  return response.status === 400 && refused.length > 0 ? { ok: false, code: 'provider_rejected', message, partial: { refused, others: 'accepted' } } : httpFailure(response, message)
}

/**
 * Mixpanel (Simplified ID Merge): each identify is a `$identify` event to
 * `/import` carrying the user id as `$user_id` and the visitor's own Mixpanel
 * device id as `$device_id` (read from mixpanel-browser's `mp_<token>_mixpanel`
 * cookie by `getAnonymousIds()`; the idstitch visitor id when there is none),
 * which merges the visitor's anonymous history into the user; then, when there
 * are traits, a profile `$set` to `/engage` (Mixpanel keeps profile properties
 * apart from events). The two requests go in that order, each retried on its
 * own; the identify is `delivered` once both are accepted. Identifies in flight
 * together share the two requests, up to 100.
 *
 * Only the project token is needed or accepted: `/import` takes it as Basic
 * auth, and it can only write, so no credential that reads a project (a
 * Service Account, the deprecated Project Secret) is ever configured here.
 * It is still kept out of logs, errors and dry runs like every key.
 *
 * @example
 * mixpanel({ token: process.env.MIXPANEL_TOKEN!, host: 'https://api-eu.mixpanel.com' })
 */
export const mixpanel = /* @__PURE__ */ defineProvider<MixpanelOptions, MixpanelItem, Config>({
  name: 'mixpanel',
  answersJson: true,
  options: ['token', 'host', 'idMerge'],
  traitsOnce: true,
  configure(options, fail) {
    const token = requireString(fail, 'token', options.token)
    if (!/^[A-Za-z0-9]{1,128}$/.test(token)) fail('token', 'must be a Mixpanel project token (letters and digits)')
    const host = optionalBaseUrl(fail, options.host, 'https://api.mixpanel.com', 'host')
    const idMerge = options.idMerge ?? 'simplified'
    if (idMerge !== 'simplified' && idMerge !== 'original') fail('idMerge', "must be 'simplified' or 'original' (the project's Identity Merge setting)")
    const original = idMerge === 'original'
    return { token, eventsUrl: joinUrl(host, original ? '/track?strict=1&ip=0' : '/import?strict=1&ip=0'), engageUrl: joinUrl(host, '/engage?verbose=1&ip=0'), original }
  },
  secrets: (config) => [config.token],
  batch: () => ({ maxItems: MIXPANEL_MAX_ITEMS, maxBytes: MIXPANEL_MAX_BYTES }),
  prepare(event, config) {
    const device = anonymousIdFor(event, 'mixpanel', DEVICE_ID)
    const issues: FieldIssue[] = device.issue ? [device.issue] : []
    if (isPlaceholder(event.userId)) issues.push({ path: 'userId', message: `"${event.userId}" is a placeholder Mixpanel refuses as a distinct id` })
    const user = userIpOf(event.context, 'Mixpanel')
    if (user.issue) issues.push(user.issue)
    if (config.original && tooOldToTrack(event)) issues.push({ path: 'timestamp', message: 'is more than 5 days old: /track, where Original ID Merge sends the merge, takes the last 5 days only' })
    if (issues.length > 0) return { type: 'invalid', issues }
    const anonymousId = device.id === event.userId ? undefined : device.id
    const profiles = profileUpdates(event, user.ip)
    const mergeEvent = config.original ? createIdentity(event, anonymousId, user.ip, config.token) : identifyEvent(event, anonymousId, user.ip)
    // Original ID Merge merges only a named anonymous id into the user: without one, the traits alone.
    if (!mergeEvent && profiles.length === 0) return { type: 'skip', reason: 'no anonymous id to merge and no traits (Original ID Merge)' }
    const item: MixpanelItem = { ...(mergeEvent ? { event: mergeEvent } : {}), ...(profiles.length > 0 ? { profiles } : {}) }
    const bytes = utf8Length(JSON.stringify(item))
    if (bytes + 64 > MIXPANEL_MAX_BYTES) return { type: 'invalid', issues: [{ path: 'traits', message: 'makes the profile update larger than the 1 MB Mixpanel takes' }] }
    return { type: 'item', item, bytes }
  },
  request(items, config): ProviderRequest {
    const headers = { 'content-type': 'application/json', accept: 'application/json' }
    const profiles = items.flatMap((item) => (item.profiles ?? []).map((profile) => ({ $token: config.token, ...profile })))
    const engage: ProviderRequest | undefined = profiles.length > 0 ? { method: 'POST', url: config.engageUrl, headers, body: profiles } : undefined
    const carried = items.flatMap((item, index) => (item.event ? [index] : []))
    // Only Original ID Merge leaves identifies without an event: a batch of those is its profile updates alone.
    if (carried.length === 0) return engage as ProviderRequest
    return {
      method: 'POST',
      url: config.eventsUrl,
      // `/import` takes the token as Basic auth; `/track` in each event's properties.
      headers: config.original ? headers : { ...headers, authorization: `Basic ${base64(`${config.token}:`)}` },
      body: carried.map((index) => items[index]?.event),
      ...(carried.length < items.length ? { itemIndexes: carried } : {}),
      ...(engage ? { next: engage } : {}),
    }
  },
  // Which request answered, by its URL: a batch of profile updates alone starts at `/engage`.
  parse: (response, config, _step, request) => (request.url === config.engageUrl ? parseProfile(response) : parseImport(response)),
})
