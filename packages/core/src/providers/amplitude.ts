import { userIpOf } from '../ip.js'
import { JsonText, joinJson, utf8Length } from '../json.js'
import { anonymousIdFor, defineProvider, errorMessage, httpFailure, isSuccess, requireString, requireUrl, type FieldIssue, type ProviderOutcome } from '../provider.js'
import { isUuid } from '../uuid.js'

// Amplitude's HTTP V2 API, as documented at amplitude.com/docs/apis/analytics/http-v2
// (read 2026-12-02): `POST https://api2.amplitude.com/2/httpapi`
// (`https://api.eu.amplitude.com/2/httpapi` for EU residency), the project
// API key in the body (`api_key`), `events` whose `user_id` or `device_id`
// is required (each at least 5 characters); at most 2,000 events and 1 MB a
// request (413 past it), 10 a batch recommended on the Starter plan; 30
// events a second for one user or device, then 429.

/** Options of the {@link amplitude} provider. */
export interface AmplitudeOptions {
  /** The project's API key (the one the browser SDK is initialised with). */
  apiKey: string
  /** Defaults to `https://api2.amplitude.com/2/httpapi`; `https://api.eu.amplitude.com/2/httpapi` for EU data residency. */
  serverUrl?: string
  /**
   * The shortest user or device id Amplitude takes (its default: 5). For
   * shorter ids (numeric user ids such as `42`), a lower one is sent as the
   * request's `options.min_id_length`, as the HTTP V2 API documents.
   */
  minIdLength?: number
}

/** One `$identify` event of the HTTP V2 API. */
export interface AmplitudeIdentifyPayload {
  event_type: '$identify'
  user_id: string
  /** The browser SDK's own device id (its `AMP_<key>` cookie), else the idstitch visitor id. */
  device_id?: string
  /** Epoch ms. */
  time: number
  /** Amplitude de-duplicates events by it (the message id). */
  insert_id: string
  /** The user's address (`context.ip`), which Amplitude locates the user by; absent without one (Amplitude then uses no address). */
  ip?: string
  /** The traits as `$set`; `traitsOnce` as `$setOnce`, kept when the user has them already. */
  user_properties: { $set: Record<string, unknown>; $setOnce?: Record<string, unknown> }
  library: string
}

interface Config {
  apiKey: string
  url: string
  minIdLength: number
}

export const AMPLITUDE_MAX_ITEMS = 10
export const AMPLITUDE_MAX_BYTES = 1024 * 1024
const MIN_ID_LENGTH = 5

/**
 * The events a 400 names, each with why: `events_with_invalid_fields` and
 * `events_with_missing_fields` map a field to the indexes of the events it
 * is wrong in, and `silenced_events` lists events of silenced devices.
 */
const invalidEvents = (body: Record<string, unknown>): { index: number; message: string }[] => {
  const refused: { index: number; message: string }[] = []
  const byField = (map: unknown, why: string) => {
    if (typeof map !== 'object' || map === null) return
    for (const [field, indexes] of Object.entries(map)) {
      if (Array.isArray(indexes)) for (const index of indexes) if (typeof index === 'number') refused.push({ index, message: `${why} ${field}` })
    }
  }
  byField(body.events_with_invalid_fields, 'invalid')
  byField(body.events_with_missing_fields, 'missing')
  if (Array.isArray(body.silenced_events)) for (const index of body.silenced_events) if (typeof index === 'number') refused.push({ index, message: 'the device is silenced' })
  return refused
}

/**
 * Amplitude (HTTP V2 API): a `$identify` event with the user id, the
 * visitor's own Amplitude device id as `device_id` (read from the browser
 * SDK's `AMP_<key>` cookie by `getAnonymousIds()`; the idstitch visitor id
 * when there is none), and the traits as `user_properties.$set`.
 * Identifies in flight together share one request, 10 at most, as Amplitude
 * recommends.
 *
 * @example
 * amplitude({ apiKey: process.env.AMPLITUDE_API_KEY!, serverUrl: 'https://api.eu.amplitude.com/2/httpapi' })
 */
