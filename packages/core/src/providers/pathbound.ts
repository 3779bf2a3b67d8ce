import { anonymousIdFor, bearerPost, defineProvider, errorMessage, httpFailure, isSuccess, joinUrl, optionalBaseUrl, requireString, type ProviderOutcome, type Warning } from '../provider.js'
import { isUuid } from '../uuid.js'

/** Options of the {@link pathbound} provider. */
export interface PathboundOptions {
  /** An API key with the `contacts:write` scope. */
  apiKey: string
  /** Defaults to `https://api.pathbound.ai`. */
  baseUrl?: string
  /**
   * The client-side limit, so requests queue instead of collecting 429s.
   * Defaults to Pathbound's documented 100 requests per 15 minutes per key;
   * change it only if Pathbound granted your key another limit.
   */
  rateLimit?: { limit: number; windowMs: number }
}

/** The body of `POST /v1/identify`. */
export interface PathboundIdentifyPayload {
  external_id: string
  anonymous_id?: string
  traits?: Record<string, unknown>
}

/** Pathbound's answer, returned as the result's `data`. */
export interface PathboundIdentifyResponse {
  status: string
  contact_id: string
  created: boolean
  events_linked: number
  timestamp: string
}

interface Config {
  apiKey: string
  url: string
  rateLimit: { limit: number; windowMs: number }
}

const guessable = (id: string): Warning | undefined => {
  if (/^\d+$/.test(id)) return { key: 'pathbound:guessable-digits', message: 'external ids that are all digits are guessable; Pathbound asks for an opaque id such as a UUID' }
  if (/^[^@\s]+@[^@\s]+$/.test(id)) return { key: 'pathbound:guessable-email', message: 'an email address as external id is guessable; Pathbound asks for an opaque id such as a UUID' }
  return undefined
}

/**
 * Pathbound (https://pathbound.ai): binds `external_id` (the user id, 1..100
 * characters, the same value as the `pathbound_external_contact_id` cookie) to
 * the visitor's `pathbound_visitor_id` (`anonymous_id`) and merges `traits`.
 * Warns once when ids look guessable (all digits, or an email address). The
 * client keeps to Pathbound's limit of 100 requests per 15 minutes per key.
 *
 * @example
 * pathbound({ apiKey: process.env.PATHBOUND_API_KEY! })
 */
export const pathbound = /* @__PURE__ */ defineProvider<PathboundOptions, PathboundIdentifyPayload, Config>({
  name: 'pathbound',
  answersJson: true,
  options: ['apiKey', 'baseUrl', 'rateLimit'],
  configure(options, fail) {
    const apiKey = requireString(fail, 'apiKey', options.apiKey)
    const rateLimit = options.rateLimit ?? { limit: 100, windowMs: 15 * 60 * 1000 }
    if (!(Number.isInteger(rateLimit.limit) && rateLimit.limit > 0)) fail('rateLimit.limit', 'must be a positive integer')
    // At most a timer's longest wait (2^31 - 1 ms): a longer one fires at once, and the limiter would not wait.
    if (!(Number.isFinite(rateLimit.windowMs) && rateLimit.windowMs > 0 && rateLimit.windowMs <= 2 ** 31 - 1)) fail('rateLimit.windowMs', 'must be a positive number of ms, at most 2147483647')
    return { apiKey, rateLimit, url: joinUrl(optionalBaseUrl(fail, options.baseUrl, 'https://api.pathbound.ai'), '/v1/identify') }
  },
  secrets: (config) => [config.apiKey],
  rateLimit: (config) => config.rateLimit,
  prepare(event) {
    if (event.userId.length > 100) {
      return { type: 'invalid', issues: [{ path: 'userId', message: 'must be at most 100 characters for Pathbound (external_id)' }] }
    }
    // Pathbound's own visitor id (its pathbound_visitor_id cookie, a UUID) when given, else the visitor id.
    const visitor = anonymousIdFor(event, 'pathbound', { test: isUuid, rule: 'must be a UUID (Pathbound\'s pathbound_visitor_id)' })
    if (visitor.issue) return { type: 'invalid', issues: [visitor.issue] }
    const item: PathboundIdentifyPayload = { external_id: event.userId }
    if (visitor.id !== undefined) item.anonymous_id = visitor.id
    if (Object.keys(event.traits).length > 0) item.traits = event.traits as Record<string, unknown>
    const warning = guessable(event.userId)
    return { type: 'item', item, ...(warning ? { warnings: [warning] } : {}) }
  },
  request: ([item], config) => bearerPost(config.url, config.apiKey, item),
  parse(response): ProviderOutcome {
    if (isSuccess(response)) return { ok: true, data: response.body }
    // A 400's `details` say which field was refused.
    const details = (response.body as { details?: unknown } | null)?.details
    const detail = Array.isArray(details) && details.length > 0 ? ` (${JSON.stringify(details).slice(0, 300)})` : ''
    return httpFailure(response, `${errorMessage(response.body, response.status)}${detail}`)
  },
})
