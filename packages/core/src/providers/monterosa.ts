import type { IdentifyEvent } from '../message.js'
import { defineProvider, errorMessage, httpFailure, isSuccess, joinUrl, requireString, requireUrl, type ProviderOutcome } from '../provider.js'
import { createRedact } from '../redact.js'
import { isUuid } from '../uuid.js'

/** Options of the {@link monterosa} provider. */
export interface MonterosaOptions {
  /** The Identify service of your Monterosa / Interaction Cloud environment (no production host is public). */
  baseUrl: string
  /** Your project id (a UUID). */
  projectId: string
  /** Monterosa's identity provider: `'noLogin'` (default) or a token-bearing one (`'awsCognito'`, `'authZero'`, …). */
  provider?: string
  /** Defaults to `'simplified'` for `noLogin` and `'email'` otherwise. */
  strategy?: string
  /**
   * The bearer token token-bearing providers need: a string, or a function that
   * finds the user's token for the event on your side (by `event.userId`). Keep
   * it out of `context` and `traits` when Segment or Thrivestack are configured
   * too: they forward both. A message for which it returns nothing is skipped.
   */
  token?: string | ((event: IdentifyEvent) => string | undefined)
}

/** The body of `PUT /v1/user` for `provider: 'noLogin'`. */
export interface MonterosaNoLoginPayload {
  projectId: string
  strategy: string
  provider: 'noLogin'
  externalId: string
  appProfile: Record<string, unknown>
}

/** The body of `PUT /v1/user` for token-bearing providers. */
export interface MonterosaTokenPayload {
  projectId: string
  strategy: string
  provider: string
  data: Record<string, unknown>
}

/** Either body, with the token that authorises it. */
export type MonterosaIdentifyPayload = (MonterosaNoLoginPayload | MonterosaTokenPayload) & { readonly [TOKEN]?: string }

const TOKEN: unique symbol = Symbol('token')

interface Config {
  url: string
  projectId: string
  provider: string
  strategy: string
  token: MonterosaOptions['token']
  /** Per-user tokens `token()` returned lately, redacted wherever they might be echoed. */
  recentTokens: Set<string>
}

/** Per-user tokens remembered for redaction; the oldest is forgotten past it. */
const RECENT_TOKENS = 1_000

const remember = (tokens: Set<string>, token: string): void => {
  tokens.delete(token)
  tokens.add(token)
  if (tokens.size > RECENT_TOKENS) tokens.delete(tokens.values().next().value as string)
}

/**
 * Monterosa Interaction Cloud's Identify extension: `PUT {baseUrl}/v1/user`.
 * With `noLogin` it sends `{ projectId, strategy, provider, externalId: userId,
 * appProfile: traits }`; with a token-bearing provider `{ projectId, strategy,
 * provider, data: traits }` and `Authorization: Bearer <token>`. Traits that
 * look like passwords are refused: idstitch never sends passwords. Success is
 * `{ result: 1 }`.
 *
 * @example
 * monterosa({ baseUrl: process.env.MONTEROSA_IDENTIFY_URL!, projectId: '5d5b0676-ce0f-4058-b2bf-49af49f61cb5' })
 */
export const monterosa = /* @__PURE__ */ defineProvider<MonterosaOptions, MonterosaIdentifyPayload, Config>({
  name: 'monterosa',
  answersJson: true,
  options: ['baseUrl', 'projectId', 'provider', 'strategy', 'token'],
  configure(options, fail) {
    const base = requireString(fail, 'baseUrl', options.baseUrl)
    requireUrl(fail, 'baseUrl', base)
    const projectId = requireString(fail, 'projectId', options.projectId)
    if (!isUuid(projectId)) fail('projectId', 'must be a UUID')
    const provider = options.provider === undefined ? 'noLogin' : requireString(fail, 'provider', options.provider)
    const strategy = options.strategy === undefined ? (provider === 'noLogin' ? 'simplified' : 'email') : requireString(fail, 'strategy', options.strategy)
    const { token } = options
    if (provider !== 'noLogin' && token === undefined) fail('token', `is required with provider '${provider}'`)
    if (token !== undefined && typeof token !== 'function') requireString(fail, 'token', token)
    return { url: joinUrl(base, '/v1/user'), projectId, provider, strategy, token, recentTokens: new Set() }
  },
  secrets: (config) => [typeof config.token === 'string' ? config.token : undefined],
  redact: (text, config) => (config.recentTokens.size === 0 ? text : createRedact([...config.recentTokens])(text)),
  prepare(event, config) {
    const passwords = Object.keys(event.traits).filter((key) => /passw(or)?d|secret/i.test(key))
    if (passwords.length > 0) {
      return { type: 'invalid', issues: passwords.map((key) => ({ path: `traits.${key}`, message: 'looks like a password; idstitch never sends passwords to Monterosa' })) }
    }
    const token = typeof config.token === 'function' ? config.token(event) : config.token
    if (token && typeof config.token === 'function') remember(config.recentTokens, token)
    if (config.provider !== 'noLogin' && !token) return { type: 'skip', reason: `Monterosa provider '${config.provider}' needs the user's token and none was found` }
    const common = { projectId: config.projectId, strategy: config.strategy }
    const item: MonterosaIdentifyPayload =
      config.provider === 'noLogin'
        ? { ...common, provider: 'noLogin', externalId: event.userId, appProfile: { ...event.traits } }
        : { ...common, provider: config.provider, data: { ...event.traits } }
    // Only a user's own token travels with the item (a symbol key, which @idstitch/queue never stores in Redis); a
    // static token is the provider's configuration, which the request adds, so such items can be queued.
    return { type: 'item', item: token && typeof config.token === 'function' ? Object.assign(item, { [TOKEN]: token }) : item }
  },
  request: ([item], config) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    const token = item?.[TOKEN] ?? (typeof config.token === 'string' ? config.token : undefined)
    if (token) headers.authorization = `Bearer ${token}`
    return { method: 'PUT', url: config.url, headers, body: item }
  },
  parse(response): ProviderOutcome {
    const { status, body } = response
    const record = (typeof body === 'object' && body !== null ? body : {}) as { result?: unknown; data?: unknown }
    if (isSuccess(response)) {
      return record.result === 1 ? { ok: true, data: record.data } : { ok: false, code: 'provider_rejected', message: errorMessage(body, status) }
    }
    return httpFailure(response)
  },
})
