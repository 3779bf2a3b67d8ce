import * as z from 'zod/mini'
import { ConfigError } from './errors.js'
import { createRedact } from './redact.js'
import { firstUnknownOption, unknownOptionMessage } from './unknown-option.js'
import type { IdentifyEvent } from './message.js'

/** An HTTP request, described: the transport turns it into bytes. */
export interface ProviderRequest {
  method: 'POST' | 'PUT' | 'PATCH'
  url: string
  headers: Record<string, string>
  /** Serialised as JSON by the transport. */
  body: unknown
  /**
   * A request to send once this one is accepted, for an API that takes an
   * identify in more than one call (Mixpanel: the merge event, then the
   * profile update). Each request of the chain is retried on its own; the
   * identify is delivered when the last one is accepted. A queue worker that
   * retries a job sends the chain from its start again, so every request of a
   * chain must be idempotent (Mixpanel de-duplicates events by `$insert_id`,
   * and a profile `$set` is idempotent).
   */
  next?: ProviderRequest
  /**
   * For a request whose body carries some of the batch's items only: the index, among the items
   * `request()` was given, of each one it carries, in order. A partial refusal's indexes are of
   * this body; the lane maps them back through it.
   */
  itemIndexes?: readonly number[]
}

/** An HTTP response as the adapter sees it: `body` is parsed JSON, or the raw text when it is not JSON. */
export interface ProviderResponse {
  status: number
  headers: Record<string, string>
  body: unknown
}

/** What an adapter makes of a response. */
export type ProviderOutcome =
  | { ok: true; data?: unknown }
  | {
      ok: false
      code?: 'http_error' | 'visitor_not_found' | 'rate_limited' | 'provider_rejected'
      message: string
      /** A batch's answer that refused only some of its items: see {@link PartialRefusal}. */
      partial?: PartialRefusal
    }

/**
 * A batch's answer that refused some of its items, each named by its index in
 * the request's items, with why. The others were `accepted` (Mixpanel's strict
 * import imports the valid events of a batch it answers 400), or are to be
 * sent again without the refused ones (`resend`: Amplitude ingests none of a
 * batch it refuses). Each refused item fails on its own, for good; the rest
 * go on. An answer that names no item of the batch, or every one, fails the
 * whole batch as the outcome says.
 */
export interface PartialRefusal {
  refused: readonly { index: number; message: string }[]
  others: 'accepted' | 'resend'
}

/** A problem with one field, before the provider's name is attached. */
export interface FieldIssue {
  path: string
  message: string
}

/** What an adapter makes of one event: an item to send, a reason to skip it, or why it is invalid. */
export type Prepared<Item> =
  | { type: 'item'; item: Item; warnings?: readonly Warning[]; /** The item's JSON size in UTF-8 bytes, when the adapter measured it (batching uses it). */ bytes?: number }
  | { type: 'skip'; reason: string }
  | { type: 'invalid'; issues: readonly FieldIssue[] }

/** A warning worth logging once per client: `key` identifies it for de-duplication. */
export interface Warning {
  key: string
  message: string
}

/**
 * A configured provider: pure functions closed over its credentials, which are
 * never exposed as properties (so logging the object cannot leak a key).
 */
export interface Provider<Item = unknown> {
  /** The name results, errors and logs use; unique within a client. */
  readonly name: string
  /** What it is (`pathbound`, `segment`, `http`, …: its definition's name), whatever its `name`; for telemetry. */
  readonly kind?: string
  /** Validates and maps one event. */
  prepare(event: IdentifyEvent): Prepared<Item>
  /** Builds one request (possibly a chain, see {@link ProviderRequest.next}) for one item, or several when `batch` is set. */
  request(items: readonly Item[]): ProviderRequest
  /** Turns a response into an outcome: `request` is the request it answers, `step` its place in its chain (0 for the first). */
  parse(response: ProviderResponse, step: number, request: ProviderRequest): ProviderOutcome
  /** Set when several items may share one request. `maxBytes` bounds the JSON body. */
  readonly batch?: { readonly maxItems: number; readonly maxBytes: number }
  /** The provider's documented rate limit, which the client enforces on its side. */
  readonly rateLimit?: { readonly limit: number; readonly windowMs: number }
  /** True when the adapter sends `traitsOnce` (the provider can set a trait only once); others leave them out. */
  readonly traitsOnce?: boolean
  /** Replaces this provider's secrets (in every encoding) and any `Bearer`/`Basic` credential in `text` with `[redacted]`. */
  redact(text: string): string
}

