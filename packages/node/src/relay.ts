import { LINKED_COOKIE, RELAY_BODY_FIELDS, isUuid, type RelayBody } from '@idstitch/core/cookies'
import { checkRelayOptions, identityTraitOf, isIdentityTrait, isPlainObject, namesOf } from '@idstitch/core/internal'
import type { Consent, IdentifyMessage, IdstitchError } from '@idstitch/core'
import { serialize } from 'cookie'
import { steadyNow } from './clock.js'
import type { IdstitchClient } from './client.js'
import { isBotRequest } from './bots.js'
import { clientIpOf } from './client-ip.js'
import { getAnonymousIds, linkedIdsOf, valuesOf } from './cookies.js'
import { gpcConsent } from './gpc.js'
import { createRateLimiter, type RateLimiter } from './rate-limit.js'
import { SKIP_REASONS, type ProviderResult } from './results.js'
import { socketAddressOf } from './socket-address.js'

/**
 * The logged-in user as `authenticate` may describe them: the id, plus what
 * only the server knows, added to the identify the browser asked for.
 */
export interface RelayIdentity {
  userId: string
  /**
   * Traits the server vouches for (an email from the session, a plan). They
   * win over the browser's traits under every name a provider knows them by
   * (`email` also replaces a browser's `user_email`).
   */
  traits?: Record<string, unknown>
  /**
   * Context that only the server has (user agent, IP, page, `source`), for the
   * providers that take one: Segment and Thrivestack forward it to their
   * backend, so it is no place for secrets. Never read from the browser,
   * never echoed back to it.
   */
  context?: Record<string, unknown>
}

/**
 * What the relay hands each identify to: an {@link IdstitchClient}, which
 * delivers it, or `@idstitch/queue`'s queue, which enqueues it for workers.
 */
export interface IdentifyTarget {
  identify(message: IdentifyMessage): Promise<{ ok: boolean; results: readonly { provider: string; status: string; reason?: string | undefined; error?: IdstitchError | undefined }[] }>
}

/** Options of {@link createIdentifyHandler}. */
export interface IdentifyHandlerOptions {
  /** The client that delivers to the providers (or a `@idstitch/queue` queue, which enqueues for workers). */
  client: IdentifyTarget
  /**
   * Finds the logged-in user from the request's session (cookie, JWT, …): their
   * id, or a {@link RelayIdentity} that adds server-side traits and context;
   * `null`/`undefined` when there is none. This, never the body alone, is the
   * user id sent to providers. Behind Express, `getNodeRequest(request)` (from
   * `@idstitch/node/node-http`) is Express's own request, with the session its
   * middleware found (`req.session`, `req.user`), and `getNodeResponse(request)`
   * its response, for a session library that takes both (next-auth v4's
   * `getServerSession(req, res, authOptions)`).
   */
  authenticate: (request: Request) => string | RelayIdentity | null | undefined | Promise<string | RelayIdentity | null | undefined>
  /** Origins allowed besides the request's own, like `'https://www.example.com'`. */
  allowedOrigins?: readonly string[]
  /**
   * The traits a browser may send. Default: any, except the ones that say who
   * the user is (`email`, `phone`, `name`, `firstName`, `lastName` and their
   * aliases such as `user_email`), which only `authenticate()` may vouch for:
   * a browser could otherwise attach another person's email to this user.
   * A list allows exactly those names. A refused trait is a 400 `forbidden_trait`.
   */
  browserTraits?: readonly string[]
  /**
   * Identifies relayed per user, so that one browser cannot spend the app's
   * provider quotas (Pathbound allows 100 requests per 15 minutes per key).
   * Default 5 per minute; past it, 429 with `Retry-After`, forwarding nothing.
   * A call also joins the linked visitor ids its cookie holds (at most
   * `MAX_LINKED_IDS`, five). `false` for none.
   */
  throttle?: { limit: number; windowMs: number } | false
  /**
   * Behind a proxy: take the origin the browser used from `X-Forwarded-Proto`
   * (`http` or `https`) and `X-Forwarded-Host` (or `Host`), instead of the
   * request URL, and the browser's address (`clientIp`) from
   * `X-Forwarded-For`. Behind more than one proxy of yours (a CDN in front of a
   * load balancer), how many, as `getClientIp()` counts them. Set it only when
   * proxies you run set those headers. Without it, forwarded headers are ignored.
   */
  trustProxy?: boolean | number
  /**
   * Puts the browser's address in the identify's `context.ip`, as the
   * provider's own browser SDK reaches it with: the providers that place users
   * by address (Mixpanel, Amplitude, GA4, Segment) locate them there, never at
   * the server. The connection's address (`toNodeHandler()` knows it; a Fetch
   * `Request` alone carries none), or with `trustProxy` the one your proxy saw
   * (`X-Forwarded-For`, `X-Real-IP`). A `context.ip` from `authenticate()`
   * wins. Default `true`; `false` sends none.
   */
  clientIp?: boolean
  /**
   * Honour Global Privacy Control: a request with `Sec-GPC: 1` identifies with no ad signals
   * (`consent: { adUserData: false, adPersonalization: false }`; analytics goes on). Default `false`.
   */
  respectGpc?: boolean
  /**
   * The domain the tracker's cookies live on (`'example.com'`, the tracker's `cookieDomain`; what you pass
   * `loginCookies()` as `domain`). Once every linked visitor id of a call is delivered (or queued), the relay
   * deletes the linked-ids cookie, host-only and on this domain: a cookie is only deleted with the domain it
   * was written with. Default: host-only.
   */
  cookieDomain?: string
  /** The largest body accepted. Default 64 KB. */
  maxBodyBytes?: number
  /** How long the body may take to arrive. Default 10,000 ms; past it, 408. */
  bodyTimeoutMs?: number
}

