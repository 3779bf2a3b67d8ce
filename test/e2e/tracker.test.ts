import { readFileSync } from 'node:fs'
import type { Cookie } from 'playwright-core'
import { contactCookie, getContactId } from '@idstitch/node'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { launch, newContext, ready, type Chromium } from './browser.js'
import { scriptTagPage, startSite, type Site } from './site.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const YEAR_S = 365 * 24 * 3600

let browser: Chromium
let site: Site

beforeAll(async () => {
  ;[browser, site] = await Promise.all([launch(), startSite()])
  site.page('/', scriptTagPage('data-cookie-domain="auto"'))
  // A sandboxed iframe without allow-same-origin: document.cookie throws there (widget previews, Storybook, CodeSandbox).
  site.page('/sandboxed', `<!doctype html><html><body><iframe sandbox="allow-scripts" src="/"></iframe></body></html>`)
  // The tracker page's snippets (docs/tracker.md), pasted as they are: the tag, then a queued identify.
  const [tag, call] = [...readFileSync(new URL('../../docs/tracker.md', import.meta.url), 'utf8').matchAll(/```html\n([\s\S]*?)```/g)].map((match) => match[1])
  site.page('/readme', `<!doctype html><html><head>${tag}</head><body>Pricing</body></html>`)
  site.page('/readme-identify', `<!doctype html><html><head>${tag}${call}</head><body>Welcome back</body></html>`)
  site.page('/pathbound', scriptTagPage('data-preset="pathbound"'))
  site.page('/datafast', scriptTagPage('data-preset="datafast"'))
  // With the data-* attributes other tools put on a script (Next's <Script>, Cookiebot), which the tag must not refuse.
  site.page('/custom', scriptTagPage('data-visitor-cookie="vid" data-contact-cookie="cid" data-cookie-domain="none" data-max-age-days="30" data-nscript="afterInteractive" data-cookieconsent="ignore"'))
  // A lifetime past what a Date can hold (a typo for 100): js-cookie wrote `expires=Invalid Date`, a session cookie.
  site.page('/forever', scriptTagPage('data-max-age-days="1e9"'))
  site.page('/relay', scriptTagPage('data-endpoint="/api/identify"'))
  site.page('/consent', scriptTagPage('data-consent="required" data-endpoint="/api/identify"'))
  // A consent value that is neither 'granted' nor 'required': the tracker fails closed.
  site.page('/consent-typo', scriptTagPage('data-consent="Required"'))
  // A tag manager and a hard-coded tag: the script is loaded twice.
  site.page('/twice', scriptTagPage('data-consent="required"').replace('</head>', '<script defer src="/idstitch.js" data-consent="required"></script></head>'))
  site.page('/dnt', scriptTagPage('data-preset="pathbound" data-respect-dnt'))
  site.page(
    '/queued',
    scriptTagPage('', `window.log = []; idstitch('identify', 'usr_early', { plan: 'pro' }); idstitch('getVisitorId'); idstitch('reset'); idstitch('identify', 'usr_later')`),
  )
  site.page(
    '/esm',
    `<!doctype html><html><head>
<script type="importmap">{ "imports": { "js-cookie": "/js-cookie.mjs" } }</script>
<script type="module">import * as tracker from '/tracker.mjs'; tracker.init({ endpoint: '/api/identify' }); window.esm = tracker</script>
</head><body>SPA</body></html>`,
  )
})
afterAll(async () => {
  await browser?.close()
  await site?.close()
})
beforeEach(() => {
  site.relayed.length = 0
})

const byName = (cookies: Cookie[], name: string) => cookies.find((cookie) => cookie.name === name)

