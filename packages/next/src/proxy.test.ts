import { NextRequest, NextResponse } from 'next/server'
import { describe, expect, it } from 'vitest'
import { idstitchProxy } from './proxy.js'
import { cookieHeaderWith } from './request-cookies.js'

const VISITOR = 'a3ab2331-989f-4cfa-91c6-2461c9e3c6bd'
const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36'
const page = (url: string, headers: Record<string, string> = {}) => new NextRequest(url, { headers: { 'user-agent': BROWSER, 'sec-fetch-dest': 'document', ...headers } })
const event = {} as never
const setCookies = (response: Response) => response.headers.getSetCookie()

describe('idstitchProxy()', () => {
  it("mints the visitor cookie on a first page view, Secure on https, and hands it to the same request's render", async () => {
    const response = await idstitchProxy()(page('https://www.example.test/pricing'), event)
    const [visitor, served] = setCookies(response)
    const id = /^idstitch_visitor_id=([0-9a-f-]{36});/.exec(visitor ?? '')?.[1]
    expect(id).toBeDefined()
    expect(visitor).toContain('Secure')
    expect(served).toMatch(/^idstitch_visitor_served=1;/)
    // NextResponse.next({ request: { headers } }): the page rendering this request reads the new cookie.
    expect(response.headers.get('x-middleware-next')).toBe('1')
    expect(response.headers.get('x-middleware-request-cookie')).toBe(`idstitch_visitor_id=${id}; idstitch_visitor_served=1`)
  })

  it('makes a response that sets the cookie private for shared caches, keeping what else its Cache-Control says', async () => {
    // Next keeps a proxy's Cache-Control; without one, a prerendered page went out with s-maxage=31536000 beside the Set-Cookie.
    const first = await idstitchProxy()(page('https://www.example.test/pricing'), event)
    expect(first.headers.get('cache-control')).toBe('private, no-store')
    const own = await idstitchProxy(() => NextResponse.next({ headers: { 'cache-control': 'public, max-age=60, s-maxage=600' } }))(page('https://www.example.test/'), event)
    expect(own.headers.get('cache-control')).toBe('private, max-age=60')
    const immutable = await idstitchProxy(() => Response.redirect('https://www.example.test/login', 303))(page('https://www.example.test/account'), event)
    expect(immutable.headers.get('cache-control')).toBe('private, no-store')
    // A response that sets nothing keeps the page cacheable.
    const refreshed = await idstitchProxy()(page('https://www.example.test/', { cookie: `idstitch_visitor_id=${VISITOR}; idstitch_visitor_served=1` }), event)
    expect(refreshed.headers.get('cache-control')).toBeNull()
    const untouched = await idstitchProxy(() => NextResponse.next({ headers: { 'cache-control': 'public, max-age=60' } }))(page('https://www.example.test/', { 'user-agent': 'Googlebot/2.1 (+http://www.google.com/bot.html)' }), event)
    expect(untouched.headers.get('cache-control')).toBe('public, max-age=60')
  })

  it('sets nothing, and passes the request on as it is, for a visitor refreshed within the day, a bot, or an asset', async () => {
    const refreshed = page('http://www.example.test/', { cookie: `idstitch_visitor_id=${VISITOR}; idstitch_visitor_served=1` })
    const bot = page('http://www.example.test/', { 'user-agent': 'Googlebot/2.1 (+http://www.google.com/bot.html)' })
    const asset = page('http://www.example.test/logo.png', { 'sec-fetch-dest': 'image' })
    for (const request of [refreshed, bot, asset]) {
      const response = await idstitchProxy()(request, event)
      expect(setCookies(response)).toEqual([])
      expect(response.headers.get('x-middleware-request-cookie')).toBeNull()
    }
  })

  it("runs the app's own proxy first and adds the cookies to its response, or to next() when it answers none", async () => {
    const redirect = await idstitchProxy(() => NextResponse.redirect('https://www.example.test/new'), { domain: 'example.test' })(page('http://www.example.test/old'), event)
    expect(redirect.status).toBe(307)
    expect(setCookies(redirect)[0]).toMatch(/^idstitch_visitor_id=[0-9a-f-]{36}; Max-Age=31536000; Domain=example.test; Path=\/; SameSite=Lax$/)
    const passed = await idstitchProxy(async () => undefined)(page('http://www.example.test/'), event)
    expect(passed.headers.get('x-middleware-next')).toBe('1')
    expect(setCookies(passed)).toHaveLength(2)
  })

  it("hands the new cookies to the page when the app's own proxy answers next(), over the request headers it gave", async () => {
    // The app's next() carried only its response header: the page of a first view rendered no visitor id.
    const plain = await idstitchProxy(() => NextResponse.next({ headers: { 'x-frame-options': 'DENY' } }))(page('http://www.example.test/', { cookie: 'theme=dark' }), event)
    const id = /^idstitch_visitor_id=([0-9a-f-]{36});/.exec(setCookies(plain)[0] ?? '')?.[1]
    expect(plain.headers.get('x-frame-options')).toBe('DENY')
    expect(plain.headers.get('x-middleware-request-cookie')).toBe(`theme=dark; idstitch_visitor_id=${id}; idstitch_visitor_served=1`)
    expect(plain.headers.get('x-middleware-request-user-agent')).toBe(BROWSER)
    expect(plain.headers.get('x-middleware-override-headers')?.split(',').sort()).toEqual(['cookie', 'sec-fetch-dest', 'user-agent'])
    // The app's proxy gave the page headers of its own: they stay, the cookie joins them.
    const own = (request: NextRequest) => {
      const headers = new Headers(request.headers)
      headers.set('x-tenant', 'acme')
      headers.delete('user-agent')
      return NextResponse.next({ request: { headers } })
    }
    const given = await idstitchProxy(own)(page('http://www.example.test/'), event)
    expect(given.headers.get('x-middleware-request-x-tenant')).toBe('acme')
    expect(given.headers.get('x-middleware-override-headers')?.split(',').sort()).toEqual(['cookie', 'sec-fetch-dest', 'x-tenant'])
    expect(given.headers.get('x-middleware-request-cookie')).toMatch(/^idstitch_visitor_id=[0-9a-f-]{36}; idstitch_visitor_served=1$/)
    // A rewrite, which may take the request to another origin, gets only its Set-Cookie.
    const rewrite = await idstitchProxy(() => NextResponse.rewrite('http://www.example.test/other'))(page('http://www.example.test/'), event)
    expect(rewrite.headers.get('x-middleware-request-cookie')).toBeNull()
    expect(setCookies(rewrite)).toHaveLength(2)
  })

  it("adds the cookies to a response whose headers cannot change (Response.redirect(), a fetch()'s), keeping the response", async () => {
    // Appending to such headers throws: every first page view the app's proxy redirected or proxied was a 500.
    const redirect = await idstitchProxy(() => Response.redirect('https://www.example.test/login', 303))(page('http://www.example.test/account'), event)
    expect(redirect.status).toBe(303)
    expect(redirect.headers.get('location')).toBe('https://www.example.test/login')
    expect(setCookies(redirect)).toHaveLength(2)
    // A fetch()'s response, passed on as it is (a proxy to another origin).
    const proxied = await idstitchProxy(() => fetch('data:text/plain,from%20upstream'))(page('http://www.example.test/'), event)
    expect([proxied.status, proxied.headers.get('content-type'), await proxied.text()]).toEqual([200, 'text/plain', 'from upstream'])
    expect(setCookies(proxied)).toEqual([expect.stringMatching(/^idstitch_visitor_id=/), expect.stringMatching(/^idstitch_visitor_served=/)])
  })

  it('refuses options that are not right when it is made, not on every page view', () => {
    expect(() => idstitchProxy({ domain: 'not a domain' })).toThrow(expect.objectContaining({ name: 'ConfigError', message: expect.stringContaining('domain') }))
    expect(() => idstitchProxy(() => undefined, { maxAgeDays: 0 })).toThrow(expect.objectContaining({ name: 'ConfigError', message: expect.stringContaining('maxAgeDays') }))
  })
})

describe('cookieHeaderWith()', () => {
  it('sets, replaces and deletes cookies in a request cookie header', () => {
    const cookies = [
      { name: 'a', value: '2', options: { path: '/', maxAge: 60, sameSite: 'lax' as const, secure: false, httpOnly: false as const } },
      { name: 'gone', value: '', options: { path: '/', maxAge: 0, sameSite: 'lax' as const, secure: false, httpOnly: false as const } },
      { name: 'new', value: 'x=y', options: { path: '/', maxAge: 60, sameSite: 'lax' as const, secure: false, httpOnly: false as const } },
    ]
    expect(cookieHeaderWith('a=1; gone=3; keep=4', cookies)).toBe('a=2; keep=4; new=x=y')
    expect(cookieHeaderWith(null, cookies.slice(0, 1))).toBe('a=2')
  })
})
