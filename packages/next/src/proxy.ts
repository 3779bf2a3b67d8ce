import { privateCacheControl, visitorCookies, type VisitorCookiesOptions } from '@idstitch/node'
import { type NextFetchEvent, type NextRequest, NextResponse } from 'next/server.js'
import { cookieHeaderWith } from './request-cookies.js'

/** An app's own middleware (Next 15) or proxy (Next 16), which {@link idstitchProxy} runs first. */
// biome-ignore lint/suspicious/noConfusingVoidType: as Next's own NextMiddleware, so a proxy that returns nothing fits
export type AppProxy = (request: NextRequest, event: NextFetchEvent) => Response | null | undefined | void | Promise<Response | null | undefined | void>

/** Options of {@link idstitchProxy}: the visitor cookie's (`domain`, `preset`, `name`, `maxAgeDays`, `refreshAfterMs`). */
export interface IdstitchProxyOptions extends VisitorCookiesOptions {}

/** The proxy: Next calls it with the request and an event. */
export type IdstitchProxy = (request: NextRequest, event: NextFetchEvent) => Promise<Response>

/**
 * Next's middleware (Next 15: `middleware.ts`) or proxy (Next 16: `proxy.ts`) that sets the visitor cookie from
 * the server: a new id on a first page view, the same id with a fresh expiry once a day, a cross-domain link's id
 * adopted, and nothing for bots or assets. A cookie set by the site's server keeps its full lifetime in Safari,
 * which caps cookies written by scripts at 7 days. `Secure` follows the request's protocol unless `secure` is given.
 *
 * The page rendering the same request sees the new cookie (`cookies()`, `idstitchIds()`), so it renders the id the
 * browser will have. Give it your own middleware to compose: it runs first, and the cookies are added to its
 * response (or to `NextResponse.next()` when it returns none), and, when it answers `NextResponse.next()`, to the
 * request the page renders as well.
 *
 * @example
 * // proxy.ts (Next 16); on Next 15, middleware.ts with `export const middleware = idstitchProxy()`
 * export const proxy = idstitchProxy()
 * export const config = { matcher: ['/((?!api/|_next/|favicon.ico).*)'] }
 */
export function idstitchProxy(options?: IdstitchProxyOptions): IdstitchProxy
export function idstitchProxy(app: AppProxy, options?: IdstitchProxyOptions): IdstitchProxy
export function idstitchProxy(first?: AppProxy | IdstitchProxyOptions, second?: IdstitchProxyOptions): IdstitchProxy {
  const app = typeof first === 'function' ? first : undefined
  const options = checkedNow((typeof first === 'function' ? second : first) ?? {})
  return async (request, event) => {
    const visitor = visitorCookies(request, { secure: request.nextUrl.protocol === 'https:', ...options })
    const own = app ? await app(request, event) : undefined
    return withSetCookie(own ? withRequestCookies(own, request, visitor.cookies) : nextWith(request, visitor.cookies), visitor.setCookie)
  }
}

/**
 * `response` with `setCookie` added, and made private for shared caches (`Cache-Control: private, no-store` when
 * it has none yet). Next keeps a proxy's `Cache-Control`, and otherwise gives a page it prerendered
 * `s-maxage=31536000`: a caching proxy or CDN that ignores `Set-Cookie` would have handed one visitor's id to
 * every new visitor for a year. `no-store` because the page's own (Next's `no-store` for a dynamic page) is not
 * known here. Headers that cannot change (`Response.redirect()`'s, a `fetch()`'s passed on) refuse an append:
 * such a response is copied first (its status, headers and body as they are), where the append made every first
 * page view the app's proxy answered so a 500.
 */
const withSetCookie = (response: Response, setCookie: readonly string[]): Response => {
  if (setCookie.length === 0) return response
  const appendTo = (target: Response): Response => {
    for (const cookie of setCookie) target.headers.append('set-cookie', cookie)
    target.headers.set('cache-control', privateCacheControl(target.headers.get('cache-control') ?? 'no-store'))
    return target
  }
  try {
    return appendTo(response)
  } catch {
    // Immutable headers refuse the first append, so nothing was added to them.
    return appendTo(new Response(response.body, response))
  }
}

/**
 * `options`, once `visitorCookies()` has checked them for a request that is no page view (it sets nothing for one):
 * a `ConfigError` naming the option at fault (a `domain` that is no domain) when the proxy is made, where checking
 * on each request made every page of the app a 500 until the option was fixed.
 */
const checkedNow = (options: IdstitchProxyOptions): IdstitchProxyOptions => {
  visitorCookies({ headers: {} }, options)
  return options
}

/** The request headers `NextResponse.next({ request: { headers } })` hands the page: Next's own names for them. */
const OVERRIDES = 'x-middleware-override-headers'
const REQUEST_HEADER = 'x-middleware-request-'

/**
 * The app's own `NextResponse.next()`, with the request the page renders carrying the cookies the response sets
 * too, as `NextResponse.next({ request: { headers } })` would have (over the headers the app's proxy gave it, if
 * it gave any). Without this, a first page view whose app proxy answered `next()` rendered no visitor id. Any
 * other response stays as it is: a redirect or an answer of its own renders no page, and a rewrite may take the
 * request to another origin, which is not handed a cookie it was not sent (its page renders without the new one).
 */
const withRequestCookies = (response: Response, request: NextRequest, cookies: Parameters<typeof cookieHeaderWith>[1]): Response => {
  if (cookies.length === 0 || response.headers.get('x-middleware-next') !== '1') return response
  const { headers } = response
  const overridden = headers.get(OVERRIDES)?.split(',')
  const current = overridden ? headers.get(`${REQUEST_HEADER}cookie`) : request.headers.get('cookie')
  try {
    if (!overridden) for (const [name, value] of request.headers) headers.set(`${REQUEST_HEADER}${name}`, value)
    headers.set(`${REQUEST_HEADER}cookie`, cookieHeaderWith(current, cookies))
    headers.set(OVERRIDES, [...new Set([...(overridden ?? request.headers.keys()), 'cookie'])].join(','))
  } catch {
    // Headers that cannot change (not NextResponse.next()'s own): the page renders without the new cookie, as before.
  }
  return response
}

/** `NextResponse.next()`, with the request the page renders carrying the cookies the response sets. */
const nextWith = (request: NextRequest, cookies: Parameters<typeof cookieHeaderWith>[1]): Response => {
  if (cookies.length === 0) return NextResponse.next()
  const headers = new Headers(request.headers)
  headers.set('cookie', cookieHeaderWith(request.headers.get('cookie'), cookies))
  return NextResponse.next({ request: { headers } })
}