describe('the script tag in Chromium', () => {
  it('mints a UUID visitor cookie on the registrable domain, stable across reloads and subdomains', async () => {
    const { context, errors, open } = await newContext(browser)
    const page = await open(site.http('www.example.test'))
    await ready(page)
    const id: string = await page.evaluate(() => window.idstitch.getVisitorId())
    expect(id).toMatch(UUID)

    const visitor = byName(await context.cookies(), 'idstitch_visitor_id')
    expect(visitor).toMatchObject({ value: id, domain: '.example.test', path: '/', sameSite: 'Lax', secure: false, httpOnly: false })
    expect(visitor!.expires - Date.now() / 1000).toBeGreaterThan(YEAR_S - 60)
    expect(visitor!.expires - Date.now() / 1000).toBeLessThan(YEAR_S + 60)
    expect(byName(await context.cookies(), 'idstitch_probe')).toBeUndefined()

    await page.reload()
    await ready(page)
    expect(await page.evaluate(() => window.idstitch.getVisitorId())).toBe(id)
    const app = await open(site.http('app.example.test'))
    await ready(app)
    expect(await app.evaluate(() => window.idstitch.getVisitorId())).toBe(id)
    expect((await context.cookies()).filter((cookie) => cookie.name === 'idstitch_visitor_id')).toHaveLength(1)
    expect(errors).toEqual([])
    await context.close()
  })

  it("works as the docs' snippet, pasted into a page: the visitor cookie, then identify() and reset()", async () => {
    const { context, errors, open } = await newContext(browser)
    const page = await open(site.https('www.example.test', '/readme'))
    await ready(page)
    const visitor = byName(await context.cookies(), 'pathbound_visitor_id')
    expect(visitor).toMatchObject({ domain: '.example.test', path: '/', sameSite: 'Strict', secure: true })
    expect(visitor?.value).toMatch(UUID)

    const welcome = await open(site.https('app.example.test', '/readme-identify'))
    await ready(welcome)
    expect(byName(await context.cookies(), 'pathbound_external_contact_id')).toMatchObject({ value: 'usr_8f3a2c9e', domain: '.example.test' })
    expect(await welcome.evaluate(() => window.idstitch.getVisitorId())).toBe(visitor?.value)
    await welcome.evaluate(() => window.idstitch.reset())
    expect(byName(await context.cookies(), 'pathbound_external_contact_id')).toBeUndefined()
    expect(errors).toEqual([])
    await context.close()
  })

  it('works in memory, without throwing, where document.cookie is off limits (a sandboxed iframe)', async () => {
    const { context, errors, open } = await newContext(browser)
    const page = await open(site.http('www.example.test', '/sandboxed'))
    const frame = page.frames()[1]!
    await frame.waitForFunction(() => typeof window.idstitch === 'function' && 'getVisitorId' in window.idstitch, null, { timeout: 5_000 })
    const visitor: string = await frame.evaluate(() => window.idstitch.getVisitorId())
    expect(visitor).toMatch(UUID)
    expect(await frame.evaluate(() => window.idstitch.identify('usr_framed'))).toEqual({ ok: true, status: 0 })
    expect(await frame.evaluate(() => window.idstitch.getVisitorId())).toBe(visitor)
    expect(await frame.evaluate(() => window.idstitch.getContactId())).toBe('usr_framed')
    await frame.evaluate(() => window.idstitch.reset())
    expect(await frame.evaluate(() => window.idstitch.getContactId())).toBeUndefined()
    expect(await context.cookies()).toEqual([])
    expect(errors).toEqual([])
    await context.close()
  })

  it('uses randomUUID on https and the getRandomValues fallback on plain http', async () => {
    const { context, open } = await newContext(browser)
    const insecure = await open(site.http('www.example.test'))
    expect(await insecure.evaluate(() => typeof crypto.randomUUID)).toBe('undefined')
    const secure = await open(site.https('www.example.test'))
    expect(await secure.evaluate(() => typeof crypto.randomUUID)).toBe('function')
    await ready(secure)
    expect(await secure.evaluate(() => window.idstitch.getVisitorId())).toMatch(UUID)
    await context.close()
  })

  it('writes the pathbound preset as Pathbound does: SameSite=Strict; Secure on https', async () => {
    const { context, errors, open } = await newContext(browser)
    const page = await open(site.https('www.example.test', '/pathbound'))
    await ready(page)
    await page.evaluate(() => window.idstitch.identify('usr_8f3a2c9e'))
    const cookies = await context.cookies()
    expect(byName(cookies, 'pathbound_visitor_id')).toMatchObject({ value: expect.stringMatching(UUID), domain: '.example.test', sameSite: 'Strict', secure: true })
    expect(byName(cookies, 'pathbound_external_contact_id')).toMatchObject({ value: 'usr_8f3a2c9e', domain: '.example.test', path: '/', sameSite: 'Strict', secure: true })
    expect(byName(cookies, 'idstitch_visitor_id')).toBeUndefined()
    expect(errors).toEqual([])
    await context.close()
  })

  it('keeps the visitor id a provider tracker wrote before it (datafast preset)', async () => {
    const { context, open } = await newContext(browser)
    const existing = '0b7e1f0c-52a4-4c55-8f3e-9d3f5a1e2b10'
    await context.addCookies([{ name: 'datafast_visitor_id', value: existing, domain: '.example.test', path: '/' }])
    const page = await open(site.http('www.example.test', '/datafast'))
    await ready(page)
    expect(await page.evaluate(() => window.idstitch.getVisitorId())).toBe(existing)
    expect(byName(await context.cookies(), 'datafast_visitor_id')).toMatchObject({ value: existing, domain: '.example.test' })
    await context.close()
  })

  it('honours cookie names and lifetime overridden one by one, and host-only cookies', async () => {
    const { context, open } = await newContext(browser)
    const page = await open(site.http('www.example.test', '/custom'))
    await ready(page)
    await page.evaluate(() => window.idstitch.identify('usr_1'))
    const cookies = await context.cookies()
    expect(byName(cookies, 'vid')).toMatchObject({ domain: 'www.example.test' })
    expect(byName(cookies, 'cid')).toMatchObject({ value: 'usr_1', domain: 'www.example.test', sameSite: 'Lax', secure: false })
    for (const name of ['vid', 'cid']) expect(byName(cookies, name)!.expires - Date.now() / 1000).toBeCloseTo(30 * 86400, -2)
    await context.close()
  })

  it('keeps a lifetime past 400 days at 400, as browsers cap it, never a session cookie', async () => {
    const { context, open } = await newContext(browser)
    const page = await open(site.http('www.example.test', '/forever'))
    await ready(page)
    await page.evaluate(() => window.idstitch.identify('usr_1'))
    const cookies = await context.cookies()
    for (const name of ['idstitch_visitor_id', 'idstitch_external_contact_id']) expect(byName(cookies, name)!.expires - Date.now() / 1000).toBeCloseTo(400 * 86400, -2)
    await context.close()
  })

  it('writes host-only cookies on an IP host', async () => {
    const { context, errors, open } = await newContext(browser)
    const page = await open(site.http('127.0.0.1'))
    await ready(page)
    await page.evaluate(() => window.idstitch.identify('usr_ip'))
    const cookies = await context.cookies()
    expect(byName(cookies, 'idstitch_visitor_id')).toMatchObject({ domain: '127.0.0.1', value: expect.stringMatching(UUID) })
    expect(byName(cookies, 'idstitch_external_contact_id')).toMatchObject({ domain: '127.0.0.1', value: 'usr_ip' })
    expect(errors).toEqual([])
    await context.close()
  })

  it('sets and clears the contact cookie with identify() and reset(), and rotates the visitor for another user', async () => {
    const { context, errors, open } = await newContext(browser)
    const page = await open(site.http('www.example.test'))
    await ready(page)
    const first: string = await page.evaluate(() => window.idstitch.getVisitorId())
    await page.evaluate(() => window.idstitch.identify('usr_alice', { email: 'alice@example.com' }))
    expect(byName(await context.cookies(), 'idstitch_external_contact_id')).toMatchObject({ value: 'usr_alice', domain: '.example.test', sameSite: 'Lax' })
    expect((await context.cookies()).some((cookie) => cookie.value.includes('alice@'))).toBe(false)

    await page.evaluate(() => window.idstitch.reset())
    expect(byName(await context.cookies(), 'idstitch_external_contact_id')).toBeUndefined()
    expect(await page.evaluate(() => window.idstitch.getVisitorId())).toBe(first)

    await page.evaluate(() => window.idstitch.identify('usr_bob'))
    const second: string = await page.evaluate(() => window.idstitch.getVisitorId())
    expect(second).not.toBe(first)
    expect(byName(await context.cookies(), 'idstitch_visitor_id')?.value).toBe(second)

    await page.evaluate(() => window.idstitch.reset({ rotateVisitor: true }))
    const third: string = await page.evaluate(() => window.idstitch.getVisitorId())
    expect(third).not.toBe(second)
    expect(byName(await context.cookies(), 'idstitch_visitor_id')?.value).toBe(third)
    expect(errors).toEqual([])
    await context.close()
  })

  it('stores contact ids as js-cookie and the Node SDK read them, and reads theirs back', async () => {
    const { context, errors, open } = await newContext(browser)
    const page = await open(site.http('www.example.test'))
    await ready(page)
    // Every cookie-safe character, a literal percent sign among them (js-cookie writes it as %25).
    const id = "!#$%&'()*+-./09:<=>?@AZ[]^_`az{|}~"
    await page.evaluate((value) => window.idstitch.identify(value), id)
    await page.addScriptTag({ type: 'module', content: "import Cookies from '/js-cookie.mjs'; window.jsCookie = Cookies" })
    await page.waitForFunction(() => window.jsCookie !== undefined)
    expect(await page.evaluate(() => window.jsCookie.get('idstitch_external_contact_id'))).toBe(id)
    const header = (await context.cookies()).map((cookie) => `${cookie.name}=${cookie.value}`).join('; ')
    expect(getContactId(header)).toBe(id)

    // Written by a js-cookie tracker, then by the server's Set-Cookie: the tracker reads both.
    await page.evaluate(() => window.jsCookie.set('idstitch_external_contact_id', 'usr_1%2@x', { domain: 'example.test' }))
    expect(await page.evaluate(() => window.idstitch.getContactId())).toBe('usr_1%2@x')
    const serverValue = contactCookie('usr_2/%/@').split(';')[0]!
    expect(serverValue).toBe('idstitch_external_contact_id=usr_2/%25/@') // as js-cookie and the tracker write it
    await page.evaluate((cookie) => (document.cookie = `${cookie}; path=/; domain=example.test`), serverValue)
    expect(await page.evaluate(() => window.idstitch.getContactId())).toBe('usr_2/%/@')
    // What a server writing with the cookie library's default encoding sends reads the same.
    await page.evaluate(() => (document.cookie = 'idstitch_external_contact_id=usr_3%2F%25%2F%40; path=/; domain=example.test'))
    expect(await page.evaluate(() => window.idstitch.getContactId())).toBe('usr_3/%/@')
    expect(errors).toEqual([])
    await context.close()
  })

  it('notices a logout in another tab when the page becomes visible again', async () => {
    const { context, open } = await newContext(browser)
    const page = await open(site.http('www.example.test'))
    await ready(page)
    await page.evaluate(() => window.idstitch.identify('usr_tabs'))
    const other = await open(site.http('app.example.test'))
    await ready(other)
    await other.evaluate(() => window.idstitch.reset())
    await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')))
    expect(await page.evaluate(() => window.idstitch.getContactId())).toBeUndefined()
    await context.close()
  })

  it('refuses unsafe external ids with a clear message and writes nothing', async () => {
    const { context, open } = await newContext(browser)
    const page = await open(site.http('www.example.test'))
    await ready(page)
    for (const id of ['', 'x'.repeat(101), 'a;b', 'a\nb', 'a b']) {
      const message = await page.evaluate((value) => window.idstitch.identify(value).then(() => 'resolved', (error: Error) => error.message), id)
      expect(message).toMatch(/^\[idstitch\] identify\(\): externalId must be 1-100 cookie-safe characters/)
    }
    expect(byName(await context.cookies(), 'idstitch_external_contact_id')).toBeUndefined()
    await context.close()
  })

  it('replays the calls the stub queued before the script loaded, in order', async () => {
    const { context, errors, open } = await newContext(browser)
    const page = await open(site.http('www.example.test', '/queued'))
    await ready(page)
    // identify(usr_early), reset, identify(usr_later): the last one stands, and the visitor rotated for the new user.
    expect(await page.evaluate(() => window.idstitch.getContactId())).toBe('usr_later')
    expect(byName(await context.cookies(), 'idstitch_external_contact_id')?.value).toBe('usr_later')
    expect(await page.evaluate(() => window.idstitch('getVisitorId'))).toMatch(UUID)
    expect(errors).toEqual([])
    await context.close()
  })

  it('relays identify() to the endpoint with the visitor id and credentials, and resolves with the answer', async () => {
    const { context, errors, open } = await newContext(browser)
    // The request the tracker makes, as Chromium builds it: it outlives the page (keepalive), carries the app's
    // session cookie (credentials: 'include', so a relay on another of the site's origins gets it too:
    // cross-origin-relay.test.ts), and has a timeout signal.
    await context.addInitScript(() => {
      const sent: { keepalive: boolean; credentials: string; method: string; signal: boolean }[] = []
      const original = window.fetch.bind(window)
      Object.assign(window, { sent })
      window.fetch = (input, init) => {
        const request = new Request(input, init)
        sent.push({ keepalive: request.keepalive, credentials: request.credentials, method: request.method, signal: init?.signal instanceof AbortSignal })
        return original(input, init)
      }
    })
    const page = await open(site.http('app.example.test', '/relay'))
    await ready(page)
    const outcome = await page.evaluate(() => window.idstitch.identify('usr_relay', { plan: 'pro' }))
    const visitor: string = await page.evaluate(() => window.idstitch.getVisitorId())
    expect(outcome).toEqual({ ok: true, status: 200, data: { ok: true, results: [{ provider: 'sandbox', status: 'delivered' }] } })
    expect(site.relayed).toHaveLength(1)
    expect(site.relayed[0]?.body).toEqual({ anonymousId: visitor, userId: 'usr_relay', traits: { plan: 'pro' } })
    expect(site.relayed[0]?.cookie).toContain(`idstitch_visitor_id=${visitor}`)
    expect(site.relayed[0]?.cookie).toContain('idstitch_external_contact_id=usr_relay')
    expect(await page.evaluate(() => (window as unknown as { sent: unknown[] }).sent)).toEqual([{ keepalive: true, credentials: 'include', method: 'POST', signal: true }])
    expect(errors).toEqual([])
    await context.close()
  })


  it('resolves { ok: false, status: 0 } without throwing when traits pass the 64 KB a keepalive request may carry (docs/tracker.md)', async () => {
    const { context, errors, open } = await newContext(browser)
    const page = await open(site.http('app.example.test', '/relay'))
    await ready(page)
    const outcome = await page.evaluate(() => window.idstitch.identify('usr_large', { notes: 'n'.repeat(70_000) }))
    expect(outcome).toEqual({ ok: false, status: 0 })
    expect(site.relayed).toHaveLength(0)
    // The same identify with small traits is relayed: nothing else was in the way.
    expect(await page.evaluate(() => window.idstitch.identify('usr_large', { notes: 'n'.repeat(1_000) }))).toMatchObject({ ok: true, status: 200 })
    expect(site.relayed).toHaveLength(1)
    expect(errors).toEqual([])
    await context.close()
  })
  it('writes and relays nothing until consent, then persists the same id; consent(false) removes them', async () => {
    const { context, open } = await newContext(browser)
    const page = await open(site.http('www.example.test', '/consent'))
    await ready(page)
    const id: string = await page.evaluate(() => window.idstitch.getVisitorId())
    const relayed = site.relayed.length
    await page.evaluate(() => window.idstitch.identify('usr_consent'))
    expect(await context.cookies()).toEqual([])
    expect(site.relayed).toHaveLength(relayed) // nothing leaves the browser before consent
    await page.evaluate(() => window.idstitch.consent(true))
    expect(byName(await context.cookies(), 'idstitch_visitor_id')?.value).toBe(id)
    expect(byName(await context.cookies(), 'idstitch_external_contact_id')?.value).toBe('usr_consent')
    await page.evaluate(() => window.idstitch.identify('usr_consent'))
    expect(site.relayed.at(-1)?.body).toEqual({ anonymousId: id, userId: 'usr_consent' })
    await page.evaluate(() => window.idstitch.consent(false))
    expect(await context.cookies()).toEqual([])
    await context.close()
  })

  it('fails closed on a consent value it does not know: no cookie, and a warning', async () => {
    const { context, open } = await newContext(browser)
    const page = await open(site.http('www.example.test', '/consent-typo'))
    const warnings: string[] = []
    page.on('console', (message) => void (message.type() === 'warning' && warnings.push(message.text())))
    await page.reload()
    await ready(page)
    await page.evaluate(() => window.idstitch.identify('usr_typo'))
    await page.evaluate(() => window.idstitch.reset({ rotateVisitor: true }))
    expect(await context.cookies()).toEqual([])
    expect(warnings.join('\n')).toContain('consent is required')
    await context.close()
  })

  it('runs one tracker when the script is loaded twice: consent(false) stops the only one there is', async () => {
    const { context, open } = await newContext(browser)
    const page = await open(site.http('www.example.test', '/twice'))
    await ready(page)
    await page.waitForFunction(() => document.querySelectorAll('script[src="/idstitch.js"]').length === 2)
    await page.evaluate(() => window.idstitch.consent(true))
    const id = byName(await context.cookies(), 'idstitch_visitor_id')?.value
    expect(id).toMatch(UUID)
    await page.evaluate(() => window.idstitch.consent(false))
    expect(await context.cookies()).toEqual([])
    // A second tracker would rewrite the visitor cookie when the page becomes visible again.
    await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')))
    expect(await context.cookies()).toEqual([])
    await context.close()
  })

  it('writes nothing with data-respect-dnt and a pathbound_dnt=1 cookie', async () => {
    const { context, open } = await newContext(browser)
    await context.addCookies([{ name: 'pathbound_dnt', value: '1', domain: '.example.test', path: '/' }])
    const page = await open(site.https('www.example.test', '/dnt'))
    await ready(page)
    await page.evaluate(() => window.idstitch.identify('usr_dnt'))
    expect((await context.cookies()).map((cookie) => cookie.name)).toEqual(['pathbound_dnt'])
    await context.close()
  })
})

describe('the ESM build in Chromium', () => {
  it('exposes createTracker and the default-instance functions, and relays identify()', async () => {
    const { context, errors, open } = await newContext(browser)
    const page = await open(site.http('app.example.test', '/esm'))
    await page.waitForFunction(() => window.esm !== undefined)
    expect(await page.evaluate(() => Object.keys(window.esm).sort())).toEqual(['consent', 'createTracker', 'getContactId', 'getVisitorId', 'identify', 'init', 'isConfigError', 'isIdstitchError', 'isValidationError', 'reset'])
    const visitor: string = await page.evaluate(() => window.esm.getVisitorId())
    expect(visitor).toMatch(UUID)
    const outcome = await page.evaluate(() => window.esm.identify('usr_spa', { plan: 'team' }))
    expect(outcome).toMatchObject({ ok: true, status: 200 })
    expect(site.relayed[0]?.body).toEqual({ anonymousId: visitor, userId: 'usr_spa', traits: { plan: 'team' } })
    await page.evaluate(() => window.esm.reset())
    expect(byName(await context.cookies(), 'idstitch_external_contact_id')).toBeUndefined()
    expect(errors).toEqual([])
    await context.close()
  })
})
