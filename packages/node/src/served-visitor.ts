import { LINK_PARAM, LINKED_COOKIE, MAX_LINKED_IDS, SERVED_COOKIE, browserOf, linkedVisitor } from '@idstitch/core/cookies'
import { serialize } from 'cookie'
import { appendCookies, type HeaderWriter } from './append-cookies.js'
import { isBotRequest } from './bots.js'
import { attributes, checked, getContactId, getVisitorId, linkedIdsOf, plainOptions, settingsOf, valuesOf, type CookieSource, type CookieToSet, type SetCookieOptions } from './cookies.js'
import { headerValues } from './request-headers.js'

/** Options of {@link visitorCookies}, {@link withVisitorCookie} and {@link visitorMiddleware}. */
export interface VisitorCookiesOptions extends SetCookieOptions {
  /**
   * How long a refresh lasts: a page response after it sets the visitor cookie again, with a fresh expiry;
   * one within it sets nothing, so the page stays cacheable. Default one day (86,400,000 ms); at least 1,000.
   */
  refreshAfterMs?: number
}

/** What {@link visitorCookies} decided for one request. */
export interface VisitorCookies {
  /** The visitor id the browser holds after this response; `undefined` for a bot, or a request without one that is no page view. */
  visitorId: string | undefined
  /** True when this response starts the visitor (it had no valid visitor cookie). */
  minted: boolean
  /** True when the user agent is a crawler, an uptime check or a link-preview fetcher (`isbot`): it gets no cookie. */
  bot: boolean
  /**
   * The visitor id a cross-domain link brought (`?_isl=`, made by the linker on another of your domains for
   * this same browser, at most two minutes ago): adopted when the browser had no visitor id here, remembered
   * beside its own otherwise (`loginCookies().linkedIds`), for the login to join both histories.
   */
  linkedId?: string
  /** The `Set-Cookie` values to send; empty when nothing needs setting (the response stays cacheable). */
  setCookie: string[]
  /** The same cookies as name, value and attributes, for a framework's cookie API. */
  cookies: CookieToSet[]
}

/** A request with headers, and perhaps a method: Node's `IncomingMessage` or a Fetch `Request`. */
export type PageRequest = Exclude<CookieSource, string | null | undefined> & { method?: string }

/** A request for a page (a navigation), not an asset, an API call or a fetch of data. */
const isPageView = (request: PageRequest): boolean => {
  if (request.method !== undefined && request.method !== 'GET' && request.method !== 'HEAD') return false
  const dest = headerValues(request, 'sec-fetch-dest')[0]
  if (dest !== undefined) return dest === 'document'
  return headerValues(request, 'accept').some((accept) => accept.includes('text/html'))
}

/** The visitor cookie with a fresh expiry, and the mark of the refresh, for `refreshAfterMs`. */
const refreshed = (visitorId: string, minted: boolean, options: VisitorCookiesOptions): VisitorCookies => {
  const visitor = attributes(options)
  const served = { ...visitor, maxAge: Math.max(1, Math.round((Number(options.refreshAfterMs) || 86_400_000) / 1000)) }
  const name = settingsOf(options).visitorCookie
  return {
    visitorId,
    minted,
    bot: false,
    setCookie: [serialize(name, visitorId, visitor), serialize(SERVED_COOKIE, '1', served)],
    cookies: [
      { name, value: visitorId, options: plainOptions(visitor) },
      { name: SERVED_COOKIE, value: '1', options: plainOptions(served) },
    ],
  }
}

/**
 * The URL's query, from a Fetch `Request` (absolute) or Node's `IncomingMessage` (a path): the text after the first
 * `?`, never parsed as a URL. Node's server hands on any request target a client sends, and `//[` or `//a%20b` is no
 * URL: `new URL()` threw on it, out of a page view and, in a bare `node:http` handler, out of the process.
 */
const queryOf = (request: PageRequest): URLSearchParams => {
  const url = (request as { url?: unknown }).url
  const start = typeof url === 'string' ? url.indexOf('?') : -1
  if (typeof url !== 'string' || start === -1) return new URLSearchParams()
  const end = url.indexOf('#', start)
  return new URLSearchParams(url.slice(start + 1, end === -1 ? undefined : end))
}

/** The visitor id a decorated link brings, by the linker's rules; none while someone is logged in here (the visitor is theirs). */
const linkedOf = (request: PageRequest, options: VisitorCookiesOptions): string | undefined => {
  const value = queryOf(request).get(LINK_PARAM)
  if (value === null || getContactId(request, options) !== undefined) return undefined
  const browser = browserOf(headerValues(request, 'user-agent')[0], headerValues(request, 'accept-language')[0])
  return linkedVisitor(value, Date.now(), browser)
}

/** `decided` with `linked` remembered beside the browser's own visitor id (up to MAX_LINKED_IDS, in the linked-ids cookie). */
const remembering = (decided: VisitorCookies, request: PageRequest, linked: string, options: VisitorCookiesOptions): VisitorCookies => {
  const value = [...linkedIdsOf(request, linked), linked].slice(-MAX_LINKED_IDS).join(' ')
  const visitor = attributes(options)
  return {
    ...decided,
    linkedId: linked,
    setCookie: [...decided.setCookie, serialize(LINKED_COOKIE, value, visitor)],
    cookies: [...decided.cookies, { name: LINKED_COOKIE, value, options: plainOptions(visitor) }],
  }
}

