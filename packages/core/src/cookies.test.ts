import { describe, expect, it } from 'vitest'
import { decodeCookieValue, encodeCookieValue, isContactId } from './cookies.js'

// Every character a contact id may hold, and values others may have written.
const CONTACT_CHARS = "!#$%&'()*+-./09:<=>?@AZ[]^_`az{|}~"
const VALUES = [CONTACT_CHARS, 'a3ab2331-989f-4cfa-91c6-2461c9e3c6bd', 'a%20b', 'two words', 'x;y=z, "quoted"', 'ümlaut ✓ 🎉', '\\']

describe('the cookie value codec (js-cookie\'s)', () => {
  it('writes a contact id unchanged but for %, and a UUID unchanged', () => {
    expect(isContactId(CONTACT_CHARS)).toBe(true)
    expect(encodeCookieValue(CONTACT_CHARS)).toBe(CONTACT_CHARS.replace('%', '%25'))
    expect(encodeCookieValue('a3ab2331-989f-4cfa-91c6-2461c9e3c6bd')).toBe('a3ab2331-989f-4cfa-91c6-2461c9e3c6bd')
  })

  it('escapes what a cookie value cannot hold: space, quote, comma, semicolon, backslash, non-ASCII', () => {
    expect(encodeCookieValue('x;y=z, "q"\\ ü')).toBe('x%3By=z%2C%20%22q%22%5C%20%C3%BC')
  })

  it.each(VALUES)('reads %j back, whether written by the codec or fully percent-encoded (cookie.serialize)', (value) => {
    expect(decodeCookieValue(encodeCookieValue(value))).toBe(value)
    expect(decodeCookieValue(encodeURIComponent(value))).toBe(value)
  })

  it('drops surrounding quotes, and throws URIError on an escape that is not UTF-8', () => {
    expect(decodeCookieValue('"usr_1"')).toBe('usr_1')
    expect(() => decodeCookieValue('%E0%A4%A')).toThrow(URIError)
  })
})