export const amplitude = /* @__PURE__ */ defineProvider<AmplitudeOptions, JsonText, Config>({
  name: 'amplitude',
  answersJson: true,
  options: ['apiKey', 'serverUrl', 'minIdLength'],
  traitsOnce: true,
  configure(options, fail) {
    const apiKey = requireString(fail, 'apiKey', options.apiKey)
    const url = options.serverUrl === undefined ? 'https://api2.amplitude.com/2/httpapi' : requireUrl(fail, 'serverUrl', options.serverUrl)
    const minIdLength = options.minIdLength ?? MIN_ID_LENGTH
    if (!Number.isInteger(minIdLength) || minIdLength < 1) fail('minIdLength', 'must be an integer >= 1')
    return { apiKey, url, minIdLength }
  },
  secrets: (config) => [config.apiKey],
  batch: () => ({ maxItems: AMPLITUDE_MAX_ITEMS, maxBytes: AMPLITUDE_MAX_BYTES }),
  prepare(event, config) {
    const issues: FieldIssue[] = []
    const device = anonymousIdFor(event, 'amplitude')
    const shortest = config.minIdLength
    const hint = shortest === MIN_ID_LENGTH ? ' (lower it with the minIdLength option)' : ''
    if (event.userId.length < shortest) issues.push({ path: 'userId', message: `must be at least ${shortest} characters for Amplitude${hint}` })
    if (device.id !== undefined && device.id.length < shortest) issues.push({ path: 'anonymousIds.amplitude', message: `must be at least ${shortest} characters for Amplitude${hint}` })
    const user = userIpOf(event.context, 'Amplitude')
    if (user.issue) issues.push(user.issue)
    if (issues.length > 0) return { type: 'invalid', issues }
    const item: AmplitudeIdentifyPayload = {
      event_type: '$identify',
      user_id: event.userId,
      ...(device.id === undefined ? {} : { device_id: device.id }),
      time: Date.parse(event.timestamp),
      insert_id: isUuid(event.messageId) ? event.messageId : `${event.userId}-${event.messageId}`.slice(0, 128),
      ...(user.ip === undefined ? {} : { ip: user.ip }),
      user_properties: { $set: event.traits as Record<string, unknown>, ...(event.traitsOnce ? { $setOnce: event.traitsOnce as Record<string, unknown> } : {}) },
      library: `${event.library.name}/${event.library.version}`,
    }
    const json = JSON.stringify(item)
    const bytes = utf8Length(json)
    if (bytes + 64 > AMPLITUDE_MAX_BYTES) return { type: 'invalid', issues: [{ path: 'traits', message: 'makes the event larger than the 1 MB Amplitude takes in a request' }] }
    return { type: 'item', item: new JsonText(json), bytes }
  },
  request: (items, config) => ({
    method: 'POST',
    url: config.url,
    headers: { 'content-type': 'application/json', accept: '*/*' },
    // Amplitude's own minimum is 5: only another one is sent, as `options.min_id_length`.
    body: joinJson(items, `{"api_key":${JSON.stringify(config.apiKey)},${config.minIdLength === MIN_ID_LENGTH ? '' : `"options":{"min_id_length":${config.minIdLength}},`}"events":`, '}'),
  }),
  parse(response): ProviderOutcome {
    if (isSuccess(response)) return { ok: true, data: response.body }
    const record = (typeof response.body === 'object' && response.body !== null ? response.body : {}) as Record<string, unknown>
    const message = typeof record.error === 'string' ? record.error + (typeof record.missing_field === 'string' ? ` (${record.missing_field})` : '') : errorMessage(response.body, response.status)
    const refused = response.status === 400 ? invalidEvents(record) : []
    // Amplitude ingests none of a batch it refuses: the events it did not name are sent again without the others, as it asks.
    return refused.length > 0 ? { ok: false, code: 'provider_rejected', message, partial: { refused, others: 'resend' } } : httpFailure(response, message)
  },
})