/** The definition {@link defineProvider} turns into a factory. */
export interface ProviderDefinition<Options, Config, Item> {
  /** The default provider name. */
  name: string
  /**
   * Every option name it takes, besides `name`: another is refused with a `ConfigError` naming it, so that a
   * misspelled option (`baseURL`, or `serverZone` from another SDK) is not ignored while identifies go to the
   * default host. Left out, any option is taken as it is.
   */
  options?: readonly (keyof Options & string)[]
  /** Validates options (throwing via the `fail` helper) and resolves defaults. */
  configure(options: Options, fail: (option: string, message: string) => never): Config
  /** The secrets in a configuration, to redact from logs and dry runs (query values of URL options are added). */
  secrets?(config: Config): readonly (string | undefined)[]
  /** Redacts what only appears at run time (a per-user token), after the configured secrets. */
  redact?(text: string, config: Config): string
  prepare(event: IdentifyEvent, config: Config): Prepared<Item>
  request(items: readonly Item[], config: Config): ProviderRequest
  parse?(response: ProviderResponse, config: Config, step: number, request: ProviderRequest): ProviderOutcome
  batch?: (config: Config) => { maxItems: number; maxBytes: number } | undefined
  rateLimit?: (config: Config) => { limit: number; windowMs: number } | undefined
  /** True when `prepare` sends the event's `traitsOnce` as the provider's set-once. */
  traitsOnce?: boolean
  /**
   * True when the API answers JSON (or nothing): a 2xx web page (`text/html`, a body of markup) is then a
   * `provider_rejected` failure, for it came from another server (a base URL without the API's path, a proxy's,
   * firewall's or login page), and read as success it reported delivered what no API received.
   */
  answersJson?: boolean
}

/** Options every provider factory accepts. */
export interface CommonProviderOptions {
  /** Overrides the provider's name in results and logs, e.g. to configure two DataFast websites. */
  name?: string
}

/** Finds a human message in the common error envelopes (`{error:{message}}`, `{message}`, `{error:"…"}`). */
export const errorMessage = (body: unknown, status: number): string => {
  if (typeof body === 'string') return body.trim().slice(0, 300) || `status ${status}`
  if (typeof body !== 'object' || body === null) return `status ${status}`
  const record = body as Record<string, unknown>
  const error = record.error
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') {
    return (error as { message: string }).message
  }
  if (typeof record.message === 'string') return record.message
  if (typeof error === 'string') return error
  return `status ${status}`
}

/** The outcome for an error status: `rate_limited` for 429, `http_error` otherwise, with the body's message (or `message`). */
export const httpFailure = (response: ProviderResponse, message = errorMessage(response.body, response.status)): ProviderOutcome => ({
  ok: false,
  code: response.status === 429 ? 'rate_limited' : 'http_error',
  message,
})

/** True for a 2xx status. */
export const isSuccess = (response: ProviderResponse): boolean => response.status >= 200 && response.status < 300

/** The failure for a 2xx web page, from a provider whose API answers JSON (see {@link ProviderDefinition.answersJson}). */
const webPageInstead = (response: ProviderResponse): ProviderOutcome | undefined =>
  isSuccess(response) && /^\s*text\/html\b/i.test(response.headers['content-type'] ?? '') && typeof response.body === 'string' && /^\s*</.test(response.body)
    ? { ok: false, code: 'provider_rejected', message: "a web page, not the API's JSON: another server answered; check the base URL, and any proxy or login page in front of the API" }
    : undefined

/** The default reading of a response: 2xx is success and its body is the data. */
export const defaultParse = (response: ProviderResponse): ProviderOutcome =>
  isSuccess(response) ? { ok: true, data: response.body } : httpFailure(response)