/**
 * What a page response from the site's own server sets: the visitor cookie when the browser has none (a new
 * visitor id), or when the last refresh is over `refreshAfterMs` (a day) old (the same id, a fresh
 * expiry), with a small companion cookie that marks the refresh (`idstitch_visitor_served`; while it is
 * there, the tracker does not write the visitor cookie from script). Nothing for a bot (`isbot`), a request
 * that is no page view (an asset, an API call), or a visitor refreshed within the day: those responses stay
 * cacheable. A cross-domain link (`?_isl=`, see `@idstitch/tracker/linker`) made for this browser within two
 * minutes brings its visitor id: adopted when the browser has none here, remembered beside its own otherwise.
 *
 * Safari caps cookies written by scripts at 7 days; a cookie set in an HTTP response by the site's own
 * server keeps its lifetime, provided that server is first-party (the site's domain and IP range, not a
 * CNAME to another company's host).
 *
 * @example
 * const visitor = visitorCookies(request, { domain: 'example.com' })
 * for (const value of visitor.setCookie) response.headers.append('Set-Cookie', value)
 */
export const visitorCookies = (request: PageRequest, options: VisitorCookiesOptions = {}): VisitorCookies => decide(request, checked(options) ?? {})

/** {@link visitorCookies} for options already checked. */
const decide = (request: PageRequest, options: VisitorCookiesOptions): VisitorCookies => {
  const bot = isBotRequest(request)
  const current = bot ? undefined : getVisitorId(request, options)
  const unchanged: VisitorCookies = { visitorId: current, minted: false, bot, setCookie: [], cookies: [] }
  if (bot || !isPageView(request)) return unchanged
  const linked = linkedOf(request, options)
  if (current === undefined) return linked ? { ...refreshed(linked, true, options), linkedId: linked } : refreshed(crypto.randomUUID(), true, options)
  const decided = valuesOf(request, SERVED_COOKIE).length > 0 ? unchanged : refreshed(current, false, options)
  return linked && linked !== current ? remembering(decided, request, linked, options) : decided
}

/**
 * The `Cache-Control` for a response that sets the visitor cookie, from the one it has: `private`, so that no
 * shared cache (a CDN, a caching proxy) stores it and hands one visitor's id to everyone; the response's other
 * directives (`max-age`, `no-store`, …) stay, `public` and `s-maxage` go. {@link withVisitorCookie},
 * {@link visitorMiddleware} and `@idstitch/next`'s proxy set it; use it where you send {@link visitorCookies}'
 * `setCookie` yourself.
 *
 * @example
 * privateCacheControl('public, max-age=60, s-maxage=600') // 'private, max-age=60'
 * privateCacheControl(undefined) // 'private'
 */
export const privateCacheControl = (cacheControl?: string | null): string =>
  ['private', ...(cacheControl ?? '').split(',').map((part) => part.trim()).filter((part) => part !== '' && !/^(public|private|s-maxage=.*)$/i.test(part))].join(', ')

/**
 * The response with the visitor cookie {@link visitorCookies} decides on, for Hono, Workers and any Fetch-API
 * server: a copy with the `Set-Cookie` headers added to an HTML response that needs them, and
 * `Cache-Control: private` (a CDN must not hand one visitor's id to everyone); the response itself otherwise.
 * A Next.js proxy's `NextResponse.next()` is no HTML response yet: `@idstitch/next`'s `idstitchProxy()` is for it.
 *
 * @example
 * // Hono
 * app.use(async (c, next) => {
 *   await next()
 *   c.res = withVisitorCookie(c.req.raw, c.res)
 * })
 */
export const withVisitorCookie = (request: Request, response: Response, options?: VisitorCookiesOptions): Response => {
  if (!(response.headers.get('content-type') ?? '').includes('text/html')) return response
  const { setCookie } = visitorCookies(request, options)
  if (setCookie.length === 0) return response
  const headers = new Headers(response.headers)
  for (const value of setCookie) headers.append('set-cookie', value)
  headers.set('cache-control', privateCacheControl(headers.get('cache-control')))
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers })
}

/** What the middleware needs of Node's (or Express's) response. */
interface NodeResponse extends HeaderWriter {
  locals?: Record<string, unknown>
}

/**
 * Express and Connect middleware: on each page request (a navigation), sets the visitor cookie
 * {@link visitorCookies} decides on (with `Cache-Control: private`, which a route's own later replaces), and puts the visitor id in `res.locals.visitorId` (Express). It never
 * blocks the page: whatever goes wrong, it calls `next()`. Options that are not what they should be throw a
 * `ConfigError` when it is created, naming the option.
 *
 * @example
 * app.use(visitorMiddleware({ domain: 'example.com' }))
 */
export const visitorMiddleware = (options?: VisitorCookiesOptions): ((request: PageRequest, response: NodeResponse, next: () => void) => void) => {
  // Checked now, when the app starts: past here, a failure is swallowed so that no page fails for a cookie.
  const settings = checked(options) ?? {}
  return (request, response, next) => {
    try {
      const visitor = decide(request, settings)
      if (visitor.setCookie.length > 0) {
        appendCookies(response, visitor.setCookie)
        // A route that sets its own Cache-Control later replaces this: it must not make such a response public.
        response.setHeader('cache-control', privateCacheControl(response.getHeader('cache-control') as string | undefined))
      }
      if (response.locals && visitor.visitorId) response.locals.visitorId = visitor.visitorId
    } catch {
      // A cookie is never worth a failed page.
    }
    next()
  }
}
