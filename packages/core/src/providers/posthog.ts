import { JsonText, joinJson, utf8Length } from '../json.js'
import { anonymousIdFor, defineProvider, errorMessage, httpFailure, isSuccess, joinUrl, optionalBaseUrl, requireString, type ProviderOutcome } from '../provider.js'
import { userIpOf } from '../ip.js'
import { isUuid } from '../uuid.js'

/** Options of the {@link posthog} provider. */
export interface PosthogOptions {
  /** The project API key (`phc_…`), the one posthog-js is initialised with. */
  apiKey: string
  /** The ingestion host: `https://us.i.posthog.com` (default), `https://eu.i.posthog.com`, or your self-hosted instance. */
  host?: string
}

/** One `$identify` event in PostHog's `/batch/` body. */
export interface PosthogIdentifyPayload {
  event: '$identify'
  /** The user id. */
  distinct_id: string
  /** ISO 8601. */
  timestamp: string
  /** The message id, when it is a UUID: PostHog de-duplicates events by it. */
  uuid?: string
  properties: {
    /** The visitor's anonymous PostHog id (posthog-js's `distinct_id` before login), merged into the user. */
    $anon_distinct_id?: string
    /** The traits, as person properties; `traitsOnce` as `$set_once`, kept when the person has them already. */
    $set_once?: Record<string, unknown>
    /** The traits, as person properties. */
    $set: Record<string, unknown>
    $lib: string
    $lib_version: string
  }
}

interface Config {
  apiKey: string
  url: string
}

/** idstitch's own bounds for one request: 100 events and 1 MB. */
export const POSTHOG_MAX_ITEMS = 100
export const POSTHOG_MAX_BYTES = 1024 * 1024

/**
 * Where PostHog should place the user: PostHog geolocates an event by its `$ip`, else by the address that sent
 * it, which for a server is the data centre's (posthog-node sends `$geoip_disable: true` by default since 3.0 for
 * this reason). So `context.ip` goes as `$ip`, and without one `$geoip_disable: true` keeps the person's location
 * as the browser SDK set it.
 */
const locationOf = (ip: string | undefined): { $ip: string } | { $geoip_disable: true } => (ip === undefined ? { $geoip_disable: true } : { $ip: ip })

/**
 * PostHog (https://posthog.com/docs/api/capture): `POST {host}/batch/` with
 * the project API key in the body (`api_key`) and `$identify` events whose
 * `distinct_id` is the user id and whose `$anon_distinct_id` is the visitor's
 * own PostHog id (read from posthog-js's `ph_<key>_posthog` cookie by
 * `getAnonymousIds()`; the idstitch visitor id when there is none); traits go
 * to `$set`. Identifies in flight together share one batch. Only a project
 * key (`phc_…`) is accepted: a personal API key grants far more and must
 * never be sent from an app.
 *
 * @example
 * posthog({ apiKey: process.env.POSTHOG_PROJECT_KEY!, host: 'https://eu.i.posthog.com' })
 */
export const posthog = /* @__PURE__ */ defineProvider<PosthogOptions, JsonText, Config>({
  name: 'posthog',
  answersJson: true,
  options: ['apiKey', 'host'],
  traitsOnce: true,
  configure(options, fail) {
    const apiKey = requireString(fail, 'apiKey', options.apiKey)
    if (!apiKey.startsWith('phc_')) fail('apiKey', 'must be a PostHog project API key (phc_…), never a personal API key')
    return { apiKey, url: joinUrl(optionalBaseUrl(fail, options.host, 'https://us.i.posthog.com', 'host'), '/batch/') }
  },
  secrets: (config) => [config.apiKey],
  batch: () => ({ maxItems: POSTHOG_MAX_ITEMS, maxBytes: POSTHOG_MAX_BYTES }),
  prepare(event) {
    const anonymous = anonymousIdFor(event, 'posthog')
    const user = userIpOf(event.context, 'PostHog')
    if (user.issue) return { type: 'invalid', issues: [user.issue] }
    const location = locationOf(user.ip)
    const item: PosthogIdentifyPayload = {
      event: '$identify',
      distinct_id: event.userId,
      timestamp: event.timestamp,
      ...(isUuid(event.messageId) ? { uuid: event.messageId } : {}),
      properties: {
        ...(anonymous.id !== undefined && anonymous.id !== event.userId ? { $anon_distinct_id: anonymous.id } : {}),
        $set: event.traits as Record<string, unknown>,
        ...(event.traitsOnce ? { $set_once: event.traitsOnce as Record<string, unknown> } : {}),
        $lib: event.library.name,
        $lib_version: event.library.version,
        ...location,
      },
    }
    // Serialised once, here: its size is checked now and the text goes into the batch body as is.
    const json = JSON.stringify(item)
    const bytes = utf8Length(json)
    if (bytes + 64 > POSTHOG_MAX_BYTES) return { type: 'invalid', issues: [{ path: 'traits', message: 'makes the event larger than the 1 MB idstitch sends to PostHog in one request' }] }
    return { type: 'item', item: new JsonText(json), bytes }
  },
  request: (items, config) => ({
    method: 'POST',
    url: config.url,
    headers: { 'content-type': 'application/json' },
    body: joinJson(items, `{"api_key":${JSON.stringify(config.apiKey)},"batch":`, '}'),
  }),
  parse(response): ProviderOutcome {
    if (isSuccess(response)) return { ok: true, data: response.body }
    // PostHog's errors: { type, code, detail } (e.g. code 'invalid_api_key').
    const record = (typeof response.body === 'object' && response.body !== null ? response.body : {}) as { detail?: unknown; code?: unknown }
    const message = typeof record.detail === 'string' ? record.detail + (typeof record.code === 'string' ? ` (${record.code})` : '') : errorMessage(response.body, response.status)
    return httpFailure(response, message)
  },
})
