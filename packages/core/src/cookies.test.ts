import { describe, expect, it } from 'vitest'
import { ConfigError } from './errors.js'
import { cookieSettings, isAnotherUser, isContactId, ownerTag, presetNamed } from './cookies.js'

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
  })

  it('starts a new visitor for another user, by the contact cookie or by the owner tag that outlives logout', () => {
    expect(isAnotherUser('usr_1', {})).toBe(false)
    expect(isAnotherUser('usr_1', { contact: 'usr_1', owner: ownerTag('usr_1') })).toBe(false)
    expect(isAnotherUser('usr_2', { contact: 'usr_1' })).toBe(true)
    expect(isAnotherUser('usr_2', { owner: ownerTag('usr_1') })).toBe(true)
    expect(isAnotherUser('usr_1', { contact: '', owner: '' })).toBe(false)
  })
})
