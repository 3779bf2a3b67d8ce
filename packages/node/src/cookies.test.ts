import { request as httpRequest, createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { ownerTag } from '@idstitch/core/cookies'
import { clearContactCookie, contactCookie, getAnonymousIds, getContactId, getVisitorId, loginCookies, logoutCookies, visitorCookie } from './cookies.js'
import { getClientIp } from './client-ip.js'
import { visitorCookies } from './served-visitor.js'

const VISITOR = 'a3ab2331-989f-4cfa-91c6-2461c9e3c6bd'
const header = `theme=dark; idstitch_visitor_id=${VISITOR}; idstitch_external_contact_id=usr_8f3a`

/** A real IncomingMessage, as Express and node:http hand it over. */
const incoming = (cookie: string): Promise<IncomingMessage> =>
  new Promise((resolve) => {
    const server = createServer((request, response) => {
      response.end()
      server.close()
      resolve(request)
    })
    server.listen(0, '127.0.0.1', () => {
      httpRequest({ port: (server.address() as AddressInfo).port, host: '127.0.0.1', headers: { cookie } }).end()
    })
  })

describe('reading cookies', () => {
  it('reads from an IncomingMessage, a Request, Headers and a raw header', async () => {
    const sources = [await incoming(header), new Request('http://x.test', { headers: { cookie: header } }), new Headers({ cookie: header }), header]
    for (const source of sources) {
      expect(getVisitorId(source)).toBe(VISITOR)
      expect(getContactId(source)).toBe('usr_8f3a')
    }
  })

  it("reads each tool's own anonymous id from every kind of source, raw values as the tools wrote them", async () => {
    const tools = `${header}; _ga=GA1.1.1234567890.1700000000; ajs_anonymous_id=%22${VISITOR}%22; ph_phc_X_posthog=${encodeURIComponent(JSON.stringify({ distinct_id: 'ph-1', $user_state: 'anonymous' }))}`
    for (const source of [await incoming(tools), new Request('http://x.test', { headers: { cookie: tools } }), new Headers({ cookie: tools }), tools]) {
      expect(getAnonymousIds(source)).toEqual({ ga4: '1234567890.1700000000', segment: VISITOR, posthog: 'ph-1' })
    }
    expect(getAnonymousIds(undefined)).toEqual({})
  })

  // Cookies as the vendors' own browser SDKs wrote them, captured from Chromium on 2026-12-02 (the demo's marketing page:
  // posthog-js 1.449.2, @amplitude/analytics-browser 2.48.1, mixpanel-browser 2.83.0; `_ga` in gtag.js's format).
  const CAPTURED = {
    anonymous: [
      ['_ga', 'GA1.1.1581747671.1796218818'],
      ['AMP_5a1db0c3e1', 'JTdCJTIyZGV2aWNlSWQlMjIlM0ElMjIxZDJhNjExYS1jMzAxLTQwM2MtYTk4Ny00ZGJiMGE5NTdjODclMjIlMkMlMjJzZXNzaW9uSWQlMjIlM0ExNzk2MjE4ODE4ODgxJTJDJTIyb3B0T3V0JTIyJTNBZmFsc2UlMkMlMjJwYWdlQ291bnRlciUyMiUzQTAlMkMlMjJjb29raWVEb21haW4lMjIlM0ElMjIuZXhhbXBsZS50ZXN0JTIyJTdE'],
      ['ph_phc_sandbox_key_posthog', '%7B%22%24device_id%22%3A%2201a236fc-11d4-7a1f-abc3-94746c36d4d0%22%2C%22distinct_id%22%3A%2201a236fc-11d4-7a1f-abc3-94746c36d4d0%22%2C%22%24user_state%22%3A%22anonymous%22%7D'],
      ['mp_7e3f0c9a1b2d4e6f8a0b1c2d3e4f5a6b_mixpanel', '%7B%22distinct_id%22%3A%22%24device%3A13b9d8cc-83fc-45c6-a19e-36488e7d0df0%22%2C%22%24device_id%22%3A%2213b9d8cc-83fc-45c6-a19e-36488e7d0df0%22%2C%22%24initial_referrer%22%3A%22%24direct%22%2C%22%24initial_referring_domain%22%3A%22%24direct%22%2C%22__mps%22%3A%7B%7D%2C%22__mpso%22%3A%7B%22%24initial_referrer%22%3A%22%24direct%22%2C%22%24initial_referring_domain%22%3A%22%24direct%22%7D%2C%22__mpus%22%3A%7B%7D%2C%22__mpa%22%3A%7B%7D%2C%22__mpu%22%3A%7B%7D%2C%22__mpr%22%3A%5B%5D%2C%22__mpap%22%3A%5B%5D%7D'],
    ],
    // After posthog.identify() and mixpanel.identify() ran in the page.
    identified: [
      ['ph_phc_sandbox_key_posthog', '%7B%22%24device_id%22%3A%2201a236fc-3e11-799e-9a72-5c3b244422b6%22%2C%22distinct_id%22%3A%22usr_captured%22%2C%22%24epp%22%3Atrue%2C%22%24user_state%22%3A%22identified%22%7D'],
      ['mp_7e3f0c9a1b2d4e6f8a0b1c2d3e4f5a6b_mixpanel', '%7B%22distinct_id%22%3A%22usr_captured%22%2C%22%24device_id%22%3A%22b25002c8-21ed-40a0-80f6-c68d22c7e74a%22%2C%22%24initial_referrer%22%3A%22%24direct%22%2C%22%24initial_referring_domain%22%3A%22%24direct%22%2C%22__mps%22%3A%7B%7D%2C%22__mpso%22%3A%7B%7D%2C%22__mpus%22%3A%7B%7D%2C%22__mpa%22%3A%7B%7D%2C%22__mpu%22%3A%7B%7D%2C%22__mpr%22%3A%5B%5D%2C%22__mpap%22%3A%5B%5D%2C%22%24user_id%22%3A%22usr_captured%22%7D'],
    ],
  }
  const cookieHeader = (cookies: string[][]) => cookies.map(([name, value]) => `${name}=${value}`).join('; ')

  it("reads the ids from cookies the vendors' own SDKs wrote: the ids each SDK reported", () => {
    expect(getAnonymousIds(cookieHeader(CAPTURED.anonymous))).toEqual({
      ga4: '1581747671.1796218818',
      amplitude: '1d2a611a-c301-403c-a987-4dbb0a957c87', // amplitude.getDeviceId()
      posthog: '01a236fc-11d4-7a1f-abc3-94746c36d4d0', // posthog.get_distinct_id()
      mixpanel: '13b9d8cc-83fc-45c6-a19e-36488e7d0df0', // mixpanel.get_property('$device_id')
    })
  })

  it('reads no id from a PostHog or Mixpanel cookie once its SDK identified someone: that device is already theirs', () => {
    expect(getAnonymousIds(cookieHeader(CAPTURED.identified))).toEqual({})
  })

  it('returns undefined without cookies, and for tampered values', () => {
    expect(getVisitorId(undefined)).toBeUndefined()
    expect(getVisitorId('')).toBeUndefined()
    expect(getVisitorId(new Headers())).toBeUndefined()
    expect(getVisitorId('idstitch_visitor_id=not-a-uuid')).toBeUndefined()
    expect(getVisitorId(`idstitch_visitor_id=${VISITOR}%3B%20admin%3D1`)).toBeUndefined()
    expect(getContactId('idstitch_external_contact_id=a%3Bb')).toBeUndefined()
    expect(getContactId(`idstitch_external_contact_id=${'x'.repeat(101)}`)).toBeUndefined()
  })

  it('skips a tampered copy when a host-only and a domain cookie are both sent', () => {
    expect(getVisitorId(`idstitch_visitor_id=bad; idstitch_visitor_id=${VISITOR}`)).toBe(VISITOR)
  })

  it('reads a preset\'s names, or a name given', () => {
    const cookie = `pathbound_visitor_id=${VISITOR}; pathbound_external_contact_id=ct_1; datafast_visitor_id=${VISITOR}; my_vid=${VISITOR}`
    expect(getVisitorId(cookie, { preset: 'pathbound' })).toBe(VISITOR)
    expect(getContactId(cookie, { preset: 'pathbound' })).toBe('ct_1')
    expect(getVisitorId(cookie, { preset: 'datafast' })).toBe(VISITOR)
    expect(getVisitorId(cookie, { name: 'my_vid' })).toBe(VISITOR)
    expect(getVisitorId(cookie)).toBeUndefined()
    for (const name of ['nope', 'constructor', 'toString', '__proto__']) {
      expect(() => getVisitorId(cookie, { preset: name as never })).toThrowError(expect.objectContaining({ name: 'ConfigError', option: 'preset' }))
    }
  })
})

describe('writing cookies', () => {
  it('sets the contact cookie with the preset\'s name and attributes, readable by the tracker', () => {
    expect(contactCookie('usr_8f3a')).toBe('idstitch_external_contact_id=usr_8f3a; Max-Age=31536000; Path=/; Secure; SameSite=Lax')
    expect(contactCookie('usr_8f3a', { preset: 'pathbound', domain: 'example.com' })).toBe(
      'pathbound_external_contact_id=usr_8f3a; Max-Age=31536000; Domain=example.com; Path=/; Secure; SameSite=Strict',
    )
    expect(contactCookie('usr_1', { secure: false, maxAgeDays: 1 })).toBe('idstitch_external_contact_id=usr_1; Max-Age=86400; Path=/; SameSite=Lax')
    // Browsers keep a cookie 400 days at most (RFC 6265bis): the header says so, as the tracker's cookie does.
    expect(contactCookie('usr_1', { secure: false, maxAgeDays: 1e9 })).toBe('idstitch_external_contact_id=usr_1; Max-Age=34560000; Path=/; SameSite=Lax')
    expect(contactCookie('usr_1')).not.toMatch(/HttpOnly/)
  })

  it('writes the value as js-cookie and the tracker do, and reads it back', () => {
    const cookie = contactCookie('usr_8f3a@acme.io/100%', { secure: false })
    expect(cookie).toBe('idstitch_external_contact_id=usr_8f3a@acme.io/100%25; Max-Age=31536000; Path=/; SameSite=Lax')
    expect(getContactId(cookie.split(';')[0])).toBe('usr_8f3a@acme.io/100%')
  })

  it.each([['an empty id', ''], ['a semicolon', 'usr;admin=1'], ['a newline', 'usr\nSet-Cookie: x=1'], ['101 characters', 'x'.repeat(101)], ['a space', 'a b']])(
    'refuses %s with a ValidationError naming the field',
    (_, id) => {
      expect(() => contactCookie(id)).toThrowError(expect.objectContaining({ name: 'ValidationError', source: 'contactCookie()', provider: undefined, issues: [{ path: 'externalId', message: expect.any(String) }] }))
    },
  )

  it('clears the contact cookie with the same name, path and domain', () => {
    expect(clearContactCookie({ domain: 'example.com' })).toBe(
      'idstitch_external_contact_id=; Max-Age=0; Domain=example.com; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; SameSite=Lax',
    )
  })

  it("gives logout's cookies for a framework's cookie API too, with the preset's name and the given domain", () => {
    expect(logoutCookies({ preset: 'pathbound', domain: 'example.com', secure: false })).toEqual({
      cookies: [{ name: 'pathbound_external_contact_id', value: '', options: { path: '/', maxAge: 0, sameSite: 'strict', secure: false, domain: 'example.com', httpOnly: false } }],
      setCookie: [clearContactCookie({ preset: 'pathbound', domain: 'example.com', secure: false })],
    })
  })

  it('re-issues a visitor cookie only for a UUID', () => {
    expect(visitorCookie(VISITOR, { preset: 'datafast', domain: 'example.com' })).toBe(
      `datafast_visitor_id=${VISITOR}; Max-Age=31536000; Domain=example.com; Path=/; Secure; SameSite=Lax`,
    )
    expect(() => visitorCookie('nope')).toThrowError(expect.objectContaining({ name: 'ValidationError' }))
  })

  it('refuses options that are not what they should be with a ConfigError naming the option, in every helper that writes', () => {
    const bad = { domain: 'example.com; Path=/admin' }
    const config = expect.objectContaining({ name: 'ConfigError', option: 'domain' })
    expect(() => contactCookie('usr_8f3a', bad)).toThrowError(config)
    expect(() => clearContactCookie(bad)).toThrowError(config)
    expect(() => logoutCookies(bad)).toThrowError(config)
    expect(() => visitorCookie(VISITOR, bad)).toThrowError(config)
    expect(() => loginCookies(header, 'usr_8f3a', bad)).toThrowError(config)
    expect(() => visitorCookies(new Request('https://www.example.test/', { headers: { accept: 'text/html' } }), { refreshAfterMs: 5 })).toThrowError(expect.objectContaining({ name: 'ConfigError', option: 'refreshAfterMs' }))
    // A lifetime of 0 or less would set cookies that are deleted at once.
    expect(() => loginCookies(header, 'usr_8f3a', { maxAgeDays: -1 })).toThrowError(expect.objectContaining({ name: 'ConfigError', option: 'maxAgeDays' }))
  })

  it('takes null options as none, as Node\'s own APIs do: the defaults, never a TypeError', () => {
    const none = null as unknown as undefined
    const page = new Request('https://www.example.test/', { headers: { accept: 'text/html', cookie: `idstitch_visitor_id=${VISITOR}` } })
    const socket = { headers: { 'x-forwarded-for': '203.0.113.7' }, socket: { remoteAddress: '10.0.0.9' } }
    expect(contactCookie('usr_8f3a', none)).toBe(contactCookie('usr_8f3a'))
    expect(clearContactCookie(none)).toBe(clearContactCookie())
    expect(logoutCookies(none)).toEqual(logoutCookies())
    expect(visitorCookie(VISITOR, none)).toBe(visitorCookie(VISITOR))
    expect(loginCookies(header, 'usr_8f3a', none)).toEqual(loginCookies(header, 'usr_8f3a'))
    expect(visitorCookies(page, none)).toEqual(visitorCookies(page))
    expect(getClientIp(socket, none)).toBe('10.0.0.9')
  })
})

describe('loginCookies', () => {
  it('identifies with the visitor and sets the contact, owner and visitor cookies', () => {
    const login = loginCookies(`idstitch_visitor_id=${VISITOR}`, 'usr_alice', { secure: false })
    expect(login).toEqual({
      anonymousId: VISITOR,
      anonymousIds: {},
      linkedIds: [],
      visitorId: VISITOR,
      rotated: false,
      setCookie: [
        'idstitch_external_contact_id=usr_alice; Max-Age=31536000; Path=/; SameSite=Lax',
        `idstitch_visitor_owner=${ownerTag(VISITOR, 'usr_alice')}; Max-Age=31536000; Path=/; SameSite=Lax`,
        `idstitch_visitor_id=${VISITOR}; Max-Age=31536000; Path=/; SameSite=Lax`,
      ],
      cookies: [
        { name: 'idstitch_external_contact_id', value: 'usr_alice', options: { path: '/', maxAge: 31536000, sameSite: 'lax', secure: false, httpOnly: false } },
        { name: 'idstitch_visitor_owner', value: ownerTag(VISITOR, 'usr_alice'), options: { path: '/', maxAge: 31536000, sameSite: 'lax', secure: false, httpOnly: false } },
        { name: 'idstitch_visitor_id', value: VISITOR, options: { path: '/', maxAge: 31536000, sameSite: 'lax', secure: false, httpOnly: false } },
      ],
    })
  })

  it('keeps the visitor for the same user, and starts a new one for another user', () => {
    const after = `idstitch_visitor_id=${VISITOR}; idstitch_visitor_owner=${ownerTag(VISITOR, 'usr_alice')}; _ga=GA1.1.1234567890.1700000000`
    expect(loginCookies(after, 'usr_alice')).toMatchObject({ anonymousId: VISITOR, anonymousIds: { ga4: '1234567890.1700000000' }, rotated: false })
    const bob = loginCookies(after, 'usr_bob')
    expect(bob.rotated).toBe(true)
    expect(bob.anonymousId).toBeUndefined()
    // The tools' ids on this browser are alice's history: none is stitched to bob.
    expect(bob.anonymousIds).toEqual({})
    expect(bob.visitorId).toMatch(/^[0-9a-f-]{36}$/)
    expect(bob.visitorId).not.toBe(VISITOR)
    expect(bob.setCookie[2]).toContain(`idstitch_visitor_id=${bob.visitorId}`)
    expect(loginCookies(`idstitch_visitor_id=${VISITOR}; idstitch_external_contact_id=usr_carol`, 'usr_bob').rotated).toBe(true)
  })

  it('gives the visitor ids a cross-domain link brought beside this browser’s own, and clears them; none for another user', () => {
    const LINKED = '0b7e1f0c-52a4-4c55-8f3e-9d3f5a1e2b10'
    const cookie = `idstitch_visitor_id=${VISITOR}; idstitch_linked_ids=${LINKED}%20not-a-uuid%20${VISITOR}`
    const login = loginCookies(cookie, 'usr_alice', { secure: false })
    expect(login.linkedIds).toEqual([LINKED])
    expect(login.setCookie).toContain('idstitch_linked_ids=; Max-Age=0; Path=/; SameSite=Lax')
    const owned = `${cookie}; idstitch_visitor_owner=${ownerTag(VISITOR, 'usr_alice')}`
    expect(loginCookies(owned, 'usr_bob').linkedIds).toEqual([])
  })

  it('gives at most the five newest linked ids: the cookie is the browser’s to write, and each id is an identify', () => {
    const ids = Array.from({ length: 8 }, (_, index) => `0b7e1f0c-52a4-4c55-8f3e-9d3f5a1e2b1${index}`)
    const forged = `idstitch_visitor_id=${VISITOR}; idstitch_linked_ids=${ids.join('%20')}%20${ids[0]}`
    expect(loginCookies(forged, 'usr_alice', { secure: false }).linkedIds).toEqual(ids.slice(3))
  })

  it('sets no visitor cookie when there is none, and refuses an unsafe id', () => {
    expect(loginCookies('', 'usr_1')).toMatchObject({ anonymousId: undefined, visitorId: undefined, rotated: false })
    // The contact cookie alone: the owner tag binds a visitor, and there is none.
    expect(loginCookies('', 'usr_1').setCookie).toHaveLength(1)
    expect(() => loginCookies('', 'a;b')).toThrowError(expect.objectContaining({ name: 'ValidationError' }))
  })
})

describe('cookies, second review', () => {
  it('takes no visitor or contact id when the request holds two different ones (one planted on a narrower path)', () => {
    const planted = '0b7e1f0c-52a4-4c55-8f3e-9d3f5a1e2b10'
    expect(getVisitorId(`idstitch_visitor_id=${planted}; idstitch_visitor_id=${VISITOR}`)).toBeUndefined()
    expect(getVisitorId(`idstitch_visitor_id=${VISITOR}; idstitch_visitor_id=${VISITOR}`)).toBe(VISITOR)
    expect(getContactId('idstitch_external_contact_id=usr_mallory; idstitch_external_contact_id=usr_alice')).toBeUndefined()
    const login = loginCookies(`idstitch_visitor_id=${planted}; idstitch_visitor_id=${VISITOR}`, 'usr_alice')
    expect(login.anonymousId).toBeUndefined()
  })

  it("sends no tool's id when the browser was last another user's, with or without an idstitch visitor cookie", () => {
    const vendors = '_ga=GA1.1.1234567890.1700000000; ajs_anonymous_id=%22ajs-a%22'
    // No visitor cookie, and a contact cookie naming someone else: the vendors' ids are that person's.
    expect(loginCookies(`${vendors}; idstitch_external_contact_id=usr_alice`, 'usr_bob')).toMatchObject({ anonymousIds: {}, rotated: false })
    // An owner tag, no visitor cookie: it cannot be shown to be this user's.
    expect(loginCookies(`${vendors}; idstitch_visitor_owner=abcdefghijklmn`, 'usr_bob').anonymousIds).toEqual({})
    // Nothing says anyone else was here: the ids are sent.
    expect(loginCookies(vendors, 'usr_bob').anonymousIds).toEqual({ ga4: '1234567890.1700000000', segment: 'ajs-a' })
  })
})

describe('getClientIp, and loginCookies().ip', () => {
  const node = (headers: Record<string, string>, remoteAddress = '::ffff:10.0.0.9') => ({ headers, socket: { remoteAddress } })

  it("reads Node's socket address by default, and never a header a browser could send", () => {
    expect(getClientIp(node({ 'x-forwarded-for': '203.0.113.7' }))).toBe('10.0.0.9')
    expect(getClientIp(new Request('https://app.example.test/', { headers: { 'x-forwarded-for': '203.0.113.7' } }))).toBeUndefined()
  })

  it('with trustProxy, takes the address the proxy appended (the last of X-Forwarded-For), else X-Real-IP, else the socket', () => {
    // A browser sent the first entry itself; the proxy appended the second.
    expect(getClientIp(node({ 'x-forwarded-for': '198.51.100.1, 203.0.113.7' }), { trustProxy: true })).toBe('203.0.113.7')
    expect(getClientIp(new Request('https://app.example.test/', { headers: { 'x-real-ip': '2001:db8::7' } }), { trustProxy: true })).toBe('2001:db8::7')
    expect(getClientIp(node({ 'x-forwarded-for': 'not-an-address' }), { trustProxy: true })).toBe('10.0.0.9')
  })

  it('behind several proxies (trustProxy: 2, a CDN in front of a load balancer), takes the address the farthest one saw', () => {
    // The browser forged the first entry; the CDN appended the browser's address, the load balancer the CDN's.
    const chain = node({ 'x-forwarded-for': '198.51.100.1, 203.0.113.7, 192.0.2.44' })
    expect([getClientIp(chain, { trustProxy: 2 }), getClientIp(chain, { trustProxy: 1 }), getClientIp(chain, { trustProxy: 0 })]).toEqual(['203.0.113.7', '192.0.2.44', '10.0.0.9'])
    // Fewer entries than proxies: the request came through fewer of them, and every entry is a proxy's.
    expect(getClientIp(node({ 'x-forwarded-for': '203.0.113.7' }), { trustProxy: 3 })).toBe('203.0.113.7')
    expect(loginCookies(chain, 'usr_1', { trustProxy: 2, secure: false }).ip).toBe('203.0.113.7')
  })

  it.each([['yes'], [-1], [1.5]])('refuses trustProxy: %j with a ConfigError naming it', (trustProxy) => {
    const error = { name: 'ConfigError', option: 'trustProxy', message: expect.stringContaining('how many proxies of yours are in front') }
    expect(() => getClientIp(node({}), { trustProxy: trustProxy as never })).toThrowError(expect.objectContaining(error))
    expect(() => loginCookies(node({}), 'usr_1', { trustProxy: trustProxy as never })).toThrowError(expect.objectContaining(error))
  })

  it('gives the login route the address for context.ip in the same call', () => {
    expect(loginCookies(node({ 'x-forwarded-for': '203.0.113.7' }), 'usr_1', { trustProxy: true, secure: false }).ip).toBe('203.0.113.7')
    expect(loginCookies('idstitch_visitor_id=a3ab2331-989f-4cfa-91c6-2461c9e3c6bd', 'usr_1').ip).toBeUndefined()
  })
})
