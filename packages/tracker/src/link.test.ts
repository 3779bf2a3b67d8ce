import { browserOf, linkValue } from '@idstitch/core/cookies'
import Cookies from 'js-cookie'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { adoptLink, createLinker } from './linker.js'
import { createTracker } from './tracker.js'

const LINKED = 'a3ab2331-989f-4cfa-91c6-2461c9e3c6bd'
const OWN = '0b7e1f0c-52a4-4c55-8f3e-9d3f5a1e2b10'
const here = () => browserOf(navigator.userAgent, navigator.language)
const arrive = (value: string) => history.replaceState(null, '', `/pricing?plan=pro&_isl=${encodeURIComponent(value)}#faq`)

beforeEach(() => {
  for (const name of Object.keys(Cookies.get())) {
    Cookies.remove(name, { path: '/' })
    Cookies.remove(name, { path: '/', domain: 'example.test' })
  }
})
afterEach(() => history.replaceState(null, '', '/'))

describe('a tracker arriving by a cross-domain link', () => {
  it('adopts the visitor id a fresh link made by this browser brings, and cleans the address bar', () => {
    arrive(linkValue(LINKED, Date.now(), here()))
    expect(createTracker({ adoptLink }).getVisitorId()).toBe(LINKED)
    expect(Cookies.get('idstitch_visitor_id')).toBe(LINKED)
    expect(location.pathname + location.search + location.hash).toBe('/pricing?plan=pro#faq')
  })

  it('mints its own for a stale link, another browser’s link, or while someone is logged in here; the address bar is cleaned all the same', () => {
    for (const [value, cookies] of [
      [linkValue(LINKED, Date.now() - 180_000, here()), {}],
      [linkValue(LINKED, Date.now(), browserOf('Mozilla/5.0 (Other)', 'de-DE')), {}],
      [linkValue(LINKED, Date.now(), here()), { idstitch_external_contact_id: 'usr_bob' }],
    ] as const) {
      for (const [name, cookie] of Object.entries(cookies)) Cookies.set(name, cookie)
      arrive(value)
      expect(createTracker({ adoptLink }).getVisitorId()).not.toBe(LINKED)
      expect(location.search).toBe('?plan=pro')
      for (const name of Object.keys(Cookies.get())) Cookies.remove(name)
    }
  })

  it('is not adopted by a tracker without the linker: a site with one domain pays nothing for it', () => {
    arrive(linkValue(LINKED, Date.now(), here()))
    expect(createTracker().getVisitorId()).not.toBe(LINKED)
  })

  it('keeps a visitor id of its own and remembers the linked one beside it', () => {
    Cookies.set('idstitch_visitor_id', OWN)
    arrive(linkValue(LINKED, Date.now(), here()))
    expect(createTracker({ adoptLink }).getVisitorId()).toBe(OWN)
    expect(Cookies.get('idstitch_linked_ids')).toBe(LINKED)
  })
})

describe('the linker', () => {
  it('decorates a link to a listed domain when it is clicked, and leaves the others alone', () => {
    Cookies.set('idstitch_visitor_id', OWN)
    const tracker = createTracker({ adoptLink })
    const linker = createLinker({ domains: ['example-app.test'], getVisitorId: tracker.getVisitorId })
    document.body.innerHTML = '<a id="app" href="https://www.example-app.test/signup?ref=nav">Sign up</a><a id="other" href="https://elsewhere.test/">x</a>'
    const app = document.getElementById('app') as HTMLAnchorElement
    app.dispatchEvent(new MouseEvent('mousedown', { bubbles: true }))
    const url = new URL(app.href)
    expect(url.searchParams.get('ref')).toBe('nav')
    expect(url.searchParams.get('_isl')?.startsWith(`${OWN}.`)).toBe(true)
    const other = document.getElementById('other') as HTMLAnchorElement
    other.dispatchEvent(new MouseEvent('mousedown', { bubbles: true }))
    expect(other.href).toBe('https://elsewhere.test/')
    expect(linker.linkUrl('https://docs.example-app.test/a')).toContain('_isl=')
    expect(linker.linkUrl('/same-site')).toBe('/same-site')
    // No URL at all (a CMS's broken link): left as it is, never an exception out of the page's click.
    expect(linker.linkUrl('http://[')).toBe('http://[')
    linker.stop()
  })
})
