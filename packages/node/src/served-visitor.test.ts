import { SERVED_COOKIE, browserOf, linkValue } from '@idstitch/core/cookies'
import { describe, expect, it, vi } from 'vitest'
import { privateCacheControl, visitorCookies, visitorMiddleware, withVisitorCookie } from './served-visitor.js'

const VISITOR = 'a3ab2331-989f-4cfa-91c6-2461c9e3c6bd'
const CHROME = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'
const page = (headers: Record<string, string> = {}, method = 'GET') =>
  new Request('https://www.example.test/pricing', { method, headers: { 'user-agent': CHROME, 'sec-fetch-dest': 'document', accept: 'text/html', ...headers } })

describe('visitorCookies', () => {
  it('mints a visitor id on a first page view, with the served mark for a day', () => {
    const visitor = visitorCookies(page(), { domain: 'example.test' })
    expect(visitor).toMatchObject({ minted: true, bot: false, visitorId: expect.stringMatching(/^[0-9a-f-]{36}$/) })
    expect(visitor.setCookie).toEqual([
      `idstitch_visitor_id=${visitor.visitorId}; Max-Age=31536000; Domain=example.test; Path=/; Secure; SameSite=Lax`,
      `${SERVED_COOKIE}=1; Max-Age=86400; Domain=example.test; Path=/; Secure; SameSite=Lax`,
    ])
    expect(visitor.cookies.map((cookie) => [cookie.name, cookie.options.maxAge, cookie.options.httpOnly])).toEqual([
      ['idstitch_visitor_id', 31_536_000, false],
      [SERVED_COOKIE, 86_400, false],
    ])
  })

  it('sets nothing while the last refresh is fresh, and refreshes the same id once it has expired', () => {
    expect(visitorCookies(page({ cookie: `idstitch_visitor_id=${VISITOR}; ${SERVED_COOKIE}=1` }))).toEqual({ visitorId: VISITOR, minted: false, bot: false, setCookie: [], cookies: [] })
    const refreshed = visitorCookies(page({ cookie: `idstitch_visitor_id=${VISITOR}` }), { refreshAfterMs: 3_600_000 })
    expect(refreshed).toMatchObject({ visitorId: VISITOR, minted: false })
    expect(refreshed.setCookie[1]).toContain('Max-Age=3600')
  })

  it('replaces a tampered visitor cookie with a new id, served mark or not', () => {
    const visitor = visitorCookies(page({ cookie: `idstitch_visitor_id=not-a-uuid; ${SERVED_COOKIE}=1` }))
    expect(visitor.minted).toBe(true)
    expect(visitor.visitorId).not.toBe('not-a-uuid')
  })

  it.each([
    ['Googlebot', { 'user-agent': 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' }],
    ['a link preview', { 'user-agent': 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)' }],
    ['an uptime check', { 'user-agent': 'Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)' }],
  ])('gives %s no cookie', (_, headers) => {
    expect(visitorCookies(page(headers))).toEqual({ visitorId: undefined, minted: false, bot: true, setCookie: [], cookies: [] })
  })

  it('sets nothing on what is no page view: an asset, a fetch, a POST', () => {
    for (const request of [page({ 'sec-fetch-dest': 'image' }), page({ 'sec-fetch-dest': 'empty' }), page({}, 'POST')]) expect(visitorCookies(request).setCookie).toEqual([])
    // Without Fetch Metadata (an older browser), Accept tells a page from the rest.
    const bare = (accept: string) => new Request('https://www.example.test/', { headers: { 'user-agent': CHROME, accept } })
    expect(visitorCookies(bare('text/html,application/xhtml+xml')).minted).toBe(true)
    expect(visitorCookies(bare('application/json')).setCookie).toEqual([])
  })

  it('takes any request target a client sends to Node (a path that is no URL, `//[`), and still reads a link in it', () => {
    // IncomingMessage's url is the request target as sent: Node's server passes on `//[`, which new URL() refuses.
    const node = (url: string) => ({ url, method: 'GET', headers: { 'user-agent': CHROME, 'accept-language': 'en-US', accept: 'text/html' } })
    for (const url of ['//[', '//a%20b', '/\\[?x=1', '*']) expect(visitorCookies(node(url)).minted).toBe(true)
    const link = encodeURIComponent(linkValue(VISITOR, Date.now(), browserOf(CHROME, 'en-US')))
    expect(visitorCookies(node(`//[/pricing?utm=1&_isl=${link}#top`))).toMatchObject({ visitorId: VISITOR, linkedId: VISITOR })
  })
})

describe('withVisitorCookie', () => {
  it('adds the cookies to an HTML response only, keeping its status and headers', async () => {
    const html = new Response('<p>hi</p>', { status: 200, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'public, max-age=60' } })
    const withCookie = withVisitorCookie(page(), html)
    expect(withCookie.headers.getSetCookie()).toHaveLength(2)
    // No shared cache may keep one visitor's id for everyone; the app's max-age stays.
    expect(withCookie.headers.get('cache-control')).toBe('private, max-age=60')
    expect(await withCookie.text()).toBe('<p>hi</p>')
    const json = new Response('{}', { headers: { 'content-type': 'application/json' } })
    expect(withVisitorCookie(page(), json)).toBe(json)
    const fresh = new Response('', { headers: { 'content-type': 'text/html' } })
    expect(withVisitorCookie(page({ cookie: `idstitch_visitor_id=${VISITOR}; ${SERVED_COOKIE}=1` }), fresh)).toBe(fresh)
  })
})

describe('privateCacheControl', () => {
  it('makes any Cache-Control private, keeping the directives that are not about shared caches', () => {
    expect(privateCacheControl(undefined)).toBe('private')
    expect(privateCacheControl(null)).toBe('private')
    expect(privateCacheControl('')).toBe('private')
    expect(privateCacheControl('s-maxage=31536000')).toBe('private')
    expect(privateCacheControl('Public, max-age=60, S-MaxAge=600, stale-while-revalidate=30')).toBe('private, max-age=60, stale-while-revalidate=30')
    expect(privateCacheControl('private, no-cache, no-store, max-age=0, must-revalidate')).toBe('private, no-cache, no-store, max-age=0, must-revalidate')
  })
})

describe('visitorMiddleware', () => {
  it('appends its cookies to those already set, tells res.locals, and always calls next', () => {
    const headers: Record<string, string | string[]> = { 'set-cookie': 'session=abc' }
    const response = { getHeader: (name: string) => headers[name], setHeader: (name: string, value: string | string[]) => void (headers[name] = value), locals: {} as Record<string, unknown> }
    const next = vi.fn()
    visitorMiddleware()({ method: 'GET', headers: { 'user-agent': CHROME, 'sec-fetch-dest': 'document' } }, response, next)
    expect(headers['set-cookie']).toEqual(['session=abc', expect.stringMatching(/^idstitch_visitor_id=/), expect.stringMatching(new RegExp(`^${SERVED_COOKIE}=1`))])
    expect(response.locals.visitorId).toMatch(/^[0-9a-f-]{36}$/)
    expect(headers['cache-control']).toBe('private')
    expect(next).toHaveBeenCalledOnce()
    const broken = { getHeader: () => { throw new Error('headers already sent') }, setHeader: () => {} }
    visitorMiddleware()({ method: 'GET', headers: { 'user-agent': CHROME, 'sec-fetch-dest': 'document' } }, broken, next)
    expect(next).toHaveBeenCalledTimes(2)
  })

  it('refuses options that are not what they should be when it is created, not silently on every page', () => {
    expect(() => visitorMiddleware({ domain: 'example.com; Path=/admin' })).toThrowError(expect.objectContaining({ name: 'ConfigError', option: 'domain' }))
    expect(() => visitorMiddleware({ maxAgeDays: 0 })).toThrowError(expect.objectContaining({ name: 'ConfigError', option: 'maxAgeDays' }))
  })
})

describe('visitorCookies and a cross-domain link', () => {
  const OWN = '0b7e1f0c-52a4-4c55-8f3e-9d3f5a1e2b10'
  const linked = (at = Date.now()) => `_isl=${encodeURIComponent(linkValue(VISITOR, at, browserOf(CHROME, 'en-US')))}`
  const arriving = (query: string, headers: Record<string, string> = {}) =>
    new Request(`https://www.example-app.test/pricing?${query}`, { headers: { 'user-agent': CHROME, 'accept-language': 'en-US,en;q=0.9', 'sec-fetch-dest': 'document', ...headers } })

  it('adopts the visitor id a fresh link made for this browser brings, when the browser has none here', () => {
    const visitor = visitorCookies(arriving(linked()))
    expect(visitor).toMatchObject({ visitorId: VISITOR, minted: true, linkedId: VISITOR })
    expect(visitor.setCookie[0]).toContain(`idstitch_visitor_id=${VISITOR};`)
  })

  it('mints its own for a stale link, another browser’s, or while someone is logged in here', () => {
    for (const request of [
      arriving(linked(Date.now() - 180_000)),
      arriving(linked(), { 'accept-language': 'de-DE' }),
      arriving(linked(), { cookie: 'idstitch_external_contact_id=usr_bob' }),
    ]) {
      const visitor = visitorCookies(request)
      expect(visitor.visitorId).not.toBe(VISITOR)
      expect(visitor.linkedId).toBeUndefined()
    }
  })

  it('keeps a browser’s own visitor id and remembers the linked one beside it, up to five', () => {
    const older = ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222']
    const visitor = visitorCookies(arriving(linked(), { cookie: `idstitch_visitor_id=${OWN}; ${SERVED_COOKIE}=1; idstitch_linked_ids=${older.join('%20')}` }))
    expect(visitor).toMatchObject({ visitorId: OWN, minted: false, linkedId: VISITOR })
    expect(visitor.setCookie).toEqual([`idstitch_linked_ids=${[...older, VISITOR].join('%20')}; Max-Age=31536000; Path=/; Secure; SameSite=Lax`])
  })
})
