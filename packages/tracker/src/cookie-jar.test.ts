import { parse, serialize } from 'cookie'
import Cookies from 'js-cookie'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { getCookie, removeCookie, setCookie } from './cookie-jar.js'

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

/** What was assigned to document.cookie while `write` ran. */
const written = (write: () => unknown): string[] => {
  const assigned: string[] = []
  let owner: object = document
  while (!Object.getOwnPropertyDescriptor(owner, 'cookie')) owner = Object.getPrototypeOf(owner)
  const setter = Object.getOwnPropertyDescriptor(owner, 'cookie')!.set!
  vi.spyOn(document, 'cookie', 'set').mockImplementation(function (this: Document, value: string) {
    assigned.push(value)
    setter.call(this, value)
  })
  write()
  vi.restoreAllMocks()
  return assigned
}

describe('the cookie jar, against js-cookie 3', () => {
  it.each(VALUES)('writes %j byte for byte as js-cookie does', (value) => {
    const ours = written(() => setCookie('idstitch_visitor_id', value, '; domain=example.test; samesite=Lax; secure; max-age=31536000'))
    const theirs = written(() =>
      Cookies.set('idstitch_visitor_id', value, { domain: 'example.test', samesite: 'Lax', secure: true, 'max-age': '31536000' }),
    )
    expect(ours).toEqual(theirs)
    expect(ours).toHaveLength(1)
  })

  it('removes with max-age=-1 at path=/, host-only or on a domain', () => {
    // js-cookie expires the cookie with a past date, the jar with max-age=-1 (as the tracker's cookies carry max-age, not expires).
    expect(written(() => removeCookie('n'))).toEqual(['n=; path=/; max-age=-1'])
    expect(written(() => removeCookie('n', 'example.test'))).toEqual(['n=; path=/; domain=example.test; max-age=-1'])
  })

  it.each(VALUES)('reads %j back as js-cookie wrote it, and the other way round', (value) => {
    Cookies.set('theirs', value)
    expect(getCookie('theirs')).toBe(value)
    setCookie('ours', value)
    expect(Cookies.get('ours')).toBe(value)
  })

  it('reads raw cookies as js-cookie does: quotes dropped, escapes decoded, = kept, the first of two names', () => {
    document.cookie = 'quoted="usr_1"; path=/'
    document.cookie = 'escaped=a%3Bb%20c; path=/'
    document.cookie = 'equals=a=b=c; path=/'
    document.cookie = 'plain=usr_2; path=/'
    for (const name of ['quoted', 'escaped', 'equals', 'plain', 'missing']) expect(getCookie(name)).toBe(Cookies.get(name))
    expect(getCookie('escaped')).toBe('a;b c')
  })

  it('skips, without throwing, a cookie whose escapes are not valid UTF-8 (as js-cookie does)', () => {
    document.cookie = 'broken=%E0%A4%A; path=/'
    document.cookie = '%E0broken=usr_1; path=/'
    expect(() => getCookie('broken')).not.toThrow()
    expect(getCookie('broken')).toBe(Cookies.get('broken'))
    expect(getCookie('broken')).toBeUndefined()
  })

  it('reads nothing and writes nothing, without throwing, where document.cookie throws (a sandboxed iframe)', () => {
    const denied = () => {
      throw new DOMException("Failed to read the 'cookie' property from 'Document': the document is sandboxed", 'SecurityError')
    }
    vi.spyOn(document, 'cookie', 'get').mockImplementation(denied)
    vi.spyOn(document, 'cookie', 'set').mockImplementation(denied)
    expect(getCookie('idstitch_visitor_id')).toBeUndefined()
    expect(() => setCookie('idstitch_visitor_id', 'usr_1')).not.toThrow()
    expect(() => removeCookie('idstitch_visitor_id', 'example.test')).not.toThrow()
  })

  it('removes a cookie host-only or on its domain, as js-cookie would', () => {
    setCookie('n', 'v')
    removeCookie('n')
    expect(getCookie('n')).toBeUndefined()
    setCookie('n', 'v', '; domain=example.test')
    removeCookie('n')
    expect(getCookie('n')).toBe('v') // a host-only removal does not reach a domain cookie
    removeCookie('n', 'example.test')
    expect(getCookie('n')).toBeUndefined()
  })
})

describe('the cookie jar, against the server side (the `cookie` library @idstitch/node uses)', () => {
  it.each(VALUES)('a server reads %j as the tracker wrote it, and the tracker reads it as a server wrote it', (value) => {
    setCookie('ours', value)
    expect(parse(document.cookie).ours).toBe(value)
    // serialize() percent-encodes the whole value, as the Node SDK's helpers write it.
    document.cookie = serialize('theirs', value, { path: '/' })
    expect(getCookie('theirs')).toBe(value)
  })
})
