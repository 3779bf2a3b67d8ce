import { JsonText, joinJson, utf8Length } from '../json.js'
import { TRAIT_ALIASES } from '../traits.js'
import { defineProvider, errorMessage, httpFailure, isSuccess, joinUrl, optionalBaseUrl, requireString, type FieldIssue, type ProviderOutcome } from '../provider.js'

/** How the {@link thrivestack} provider authenticates. */
export type ThrivestackAuth = 'x-api-key' | 'bearer' | 'bearer+key'

/** Options of the {@link thrivestack} provider. */
export interface ThrivestackOptions {
  /** The API key. */
  apiKey: string
  /**
   * `'x-api-key'` (default, the current identify page) sends `x-api-key: <apiKey>`;
   * `'bearer'` (the overview page) sends `Authorization: Bearer <apiKey>`;
   * `'bearer+key'` (the older page) sends `Authorization: Bearer <token>` and `KEY: <apiKey>`.
   */
  auth?: ThrivestackAuth
  /** The bearer token (with the `telemetry_apis` scope) for `auth: 'bearer+key'`. */
  token?: string
  /** Defaults to `https://api.app.thrivestack.ai` (`https://api.dev.app.thrivestack.ai` is their development environment). */
  baseUrl?: string
}

/** One element of the JSON array `POST /api/identify` takes. */
export interface ThrivestackIdentifyPayload {
  user_id: string
  traits: Record<string, unknown>
  /** ISO 8601. */
  timestamp: string
  context: Record<string, unknown>
}

interface Config {
  apiKey: string
  token: string | undefined
  auth: ThrivestackAuth
  url: string
}

/** At most 1,000 items and 2 MB a request, per Thrivestack's documentation. */
export const THRIVESTACK_MAX_ITEMS = 1000
export const THRIVESTACK_MAX_BYTES = 2 * 1024 * 1024

/** Common trait names copied to Thrivestack's reserved ones when those are not set. */
const RESERVED_ALIASES: readonly (readonly [string, string])[] = /* @__PURE__ */ (['email', 'name', 'firstName', 'lastName', 'createdAt'] as const).map(
  (trait) => [trait, (TRAIT_ALIASES[trait] as readonly string[])[0] as string] as const,
)

/**
 * Thrivestack (https://thrivestack.ai): identifies `user_id` with `traits`, an
 * ISO `timestamp` and `context` (`group_id`, `device_id`, `session_id`,
 * `source: 'product' | 'marketing'`). Common trait names (`email`, `name`,
 * `firstName`, `lastName`, `createdAt`) are also sent under Thrivestack's
 * reserved names (`user_email`, …) unless those are set. Identifies that are
 * in flight together share one request (at most 1,000 items and 2 MB).
 *
 * @example
 * thrivestack({ apiKey: process.env.THRIVESTACK_API_KEY! })
 */
export const thrivestack = /* @__PURE__ */ defineProvider<ThrivestackOptions, JsonText, Config>({
  name: 'thrivestack',
  answersJson: true,
  options: ['apiKey', 'auth', 'token', 'baseUrl'],
  configure(options, fail) {
    const apiKey = requireString(fail, 'apiKey', options.apiKey)
    const auth = options.auth ?? 'x-api-key'
    if (!['x-api-key', 'bearer', 'bearer+key'].includes(auth)) fail('auth', "must be 'x-api-key', 'bearer' or 'bearer+key'")
    const token = auth === 'bearer+key' ? requireString(fail, 'token', options.token) : undefined
    const url = joinUrl(optionalBaseUrl(fail, options.baseUrl, 'https://api.app.thrivestack.ai'), '/api/identify')
    return { apiKey, token, auth, url }
  },
  secrets: (config) => [config.apiKey, config.token],
  batch: () => ({ maxItems: THRIVESTACK_MAX_ITEMS, maxBytes: THRIVESTACK_MAX_BYTES }),
  prepare(event) {
    const issues: FieldIssue[] = []
    const source = event.context.source
    if (source !== undefined && source !== 'product' && source !== 'marketing') {
      issues.push({ path: 'context.source', message: "must be 'product' or 'marketing' for Thrivestack" })
    }
    let traits = event.traits as Record<string, unknown>
    for (const [alias, reserved] of RESERVED_ALIASES) {
      if (traits[alias] !== undefined && traits[reserved] === undefined) {
        if (traits === event.traits) traits = { ...traits } // copy on first write: the event stays as it was
        traits[reserved] = traits[alias]
      }
    }
    const item: ThrivestackIdentifyPayload = { user_id: event.userId, traits, timestamp: event.timestamp, context: event.context as Record<string, unknown> }
    // Serialised once, here: its size is checked now and the text goes into the request body as is.
    const json = JSON.stringify(item)
    const bytes = utf8Length(json)
    // +2 for the array brackets of a request holding this item alone.
    if (bytes + 2 > THRIVESTACK_MAX_BYTES) {
      issues.push({ path: 'traits', message: 'makes the request larger than Thrivestack\'s 2 MB limit' })
    }
    return issues.length > 0 ? { type: 'invalid', issues } : { type: 'item', item: new JsonText(json), bytes }
  },
  request(items, config) {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' }
    if (config.auth === 'x-api-key') headers['x-api-key'] = config.apiKey
    else if (config.auth === 'bearer') headers.authorization = `Bearer ${config.apiKey}`
    else {
      headers.authorization = `Bearer ${config.token}`
      headers.key = config.apiKey
    }
    // An array of ThrivestackIdentifyPayload, joined from the items' JSON.
    return { method: 'POST', url: config.url, headers, body: joinJson(items) }
  },
  parse(response): ProviderOutcome {
    const { status, body } = response
    const record = (typeof body === 'object' && body !== null ? body : {}) as { success?: unknown; status?: unknown }
    if (isSuccess(response)) {
      if (record.success === false || record.status === 'error') return { ok: false, code: 'provider_rejected', message: errorMessage(body, status) }
      return { ok: true, data: body }
    }
    const code = (record as { error_code?: unknown }).error_code
    const message = errorMessage(body, status) + (typeof code === 'string' ? ` (${code})` : '')
    return httpFailure(response, message)
  },
})
