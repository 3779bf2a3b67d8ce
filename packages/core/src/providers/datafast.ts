import { anonymousIdFor, bearerPost, defineProvider, errorMessage, httpFailure, isSuccess, joinUrl, optionalBaseUrl, requireString, type ProviderOutcome } from '../provider.js'
import { isUuid } from '../uuid.js'
import { traitCollisions } from './collisions.js'

/** Options of the {@link datafast} provider. */
export interface DatafastOptions {
  /** A website API key (`df_…`) or an account token (`dft_…`, needs `websiteId` and the `identify:write` permission). */
  apiKey: string
  /** Required with a `dft_` account token; ignored with a `df_` key. */
  websiteId?: string
  /** Defaults to `https://datafa.st`. */
  baseUrl?: string
}

/**
 * The body of `POST /api/v1/identify`: the two required fields and the
 * traits as top-level profile metadata.
 */
export interface DatafastIdentifyPayload {
  user_id: string
  datafast_visitor_id: string
  [metadata: string]: unknown
}

interface Config {
  apiKey: string
  url: string
}

/** Fields of DataFast's own that a trait may not overwrite (`visitorId` is an alias of `datafast_visitor_id`). */
const RESERVED = ['user_id', 'datafast_visitor_id', 'visitorId', 'websiteId']

/**
 * DataFast (https://datafa.st): links a visitor (`datafast_visitor_id`, a
 * UUID, required: the message is skipped without one) to `user_id` (1..255
 * characters); traits become top-level profile metadata. A 404 means the
 * visitor has no pageviews on the website and gets the code `visitor_not_found`.
 *
 * @example
 * datafast({ apiKey: process.env.DATAFAST_API_KEY! })
 */
export const datafast = /* @__PURE__ */ defineProvider<DatafastOptions, DatafastIdentifyPayload, Config>({
  name: 'datafast',
  answersJson: true,
  options: ['apiKey', 'websiteId', 'baseUrl'],
  configure(options, fail) {
    const apiKey = requireString(fail, 'apiKey', options.apiKey)
    if (!/^dft?_/.test(apiKey)) fail('apiKey', 'must be a DataFast website key (df_…) or account token (dft_…)')
    const base = joinUrl(optionalBaseUrl(fail, options.baseUrl, 'https://datafa.st'), '/api/v1/identify')
    if (apiKey.startsWith('dft_')) {
      const websiteId = requireString(fail, 'websiteId', options.websiteId)
      return { apiKey, url: `${base}?websiteId=${encodeURIComponent(websiteId)}` }
    }
    return { apiKey, url: base }
  },
  secrets: (config) => [config.apiKey],
  prepare(event) {
    // DataFast's own visitor id (its datafast_visitor_id cookie, a UUID) when given, else the visitor id.
    const visitor = anonymousIdFor(event, 'datafast', { test: isUuid, rule: 'must be a UUID (DataFast\'s datafast_visitor_id)' })
    if (visitor.issue) return { type: 'invalid', issues: [visitor.issue] }
    if (visitor.id === undefined) return { type: 'skip', reason: 'DataFast needs the visitor id (anonymousId) and none was given' }
    const issues = traitCollisions(event.traits, RESERVED, 'DataFast')
    if (event.userId.length > 255) issues.unshift({ path: 'userId', message: 'must be at most 255 characters for DataFast' })
    if (issues.length > 0) return { type: 'invalid', issues }
    return { type: 'item', item: { ...event.traits, user_id: event.userId, datafast_visitor_id: visitor.id } }
  },
  request: ([item], config) => bearerPost(config.url, config.apiKey, item),
  parse(response): ProviderOutcome {
    const { status, body } = response
    if (isSuccess(response)) {
      const record = body as { status?: unknown; data?: unknown } | null
      if (record?.status === 'error') return { ok: false, code: 'provider_rejected', message: errorMessage(body, status) }
      return { ok: true, data: record?.data ?? body }
    }
    if (status === 404) return { ok: false, code: 'visitor_not_found', message: `visitor has no pageviews on this website (${errorMessage(body, status)})` }
    return httpFailure(response)
  },
})