/**
 * The JSON the handler answers a relayed identify with: per provider, its
 * status and, when it failed, a stable code. Nothing a provider answered
 * comes back to the browser; details go to the client's `onError` and logger.
 */
export interface RelayResponseBody {
  ok: boolean
  /**
   * `status` is a `ProviderResult`'s (`'queued'` when the relay's client is a `@idstitch/queue` queue); `reason` only
   * when idstitch skipped it (`duplicate`, `no_consent`, a dry run), never an adapter's own words.
   */
  results: { provider: string; status: ProviderResult['status']; reason?: string; error?: { code: IdstitchError['code'] } }[]
}

/** Why the relay refused a request, as its answer's `error.code` says. */
export type RelayErrorCode =
  | 'method_not_allowed'
  | 'forbidden_origin'
  | 'unsupported_media_type'
  | 'body_too_large'
  | 'body_timeout'
  | 'invalid_json'
  | 'invalid_body'
  | 'user_mismatch'
  | 'forbidden_trait'
  | 'unauthenticated'
  | 'too_many_requests'
  /** The request's `User-Agent` is a crawler's, a monitor's or a link-preview fetcher's (`isbot`): no identify comes from a bot. */
  | 'bot'
  /** The app's `authenticate()` threw, or returned neither a user id nor `{ userId }`. */
  | 'authenticate_failed'
  /** idstitch itself failed: a bug to report. */
  | 'internal_error'
  /** (`toNodeHandler`) the request's `Host` header and target make no URL a `Request` takes. */
  | 'invalid_request'

type Refusal = { status: number; code: RelayErrorCode; message: string; headers?: Record<string, string> }

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers } })

const refuse = ({ status, code, message, headers }: Refusal): Response => json(status, { error: { code, message } }, headers)

const isRefusal = (value: unknown): value is Refusal => typeof value === 'object' && value !== null && 'status' in value && 'code' in value

