import { describe, expect, it } from 'vitest'
import { ConfigError } from './errors.js'
import { browserOf, cookieSettings, isAnotherUser, isContactId, linkValue, linkedVisitor, ownerTag, presetNamed } from './cookies.js'

describe('the cookie contract', () => {
  it('accepts 1-100 cookie-safe characters as a contact id, and nothing else', () => {
    expect(isContactId("!#$%&'()*+-./09:<=>?@AZ[]^_`az{|}~")).toBe(true)
    expect(isContactId('x'.repeat(100))).toBe(true)
    for (const id of ['', 'x'.repeat(101), 'a b', 'a;b', 'a,b', 'a"b', 'a\\b', 'ü', 5, undefined]) expect(isContactId(id)).toBe(false)
  })

  it('names presets, and refuses any other name with a ConfigError, prototype names included', () => {
    expect(presetNamed(undefined).visitorCookie).toBe('idstitch_visitor_id')
    expect(presetNamed('pathbound')).toMatchObject({ contactCookie: 'pathbound_external_contact_id', sameSite: 'Strict' })
    for (const name of ['nope', 'constructor', 'toString', '__proto__']) {
      expect(() => presetNamed(name)).toThrowError(ConfigError)
      expect(() => presetNamed(name)).toThrowError(expect.objectContaining({ option: 'preset', code: 'config_invalid' }))
    }
  })

  it("fills in a preset's settings, with overrides, at path=/", () => {
    expect(cookieSettings('datafast')).toEqual({ visitorCookie: 'datafast_visitor_id', contactCookie: 'idstitch_external_contact_id', sameSite: 'Lax', maxAgeDays: 365, path: '/' })
    expect(cookieSettings('idstitch', { visitorCookie: 'vid', contactCookie: 'cid', maxAgeDays: 30 })).toMatchObject({ visitorCookie: 'vid', contactCookie: 'cid', maxAgeDays: 30 })
    // A script tag's data-max-age-days is a string.
    expect(cookieSettings('idstitch', { maxAgeDays: '7' as never }).maxAgeDays).toBe(7)
    // Not a number above 0: the preset's lifetime, never cookies that expire as they are written.
    for (const maxAgeDays of [-5, '-5', 0, Number.NaN, 'soon']) expect(cookieSettings('idstitch', { maxAgeDays: maxAgeDays as never }).maxAgeDays).toBe(365)
    // Browsers keep a cookie 400 days at most; past what a Date holds, js-cookie wrote a session cookie.
    for (const maxAgeDays of [400, 401, 1e9, Number.POSITIVE_INFINITY, '1e9']) expect(cookieSettings('idstitch', { maxAgeDays: maxAgeDays as never }).maxAgeDays).toBe(400)
    expect(cookieSettings('idstitch', { maxAgeDays: 399.5 }).maxAgeDays).toBe(399.5)
  })

  it('starts a new visitor for another user, by the contact cookie or by the owner tag that outlives logout', () => {
    const visitor = 'a3ab2331-989f-4cfa-91c6-2461c9e3c6bd'
    expect(isAnotherUser('usr_1', { visitor })).toBe(false)
    expect(isAnotherUser('usr_1', { visitor, contact: 'usr_1', owner: ownerTag(visitor, 'usr_1') })).toBe(false)
    expect(isAnotherUser('usr_2', { visitor, contact: 'usr_1' })).toBe(true)
    expect(isAnotherUser('usr_2', { visitor, owner: ownerTag(visitor, 'usr_1') })).toBe(true)
    // The tag gone, the contact cookie still names someone else: rotate all the same.
    expect(isAnotherUser('usr_2', { visitor, contact: 'usr_1', owner: undefined })).toBe(true)
    expect(isAnotherUser('usr_1', { visitor, contact: '', owner: '' })).toBe(false)
  })

  it('tags an owner with 64 bits keyed by the visitor: no collision where 32 bits had one, another tag on every visitor', () => {
    const visitor = 'a3ab2331-989f-4cfa-91c6-2461c9e3c6bd'
    const other = '0d7c61ad-32b5-4f0e-8a3e-7f4f3f3c7e11'
    expect(ownerTag(visitor, 'usr_1')).toMatch(/^[0-9a-z]{14}$/)
    expect(ownerTag(visitor, 'usr_1')).toBe(ownerTag(visitor, 'usr_1'))
    // These two shared a 32-bit FNV-1a tag.
    expect(ownerTag(visitor, 'usr_208959')).not.toBe(ownerTag(visitor, 'usr_1037240'))
    expect(ownerTag(visitor, 'usr_1')).not.toBe(ownerTag(other, 'usr_1'))
    // No collision among the tags of a million numeric ids on one visitor (what a 32-bit tag got wrong within a few hundred thousand).
    const seen = new Set<string>()
    for (let id = 0; id < 1_000_000; id++) seen.add(ownerTag(visitor, `usr_${id}`))
    expect(seen.size).toBe(1_000_000)
  })
})

describe('the cross-domain link', () => {
  const ID = 'a3ab2331-989f-4cfa-91c6-2461c9e3c6bd'
  const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'
  const now = Date.UTC(2026, 11, 4, 12, 0, 0)
  const browser = browserOf(CHROME, 'en-US')

  it('hashes the browser the same in the browser (navigator.language) and on the server (Accept-Language), never raw', () => {
    expect(browserOf(CHROME, 'en-US,en;q=0.9')).toBe(browser)
    expect(browserOf(CHROME, 'EN-us')).toBe(browser)
    expect(browser).toMatch(/^[0-9a-z]{14}$/)
    expect(browserOf(CHROME, 'fr-FR')).not.toBe(browser)
    expect(browserOf(CHROME.replace('131', '132'), 'en-US')).not.toBe(browser)
  })

  it('carries a visitor id that this browser may adopt for two minutes, and no other', () => {
    const value = linkValue(ID, now, browser)
    expect(value).not.toContain(CHROME)
    expect(linkedVisitor(value, now + 119_000, browser)).toBe(ID)
    expect(linkedVisitor(value, now + 121_000, browser)).toBeUndefined()
    // Another browser (a shared URL, a bookmark, a crawler) mints its own.
    expect(linkedVisitor(value, now, browserOf(CHROME, 'de-DE'))).toBeUndefined()
    // A clock a little ahead is fine; a link from the future is not.
    expect(linkedVisitor(value, now - 20_000, browser)).toBe(ID)
    expect(linkedVisitor(value, now - 60_000, browser)).toBeUndefined()
    for (const forged of ['not-a-uuid.abc.' + browser, `${ID}.zz.${browser}.extra`, '', `${ID}`]) expect(linkedVisitor(forged, now, browser)).toBeUndefined()
  })
})