/** A JSON `POST` to `url` authorised with `Authorization: Bearer <token>`, the most common identify request. */
export const bearerPost = (url: string, token: string, body: unknown): ProviderRequest => ({
  method: 'POST',
  url,
  headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  body,
})

/** Joins a base URL and a path with exactly one slash. */
export const joinUrl = (base: string, path: string): string => `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`

/** Checks that `value` is an absolute http(s) URL, without relying on the URL global. */
export const isHttpUrl = (value: unknown): value is string => typeof value === 'string' && /^https?:\/\/[^\s/?#]+[^\s]*$/i.test(value)

const MISSING = 'is required (is the environment variable set?)'

/** A key, token or id option: a non-empty string without stray whitespace (a pasted key often has some). */
const stringOption = () => z
  .string({ error: (issue) => (issue.input == null ? MISSING : `must be a string, got ${typeof issue.input}`) })
  .check(
    z.minLength(1, MISSING),
    z.refine((value) => value === value.trim(), 'has leading or trailing whitespace'),
  )

/** The `user:password@` part of a URL, when it has one. */
const USERINFO = /^https?:\/\/([^@/?#]*)@/i

/** A URL option: absolute http(s), without credentials in it. */
const urlOption = () => z
  .string({ error: 'must be an absolute http(s) URL' })
  .check(
    z.refine(isHttpUrl, 'must be an absolute http(s) URL'),
    z.refine((value) => !USERINFO.test(value), 'must not hold credentials (user:password@); pass them as the provider\'s key option or a header'),
  )

/** The option schemas, built on first use (a cold start that creates no provider pays nothing for them). */
const schemas: { string?: z.ZodMiniType<string>; url?: z.ZodMiniType<string> } = {}

/** `value` checked by the schema `kind`, or `fail` with the first issue's message. */
const checked = (kind: 'string' | 'url', fail: (option: string, message: string) => never, option: string, value: unknown): string => {
  const schema = (schemas[kind] ??= kind === 'url' ? urlOption() : stringOption())
  const parsed = schema.safeParse(value)
  return parsed.success ? parsed.data : fail(option, parsed.error.issues[0]?.message ?? 'is invalid')
}

/** Checks a required, non-empty string option. */
export const requireString = (fail: (option: string, message: string) => never, option: string, value: unknown): string => checked('string', fail, option, value)

/**
 * Checks a URL option: an absolute http(s) URL without credentials in it.
 * `fetch` refuses a URL with `user:password@` (and so would every edge
 * runtime), and a credential in a URL ends up in logs: pass it as the
 * provider's key option, or as a header of `http()`.
 */
export const requireUrl = (fail: (option: string, message: string) => never, option: string, value: unknown): string => checked('url', fail, option, value)

/** Checks an optional base URL option. */
export const optionalBaseUrl = (
  fail: (option: string, message: string) => never,
  value: unknown,
  fallback: string,
  option = 'baseUrl',
): string => (value === undefined ? fallback : requireUrl(fail, option, value))

/**
 * What may carry a credential in the URLs an app configured: every query
 * value (`?token=…`), every path segment that could be a token (a webhook's
 * `/services/T0123A/B456C/xyzSecretValue1234`: any of 12 or more characters,
 * or of 5 or more with a digit), and the user-info part were one to get
 * through. Plain words of a path (`v1`, `hooks`, `identify`) stay readable.
 */
const urlSecrets = (options: object): string[] =>
  Object.values(options)
    .filter(isHttpUrl)
    .flatMap((url) => {
      const [beforeQuery = '', query = ''] = url.split('#')[0]?.split('?') ?? []
      const values = query.split('&').map((pair) => pair.slice(pair.indexOf('=') + 1))
      const path = beforeQuery.replace(/^https?:\/\/[^/]*/i, '').split('/').filter((segment) => segment.length >= 12 || (segment.length >= 5 && /\d/.test(segment)))
      const userinfo = USERINFO.exec(url)?.[1]
      return [...values, ...path, ...[...values, ...path].map(safeDecode), ...(userinfo ? [userinfo, ...userinfo.split(':')] : [])]
    })

const safeDecode = (text: string): string => {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/** Fails on the first option that is not among `known` (nor `name`), naming the one it likely meant or those there are. */
const refuseUnknown = (known: readonly string[] | undefined, options: object, fail: (option: string, message: string) => never): void => {
  if (!known) return
  const names = [...known, 'name']
  const unknown = firstUnknownOption(options, names)
  if (unknown !== undefined) fail(unknown, unknownOptionMessage(unknown, names))
}

/**
 * Turns a definition into a provider factory. This is how every built-in
 * adapter is made, and how to add a backend idstitch does not ship.
 *
 * @example
 * const acme = defineProvider<{ token: string }, { id: string }>({
 *   name: 'acme',
 *   configure: (options, fail) => ({ token: requireString(fail, 'token', options.token) }),
 *   secrets: (config) => [config.token],
 *   prepare: (event) => ({ type: 'item', item: { id: event.userId } }),
 *   request: ([item], config) => ({ method: 'POST', url: 'https://acme.test/identify', headers: { authorization: `Bearer ${config.token}` }, body: item }),
 * })
 * createClient({ providers: [acme({ token: process.env.ACME_TOKEN! })] })
 */
// Pure (it only returns a factory): a bundler may drop every adapter an app does not import.
/* @__NO_SIDE_EFFECTS__ */
export const defineProvider = <Options, Item, Config = Options>(
  definition: ProviderDefinition<Options, Config, Item>,
): ((options: Options & CommonProviderOptions) => Provider<Item>) => {
  return (options) => {
    if (typeof options !== 'object' || options === null) {
      throw new ConfigError('options', 'must be an object', { provider: definition.name })
    }
    const name = options.name ?? definition.name
    if (typeof name !== 'string' || !/^[\w.-]{1,64}$/.test(name)) {
      throw new ConfigError('name', 'must be 1 to 64 letters, digits, `_`, `.` or `-`', { provider: definition.name })
    }
    const fail = (option: string, message: string): never => {
      throw new ConfigError(option, message, { provider: name })
    }
    refuseUnknown(definition.options, options, fail)
    const config = definition.configure(options, fail)
    const redactConfigured = createRedact([...(definition.secrets?.(config) ?? []), ...urlSecrets(options)])
    const redact = definition.redact ? (text: string) => redactConfigured((definition.redact as NonNullable<typeof definition.redact>)(text, config)) : redactConfigured
    const batch = definition.batch?.(config)
    const rateLimit = definition.rateLimit?.(config)
    const parse = definition.parse ?? defaultParse
    return {
      name,
      kind: definition.name,
      prepare: (event) => definition.prepare(event, config),
      request: (items) => definition.request(items, config),
      parse: definition.answersJson
        ? (response, step, request) => webPageInstead(response) ?? parse(response, config, step, request)
        : (response, step, request) => parse(response, config, step, request),
      ...(batch ? { batch } : {}),
      ...(rateLimit ? { rateLimit } : {}),
      ...(definition.traitsOnce ? { traitsOnce: true } : {}),
      redact,
    }
  }
}

/**
 * The anonymous id a provider of `kind` sends: the tool's own id from
 * `anonymousIds` when there is one, else the visitor id (`anonymousId`). With
 * `format`, the tool's own id must match it, or it is an issue at
 * `anonymousIds.<kind>` (the visitor id is a UUID already).
 *
 * @example
 * const { id, issue } = anonymousIdFor(event, 'pathbound', { test: isUuid, rule: 'must be a UUID' })
 */
export const anonymousIdFor = (
  event: IdentifyEvent,
  kind: string,
  format?: { test(id: string): boolean; rule: string },
): { id: string | undefined; issue?: FieldIssue } => {
  const ids = event.anonymousIds
  const own = ids && Object.hasOwn(ids, kind) ? ids[kind] : undefined
  if (own === undefined) return { id: event.anonymousId }
  if (format && !format.test(own)) return { id: undefined, issue: { path: `anonymousIds.${kind}`, message: format.rule } }
  return { id: own }
}
