import type { IdentifyEvent } from '../message.js'
import { JsonText, base64, joinJson, utf8Length } from '../json.js'
import { anonymousIdFor, defineProvider, joinUrl, requireString, requireUrl } from '../provider.js'

/** Options of the {@link segment} provider. */
export interface SegmentOptions {
  /** The source's write key (sent as the HTTP Basic user name). */
  writeKey: string
  /** The backend: `https://api.segment.io`, a RudderStack data plane, a Jitsu host, … */
  baseUrl: string
}

/** One identify in a Segment-compatible `/v1/batch` body. */
export interface SegmentIdentifyPayload {
  type: 'identify'
  messageId: string
  timestamp: string
  userId: string
  anonymousId?: string
  traits: Record<string, unknown>
  context: Record<string, unknown>
}

/** The body of `POST /v1/batch`. */
export interface SegmentBatchBody {
  batch: SegmentIdentifyPayload[]
}

interface Config {
  writeKey: string
  url: string
}

/** Segment's documented batch limits: 500 KB a request (32 KB a message). */
export const SEGMENT_MAX_BYTES = 500 * 1024
export const SEGMENT_MAX_ITEMS = 100

/**
 * Segment's `context.consent` (its Consent Management spec: `categoryPreferences`, category name to
 * boolean), with the message's signals under Google's Consent Mode names; none without them.
 */
const consentContext = (consent: IdentifyEvent['consent']): { consent?: { categoryPreferences: Record<string, boolean> } } => {
  if (!consent) return {}
  const preferences = { analytics: consent.analytics, ad_user_data: consent.adUserData, ad_personalization: consent.adPersonalization }
  return { consent: { categoryPreferences: Object.fromEntries(Object.entries(preferences).filter(([, value]) => value !== undefined)) as Record<string, boolean> } }
}

/**
 * Any Segment-compatible backend (Segment, RudderStack, Jitsu, …):
 * `POST {baseUrl}/v1/batch` with HTTP Basic auth (write key as user name) and
 * `{ batch: [{ type: 'identify', userId, anonymousId, traits, context, timestamp, messageId }] }`.
 * Identifies in flight together share one batch. `context.library` names the SDK that sent it.
 *
 * @example
 * segment({ writeKey: process.env.SEGMENT_WRITE_KEY!, baseUrl: 'https://api.segment.io' })
 */
export const segment = /* @__PURE__ */ defineProvider<SegmentOptions, JsonText, Config>({
  name: 'segment',
  answersJson: true,
  options: ['writeKey', 'baseUrl'],
  configure(options, fail) {
    const writeKey = requireString(fail, 'writeKey', options.writeKey)
    const base = requireString(fail, 'baseUrl', options.baseUrl)
    requireUrl(fail, 'baseUrl', base)
    return { writeKey, url: joinUrl(base, '/v1/batch') }
  },
  secrets: (config) => [config.writeKey],
  batch: () => ({ maxItems: SEGMENT_MAX_ITEMS, maxBytes: SEGMENT_MAX_BYTES }),
  prepare(event) {
    const item: SegmentIdentifyPayload = {
      type: 'identify',
      messageId: event.messageId,
      timestamp: event.timestamp,
      userId: event.userId,
      // The event is already the client's private copy: share it rather than copy it again.
      traits: event.traits as Record<string, unknown>,
      // Names the sending SDK, as Segment's own SDKs do.
      context: { ...event.context, library: event.library, ...consentContext(event.consent) },
      // Always in the literal (JSON leaves it out when undefined): one object shape, no property added later.
      // analytics.js's own id (its ajs_anonymous_id cookie) when the app has it, so its history merges.
      anonymousId: anonymousIdFor(event, 'segment').id,
    }
    // Serialised once, here: its size is checked now and the text goes into the batch body as is.
    const json = JSON.stringify(item)
    const bytes = utf8Length(json)
    if (bytes > 32 * 1024) {
      return { type: 'invalid', issues: [{ path: 'traits', message: 'makes the message larger than the 32 KB Segment accepts' }] }
    }
    return { type: 'item', item: new JsonText(json), bytes }
  },
  request: (items, config) => ({
    method: 'POST',
    url: config.url,
    headers: { authorization: `Basic ${base64(`${config.writeKey}:`)}`, 'content-type': 'application/json' },
    // A SegmentBatchBody, joined from the items' JSON.
    body: joinJson(items, '{"batch":', '}'),
  }),
})