const ALLOWED_FIELDS: ReadonlySet<string> = new Set(RELAY_BODY_FIELDS)
/**
 * A field of the relay's body, as a refusal may name it: `anonymousId`, `traits.plan`. Never `userId`: the
 * session's, from `authenticate()`, which the browser did not send and cannot mend.
 */
const BODY_PATH = /^(?:anonymousId|traits(?:Once)?(?:\.[\w$-]{1,64})?)$/
/** The skip reasons the browser may see: idstitch's own. An adapter's words stay on the server (they may quote the app's data). */
const OWN_REASONS: ReadonlySet<string> = new Set(Object.values(SKIP_REASONS))
/** Users whose throttle is remembered at once; the one seen least lately is forgotten past it. */
const MAX_THROTTLED_USERS = 10_000

/** The first value of a comma-separated header. */
const firstOf = (value: string | null): string | undefined => value?.split(',')[0]?.trim() || undefined

/**
 * The origin the request was made to, as a browser's `Origin` names it; `undefined` when it is not http(s) (then
 * nothing is same-origin). A forwarded host with the scheme's default port (nginx's common `proxy_set_header
 * X-Forwarded-Host $host:$server_port`) names the origin without it, as `Origin` does. Compared as text, never
 * parsed: a URL parser would read a forwarded `app.example.com@evil.test` as evil.test's origin.
 */
const ownOrigin = (request: Request, trustProxy: boolean): string | undefined => {
  const url = new URL(request.url)
  let scheme = url.protocol.slice(0, -1)
  let host = url.host
  if (trustProxy) {
    const proto = firstOf(request.headers.get('x-forwarded-proto'))
    if (proto === 'http' || proto === 'https') scheme = proto
    host = firstOf(request.headers.get('x-forwarded-host')) ?? request.headers.get('host') ?? host
  }
  if (scheme !== 'http' && scheme !== 'https') return undefined
  return `${scheme}://${host}`.toLowerCase().replace(scheme === 'https' ? /:443$/ : /:80$/, '')
}

/**
 * Reads at most `limit` bytes of the body within `timeoutMs`: the text, `'too_large'`, `'timeout'`, or `'cut'`
 * when the stream failed before its end (the browser went away mid-upload: its request, not the relay, failed).
 */
