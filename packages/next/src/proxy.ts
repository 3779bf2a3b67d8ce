import { visitorCookies, type VisitorCookiesOptions } from '@idstitch/node'
import { type NextFetchEvent, type NextRequest, NextResponse } from 'next/server'
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
 * response (or to `NextResponse.next()` when it returns none).
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
    return withSetCookie(own ?? nextWith(request, visitor.cookies), visitor.setCookie)
  }
}

/**
 * `response` with `setCookie` added. Headers that cannot change (`Response.redirect()`'s, a `fetch()`'s passed on)
 * refuse an append: such a response is copied first (its status, headers and body as they are), where the
 * append made every first page view the app's proxy answered so a 500.
 */
const withSetCookie = (response: Response, setCookie: readonly string[]): Response => {
  const appendTo = (target: Response): Response => {
    for (const cookie of setCookie) target.headers.append('set-cookie', cookie)
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

/** `NextResponse.next()`, with the request the page renders carrying the cookies the response sets. */
const nextWith = (request: NextRequest, cookies: Parameters<typeof cookieHeaderWith>[1]): Response => {
  if (cookies.length === 0) return NextResponse.next()
  const headers = new Headers(request.headers)
  headers.set('cookie', cookieHeaderWith(request.headers.get('cookie'), cookies))
  return NextResponse.next({ request: { headers } })
}
