import { request as httpRequest, createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { ownerTag } from '@idstitch/core/cookies'
import { clearContactCookie, contactCookie, getAnonymousIds, getContactId, getVisitorId, loginCookies, visitorCookie } from './cookies.js'

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

  it('re-issues a visitor cookie only for a UUID', () => {
    expect(visitorCookie(VISITOR, { preset: 'datafast', domain: 'example.com' })).toBe(
      `datafast_visitor_id=${VISITOR}; Max-Age=31536000; Domain=example.com; Path=/; Secure; SameSite=Lax`,
    )
    expect(() => visitorCookie('nope')).toThrowError(expect.objectContaining({ name: 'ValidationError' }))
  })
})

describe('loginCookies', () => {
  it('identifies with the visitor and sets the contact, owner and visitor cookies', () => {
    const login = loginCookies(`idstitch_visitor_id=${VISITOR}`, 'usr_alice', { secure: false })
    expect(login).toEqual({
      anonymousId: VISITOR,
      anonymousIds: {},
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

  it('sets no visitor cookie when there is none, and refuses an unsafe id', () => {
    expect(loginCookies('', 'usr_1')).toMatchObject({ anonymousId: undefined, visitorId: undefined, rotated: false })
    // The contact cookie alone: the owner tag binds a visitor, and there is none.
    expect(loginCookies('', 'usr_1').setCookie).toHaveLength(1)
    expect(() => loginCookies('', 'a;b')).toThrowError(expect.objectContaining({ name: 'ValidationError' }))
  })
})