const readBody = async (request: Request, limit: number, timeoutMs: number): Promise<string | 'too_large' | 'timeout' | 'cut'> => {
  if (!request.body) return ''
  const reader = request.body.getReader()
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs)
  })
  const read = async (): Promise<string | 'too_large' | 'cut'> => {
    const chunks: Uint8Array[] = []
    let size = 0
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        size += value.byteLength
        if (size > limit) return 'too_large'
        chunks.push(value)
      }
    } catch {
      return 'cut'
    }
    const bytes = new Uint8Array(size)
    let offset = 0
    for (const chunk of chunks) {
      bytes.set(chunk, offset)
      offset += chunk.byteLength
    }
    return new TextDecoder().decode(bytes)
  }
  try {
    const outcome = await Promise.race([read(), late])
    if (outcome === 'too_large' || outcome === 'timeout') void reader.cancel().catch(() => {})
    return outcome
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Per-user sliding windows, at most {@link MAX_THROTTLED_USERS} of them, the user seen least lately forgotten
 * first: a Map keeps insertion order, and each user seen is inserted again. Forgetting the first inserted freed a
 * user still relaying past their limit once 10,000 others had come since.
 */
const createThrottle = (limit: { limit: number; windowMs: number }) => {
  const users = new Map<string, RateLimiter>()
  /** Milliseconds until `userId` may relay again; 0 records this one and lets it through. */
  return (userId: string, now: number): number => {
    let limiter = users.get(userId)
    if (limiter) users.delete(userId)
    else if (users.size >= MAX_THROTTLED_USERS) users.delete(users.keys().next().value as string)
    users.set(userId, (limiter ??= createRateLimiter(limit)))
    const wait = limiter.wait(now)
    if (wait === 0) limiter.record(now)
    return wait
  }
}

/** The relay's options, checked and resolved once. */
interface RelaySettings {
  options: IdentifyHandlerOptions
  maxBodyBytes: number
  bodyTimeoutMs: number
  /** How many proxies of the app's are in front (0: none). */
  trustProxy: number
  clientIp: boolean
  respectGpc: boolean
  allowedOrigins: ReadonlySet<string>
  browserTraits: ReadonlySet<string> | undefined
  throttle: ((userId: string, now: number) => number) | undefined
  tooLarge: Refusal
  /** The `Set-Cookie` values that delete the linked-ids cookie. */
  clearLinked: string[]
}

/** Throws a `ConfigError` naming the first option at fault. */
const settingsOf = (options: IdentifyHandlerOptions): RelaySettings => {
  const checked = checkRelayOptions(options)
  return {
    ...checked,
    options,
    allowedOrigins: new Set(checked.allowedOrigins),
    browserTraits: checked.browserTraits ? new Set(checked.browserTraits) : undefined,
    throttle: checked.throttle === false ? undefined : createThrottle(checked.throttle),
    tooLarge: { status: 413, code: 'body_too_large', message: `the body must be at most ${checked.maxBodyBytes} bytes` },
    clearLinked: clearingCookies(LINKED_COOKIE, checked.cookieDomain),
  }
}

/**
 * `Set-Cookie` values that delete cookie `name` at `path=/`, host-only and on `domain`. Never `Secure`: a deletion
 * marked `Secure` is refused on plain http, and one without it deletes a `Secure` cookie from an https page.
 */
const clearingCookies = (name: string, domain: string | undefined): string[] => {
  const gone = { path: '/', sameSite: 'lax', maxAge: 0, expires: new Date(0) } as const
  return [serialize(name, '', gone), ...(domain ? [serialize(name, '', { ...gone, domain })] : [])]
}

/** The CORS headers for a request from one of `allowedOrigins` (the browser reads no answer without them); none otherwise. */
const corsOf = (settings: RelaySettings, request: Request): Record<string, string> => {
  const origin = request.headers.get('origin')
  return origin !== null && settings.allowedOrigins.has(origin.toLowerCase()) ? { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true', vary: 'Origin' } : {}
}

/** A preflight from an allowed origin: which method and header the relay takes. Any other origin is refused. */
const preflight = (cors: Record<string, string>): Response =>
  Object.keys(cors).length > 0
    ? new Response(null, { status: 204, headers: { ...cors, 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'content-type', 'access-control-max-age': '600' } })
    : refuse({ status: 403, code: 'forbidden_origin', message: 'this origin may not call the relay' })

/** Method, origin, content type and declared length: refused before anything else runs. */
const checkRequest = (settings: RelaySettings, request: Request): Refusal | undefined => {
  if (request.method !== 'POST') return { status: 405, code: 'method_not_allowed', message: 'use POST', headers: { allow: 'POST, OPTIONS' } }
  const origin = request.headers.get('origin')?.toLowerCase() ?? null
  const sameOrigin = origin !== null && origin === ownOrigin(request, settings.trustProxy > 0)
  if (!sameOrigin && !(origin !== null && settings.allowedOrigins.has(origin))) {
    return { status: 403, code: 'forbidden_origin', message: origin === null ? 'the request has no Origin header' : `origin ${origin} is not allowed` }
  }
  if (!/^application\/json\b/i.test(request.headers.get('content-type') ?? '')) {
    return { status: 415, code: 'unsupported_media_type', message: 'the body must be application/json' }
  }
  if (Number(request.headers.get('content-length') ?? 0) > settings.maxBodyBytes) return settings.tooLarge
  if (isBotRequest(request)) return { status: 403, code: 'bot', message: 'identify calls from crawlers and other bots are refused' }
  return undefined
}

/** The session's user, from the app's `authenticate()`. */
const identityOf = async (authenticate: IdentifyHandlerOptions['authenticate'], request: Request): Promise<RelayIdentity | Refusal> => {
  let found: Awaited<ReturnType<IdentifyHandlerOptions['authenticate']>>
  try {
    found = await authenticate(request)
  } catch {
    // The app's session lookup failed (a store down): its words stay on the server.
    return { status: 500, code: 'authenticate_failed', message: 'authenticate() threw' }
  }
  if (found === null || found === undefined || found === '') return { status: 401, code: 'unauthenticated', message: 'no session: log in first' }
  const identity: RelayIdentity = typeof found === 'string' ? { userId: found } : found
  // A bug in the app's authenticate(), not the browser's fault.
  if (typeof identity.userId !== 'string' || identity.userId === '') {
    return { status: 500, code: 'authenticate_failed', message: 'authenticate() returned neither a user id nor { userId }' }
  }
  for (const field of ['traits', 'context'] as const) {
    if (identity[field] !== undefined && !isPlainObject(identity[field])) {
      return { status: 500, code: 'authenticate_failed', message: `authenticate() returned ${field} that is not an object` }
    }
  }
  return identity
}

/** The throttle's verdict for this user. */
const checkThrottle = (settings: RelaySettings, userId: string): Refusal | undefined => {
  const wait = settings.throttle?.(userId, steadyNow()) ?? 0
  if (wait === 0) return undefined
  const seconds = Math.max(1, Math.ceil(wait / 1000))
  return { status: 429, code: 'too_many_requests', message: `too many identifies for this user; retry in ${seconds} s`, headers: { 'retry-after': String(seconds) } }
}

/** The body's text, read within limits, as JSON. */
const jsonOf = async (settings: RelaySettings, request: Request): Promise<{ body: unknown } | Refusal> => {
  // The app's doing (Hono's c.req.json() or a validator before the relay): said so, not left to fail as a bug of ours.
  if (request.bodyUsed) return { status: 500, code: 'internal_error', message: 'the request body was read before the relay: hand it the request unread' }
  const text = await readBody(request, settings.maxBodyBytes, settings.bodyTimeoutMs)
  if (text === 'too_large') return settings.tooLarge
  if (text === 'timeout') return { status: 408, code: 'body_timeout', message: `the body did not arrive within ${settings.bodyTimeoutMs} ms` }
  if (text === 'cut') return { status: 400, code: 'invalid_body', message: 'the body ended before it was whole' }
  try {
    return { body: JSON.parse(text) }
  } catch {
    return { status: 400, code: 'invalid_json', message: 'the body is not valid JSON' }
  }
}

/** The body, read within limits and checked field by field. */
const bodyOf = async (settings: RelaySettings, request: Request, userId: string): Promise<RelayBody | Refusal> => {
  const read = await jsonOf(settings, request)
  if (isRefusal(read)) return read
  const { body } = read
  if (!isPlainObject(body)) return { status: 400, code: 'invalid_body', message: 'the body must be a JSON object' }
  const unknown = Object.keys(body).find((key) => !ALLOWED_FIELDS.has(key))
  if (unknown !== undefined) return { status: 400, code: 'invalid_body', message: `unknown field ${unknown}; send anonymousId, userId, traits and traitsOnce` }
  const { anonymousId, userId: claimed, traits, traitsOnce } = body as RelayBody
  if (claimed !== undefined && claimed !== userId) return { status: 403, code: 'user_mismatch', message: "userId is not the logged-in user's" }
  if (anonymousId != null && !isUuid(anonymousId)) return { status: 400, code: 'invalid_body', message: 'anonymousId must be a UUID' }
  for (const [field, value] of [['traits', traits], ['traitsOnce', traitsOnce]] as const) {
    if (value !== undefined && !isPlainObject(value)) return { status: 400, code: 'invalid_body', message: `${field} must be an object` }
  }
  return { anonymousId, traits, ...(traitsOnce ? { traitsOnce } : {}) }
}

/** The browser's traits it may set, under the server's: a vouched trait wins under each of its names. */
const traitsOf = (browserTraits: RelaySettings['browserTraits'], browser: Record<string, unknown> | undefined, vouched: Record<string, unknown> | undefined, field = 'traits'): Record<string, unknown> | Refusal | undefined => {
  // Identity traits in any provider's spelling and any case (`$email`, `Email`, `emailAddress`): core's one list.
  const forbidden = Object.keys(browser ?? {}).find((name) => (browserTraits ? !browserTraits.has(name) : isIdentityTrait(name)))
  if (forbidden !== undefined) {
    return { status: 400, code: 'forbidden_trait', message: `${field}.${forbidden} may not come from the browser; vouch for it in authenticate(), or list it in browserTraits` }
  }
  if (!vouched) return browser
  const merged: Record<string, unknown> = { ...browser }
  for (const name of Object.keys(vouched).flatMap(namesOf)) delete merged[name]
  // A vouched identity trait also replaces the browser's under any other spelling of it (`email` replaces `$email`).
  const vouchedIdentities = new Set(Object.keys(vouched).map(identityTraitOf))
  vouchedIdentities.delete(undefined)
  for (const name of Object.keys(merged)) if (vouchedIdentities.has(identityTraitOf(name))) delete merged[name]
  return { ...merged, ...vouched }
}

/**
 * What the browser is told: each provider's status and error code, never a message written by a provider, an
 * adapter or the app (an adapter's or a body builder's error can hold anything: a database URL, a token). A
 * message every provider refused is a 400 naming the field at fault when it is one of the body's.
 */
const answer = (result: Awaited<ReturnType<IdentifyTarget['identify']>>): Response => {
  const first = result.results[0]?.error
  if (result.results.every((entry) => entry.status === 'invalid') && first && 'issues' in first) {
    const path = (first as { issues: { path?: unknown }[] }).issues[0]?.path
    const field = typeof path === 'string' && BODY_PATH.test(path) ? path : undefined
    return refuse({ status: 400, code: 'invalid_body', message: field ? `${field} is invalid` : 'the identify is invalid (the server logs why)' })
  }
  const body: RelayResponseBody = {
    ok: result.ok,
    results: result.results.map(({ provider, status, reason, error }) => ({
      provider,
      status: status as RelayResponseBody['results'][number]['status'],
      ...(reason && OWN_REASONS.has(reason) ? { reason } : {}),
      ...(error ? { error: { code: error.code } } : {}),
    })),
  }
  return json(200, body)
}

/**
 * The identify's context: `authenticate()`'s, with the browser's address as `ip` (with `clientIp`, when it is
 * known and `authenticate()` gave no `ip` key of its own).
 */
const contextOf = (settings: RelaySettings, request: Request, vouched: Record<string, unknown> | undefined): { context?: Record<string, unknown> } => {
  const own = settings.clientIp && !(vouched && 'ip' in vouched)
  const ip = own ? clientIpOf({ headers: request.headers, socket: { remoteAddress: socketAddressOf(request) } }, settings.trustProxy) : undefined
  if (ip !== undefined) return { context: { ...vouched, ip } }
  return vouched ? { context: vouched } : {}
}

/** The consent the request's `Sec-GPC: 1` gives, with `respectGpc`. */
const consentOf = (settings: RelaySettings, request: Request): { consent?: Consent } => {
  const consent = settings.respectGpc ? gpcConsent(request) : undefined
  return consent ? { consent } : {}
}

/** The relay's answer to `request`, before CORS: each check in turn, then the identify. */
const handle = async (settings: RelaySettings, request: Request): Promise<Response> => {
  const refused = checkRequest(settings, request)
  if (refused) return refuse(refused)
  const identity = await identityOf(settings.options.authenticate, request)
  if (isRefusal(identity)) return refuse(identity)
  const throttled = checkThrottle(settings, identity.userId)
  if (throttled) return refuse(throttled)
  const body = await bodyOf(settings, request, identity.userId)
  if (isRefusal(body)) return refuse(body)
  const traits = traitsOf(settings.browserTraits, body.traits, identity.traits)
  if (isRefusal(traits)) return refuse(traits)
  // First-touch traits from the browser follow the same rules: no identity trait unless browserTraits lists it.
  const traitsOnce = traitsOf(settings.browserTraits, body.traitsOnce, undefined, 'traitsOnce')
  if (isRefusal(traitsOnce)) return refuse(traitsOnce)
  const { client } = settings.options
  const consent = consentOf(settings, request)
  const [result, ...linked] = await Promise.all([
    client.identify({
      userId: identity.userId,
      anonymousId: body.anonymousId,
      // Each tool's own id comes from the cookies the request carries, never from the body.
      anonymousIds: getAnonymousIds(request),
      traits,
      ...(traitsOnce ? { traitsOnce } : {}),
      ...contextOf(settings, request, identity.context),
      ...consent,
    }),
    // Visitor ids cross-domain links brought beside this one join the user too; their errors go to the app's onError, not to the browser.
    ...linkedIdsOf(request, body.anonymousId ?? undefined).map((anonymousId) => client.identify({ userId: identity.userId, anonymousId, ...consent })),
  ])
  return withLinkedCleared(settings, request, answer(result), linked)
}

/**
 * `response`, deleting the linked-ids cookie once its ids are joined: every linked identify delivered or queued
 * (one that failed stays in the cookie, for the next call or the login to join). Left there, each later call
 * would join the same ids again.
 */
const withLinkedCleared = (settings: RelaySettings, request: Request, response: Response, linked: readonly { ok: boolean }[]): Response => {
  if (valuesOf(request, LINKED_COOKIE).length === 0 || !linked.every((result) => result.ok)) return response
  for (const cookie of settings.clearLinked) response.headers.append('set-cookie', cookie)
  return response
}

/**
 * The relay endpoint for the tracker's `identify()`: a Web-standard
 * `(request: Request) => Promise<Response>`, usable as a Next.js route
 * handler, in Hono or in a Worker (and in Express or `node:http` through
 * `toNodeHandler`).
 *
 * Everything from the browser is checked: it accepts only same-origin (or
 * allowed-origin) JSON POSTs of at most `maxBodyBytes`, takes the user id from
 * `authenticate(request)`, throttles each user, and identifies with the body's
 * `anonymousId` and the traits a browser may set. It answers 405 for other
 * methods, 403 for a foreign origin or a body `userId` that is not the
 * session's, 415 for a body that is not JSON, 413 past the size limit, 408
 * for a body that does not arrive in time, 401 without a session, 429 past
 * the throttle, 400 for malformed JSON, invalid fields, a trait a browser
 * may not set or a body cut off before its end, and 200 with each provider's status. Nothing refused reaches a
 * provider, and nothing a provider answered reaches the browser.
 *
 * Throws a `ConfigError` naming the option at fault (`allowedOrigins[0]`, `throttle.limit`) for options
 * that are not what they should be: an origin with a path or without its scheme would never match a browser's.
 *
 * @example
 * // app/api/identify/route.ts (Next.js)
 * export const POST = createIdentifyHandler({ client: idstitch, authenticate: async (request) => (await getSession(request))?.userId })
 */
export const createIdentifyHandler = (options: IdentifyHandlerOptions): ((request: Request) => Promise<Response>) => {
  const settings = settingsOf(options)
  return async (request) => {
    const cors = corsOf(settings, request)
    if (request.method === 'OPTIONS') return preflight(cors)
    let response: Response
    try {
      response = await handle(settings, request)
    } catch {
      // A failure of idstitch's own (authenticate()'s is authenticate_failed, a cut-off body a 400): answer, never crash the app.
      response = refuse({ status: 500, code: 'internal_error', message: 'the identify relay failed' })
    }
    for (const [name, value] of Object.entries(cors)) response.headers.set(name, value)
    return response
  }
}
