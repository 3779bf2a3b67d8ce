import { parse, serialize } from 'cookie'
import Cookies from 'js-cookie'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { readCookie, removeCookie, writeCookie } from './cookies.js'

// Values a visitor or contact cookie can meet: what idstitch writes (UUIDs,
// contact ids with every cookie-safe character) and what others may have put
// there (spaces, quotes, separators, non-ASCII, a literal percent sign).
const VALUES = [
  'a3ab2331-989f-4cfa-91c6-2461c9e3c6bd',
  'usr_8f3a',
  "!#$%&'()*+-./09:<=>?@AZ[]^_`az{|}~",
  'a%20b',
  '100%',
  'two words',
  'x;y=z, "quoted"',
  'ümlaut ✓ 🎉',
  '=leading',
]

const clear = () => {
  for (const name of Object.keys(Cookies.get())) Cookies.remove(name, { path: '/' })
}
beforeEach(clear)
afterEach(() => vi.restoreAllMocks())

describe("the tracker's cookies, through js-cookie", () => {
  it.each(VALUES)('writes and reads %j back', (value) => {
    writeCookie('ours', value)
    expect(readCookie('ours')).toBe(value)
  })

  it('removes a cookie host-only or on its domain: a host-only removal does not reach a domain cookie', () => {
    writeCookie('n', 'v')
    removeCookie('n')
    expect(readCookie('n')).toBeUndefined()
    writeCookie('n', 'v', { domain: 'example.test' })
    removeCookie('n')
    expect(readCookie('n')).toBe('v')
    removeCookie('n', 'example.test')
    expect(readCookie('n')).toBeUndefined()
  })

  it('reads nothing and writes nothing, without throwing, where document.cookie throws (a sandboxed iframe)', () => {
    const denied = () => {
      throw new DOMException("Failed to read the 'cookie' property from 'Document': the document is sandboxed", 'SecurityError')
    }
    vi.spyOn(document, 'cookie', 'get').mockImplementation(denied)
    vi.spyOn(document, 'cookie', 'set').mockImplementation(denied)
    expect(readCookie('idstitch_visitor_id')).toBeUndefined()
    expect(() => writeCookie('idstitch_visitor_id', 'usr_1')).not.toThrow()
    expect(() => removeCookie('idstitch_visitor_id', 'example.test')).not.toThrow()
  })
})

describe("the tracker's cookies, against the server side (the `cookie` library @idstitch/node uses)", () => {
  it.each(VALUES)('a server reads %j as the tracker wrote it, and the tracker reads it as a server wrote it', (value) => {
    writeCookie('ours', value)
    expect(parse(document.cookie).ours).toBe(value)
    // serialize() percent-encodes the whole value by default.
    document.cookie = serialize('theirs', value, { path: '/' })
    expect(readCookie('theirs')).toBe(value)
    // @idstitch/node's helpers serialize with js-cookie's own converter: byte for byte what the tracker writes.
    document.cookie = serialize('helpers', value, { path: '/', encode: (text) => Cookies.converter.write(text, 'helpers') })
    expect(readCookie('helpers')).toBe(value)
    expect(document.cookie).toContain(`helpers=${Cookies.converter.write(value, 'helpers')}`)
  })
})
