import { startDemo, type Demo } from '@idstitch/demo'
import { SANDBOX_CREDENTIALS } from '@idstitch/sandbox'
import { BUILT_IN_PROVIDERS } from '@idstitch/node/providers'
import type { Cookie } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launch, newContext, ready, type Chromium } from './browser.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const ALICE = 'usr_3f9c2a71-8d4e-4b0a-9c55-1e2f3a4b5c6d'
const BOB = 'usr_7a1d0e3b-2c4f-4e8a-b6d9-9f8e7d6c5b4a'
const PROVIDERS = Object.keys(BUILT_IN_PROVIDERS)
/** The providers whose identify carries an anonymous id field. */
const WITH_VISITOR = ['datafast', 'pathbound', 'segment']

let browser: Chromium
let demo: Demo

beforeAll(async () => {
  ;[browser, demo] = await Promise.all([
    launch(),
    startDemo({ marketingHost: 'www.example.test', appHost: 'app.example.test', ports: { marketing: 0, app: 0, sandbox: 0 }, env: {} }),
  ])
})
afterAll(async () => {
  await browser?.close()
  await demo?.close()
})

const cookie = (cookies: Cookie[], name: string) => cookies.find((entry) => entry.name === name)
/** The providers that accepted something (Mixpanel records two things per identify: the merge, then the profile). */
const providersOf = (entries: { provider: string }[]) => [...new Set(entries.map((entry) => entry.provider))].sort()
const until = async (check: () => boolean, what: string) => {
  for (let tries = 0; tries < 100 && !check(); tries++) await new Promise((resolve) => setTimeout(resolve, 50))
  if (!check()) throw new Error(`timed out waiting for ${what}`)
}

describe('a visitor becomes a user, end to end in Chromium', () => {
  it('stitches the marketing visitor to the user at login, relays front-end identify, and keeps two users apart', async () => {
    expect(demo.where).toEqual(Object.fromEntries(PROVIDERS.map((name) => [name, 'sandbox'])))
    const { context, errors, open } = await newContext(browser)

    // 1. A visitor lands on the marketing site: the visitor cookie is minted on the shared domain.
    const site = await open(demo.marketingUrl)
    await ready(site)
    const visitor: string = await site.evaluate(() => window.idstitch.getVisitorId())
    expect(visitor).toMatch(UUID)
    expect(cookie(await context.cookies(), 'idstitch_visitor_id')).toMatchObject({ value: visitor, domain: '.example.test' })
    await until(() => demo.sandbox.visitors.has(visitor), 'the pageview: ' + errors.join(' / ') + ' url ' + demo.sandboxUrl)
    // posthog-js, on the same page, minted its own anonymous id, in its own cookie on the shared domain.
    await site.waitForFunction(() => document.getElementById('posthog')?.textContent?.includes('-'))
    const posthogId: string = await site.evaluate(() => (window as unknown as { posthog: { get_distinct_id(): string } }).posthog.get_distinct_id())
    expect(posthogId).not.toBe(visitor)
    expect(cookie(await context.cookies(), `ph_${SANDBOX_CREDENTIALS.posthog}_posthog`)).toMatchObject({ domain: '.example.test' })
    // So did Amplitude's browser SDK, in its AMP_<key> cookie.
    await site.waitForFunction(() => document.getElementById('amplitude')?.textContent?.includes('-'))
    const deviceId: string = await site.evaluate(() => (window as unknown as { amplitude: { getDeviceId(): string } }).amplitude.getDeviceId())
    expect(cookie(await context.cookies(), `AMP_${SANDBOX_CREDENTIALS.amplitude.slice(0, 10)}`)).toMatchObject({ domain: '.example.test' })
    // And mixpanel-browser, in its mp_<token>_mixpanel cookie.
    await site.waitForFunction(() => document.getElementById('mixpanel')?.textContent?.includes('-'))
    const mixpanelDevice: string = await site.evaluate(() => (window as unknown as { mixpanel: { get_property(name: string): string } }).mixpanel.get_property('$device_id'))
    expect(cookie(await context.cookies(), `mp_${SANDBOX_CREDENTIALS.mixpanel}_mixpanel`)).toMatchObject({ domain: '.example.test' })
    expect(new Set([visitor, posthogId, deviceId, mixpanelDevice]).size).toBe(4)
    const ga = cookie(await context.cookies(), '_ga')
    expect(ga).toMatchObject({ domain: '.example.test', value: expect.stringMatching(/^GA1\.1\.\d+\.\d+$/) })

    // Each tool's own SDK reported its id to its stand-in (gtag's, emulated, with the pageview): what a stitch joins.
    const gaClient = ga?.value.split('.').slice(2).join('.') as string
    for (const [tool, id] of [['posthog', posthogId], ['amplitude', deviceId], ['mixpanel', mixpanelDevice], ['ga4', gaClient], ['idstitch', visitor]] as const) {
      await until(() => demo.sandbox.seen(tool, id), `${tool}'s browser SDK to report ${id}`)
    }

    // 2. They go to the app on another subdomain: same visitor.
    const app = await open(demo.appUrl)
    await ready(app)
    expect(await app.evaluate(() => window.idstitch.getVisitorId())).toBe(visitor)

    // 3. They log in: the server's identify reaches every provider, with the visitor id where the provider has a field for it.
    await Promise.all([app.waitForURL(demo.appUrl), app.locator('#login button').click()])
    expect(await app.locator('#who').textContent()).toContain('alice')
    const login = demo.sandbox.inspected.filter((entry) => entry.userId === ALICE)
    expect(providersOf(login)).toEqual([...PROVIDERS].sort())
    for (const entry of login.filter((e) => WITH_VISITOR.includes(e.provider))) {
      expect(entry).toMatchObject({ anonymousId: visitor, knownVisitor: true, traits: expect.objectContaining({ plan: 'pro' }) })
    }
    // PostHog hears the id posthog-js minted, not idstitch's: its anonymous history merges into the user.
    expect(login.find((entry) => entry.provider === 'posthog')).toMatchObject({ anonymousId: posthogId, traits: expect.objectContaining({ plan: 'pro' }) })
    expect(login.find((entry) => entry.provider === 'amplitude')).toMatchObject({ anonymousId: deviceId })
    // Mixpanel merges mixpanel-browser's device id into the user, then gets the traits on the profile.
    expect(login.filter((entry) => entry.provider === 'mixpanel')).toEqual([
      expect.objectContaining({ anonymousId: mixpanelDevice, traits: {} }),
      expect.objectContaining({ traits: expect.objectContaining({ plan: 'pro', $email: 'alice@example.com' }) }),
    ])
    // GA4 hears the gtag client id from the _ga cookie, and never the email (Google's policies forbid personal data).
    const gaLogin = login.find((entry) => entry.provider === 'ga4')
    expect(gaLogin).toMatchObject({ anonymousId: ga?.value.split('.').slice(2).join('.'), traits: { plan: 'pro' } })
    expect(gaLogin?.traits).not.toHaveProperty('email')
    // The sandbox says, per tool, whether the login joined an id that tool had seen: every tool that takes one is stitched.
    const stitch = Object.fromEntries(PROVIDERS.map((provider) => [provider, login.some((entry) => entry.provider === provider && entry.stitched) ? 'stitched' : login.find((entry) => entry.provider === provider)?.why]))
    expect(stitch).toEqual({
      datafast: 'stitched',
      pathbound: 'stitched',
      segment: 'stitched',
      posthog: 'stitched',
      mixpanel: 'stitched',
      amplitude: 'stitched',
      ga4: 'stitched',
      dfend: "dfend's API takes no anonymous id",
      thrivestack: "thrivestack's API takes no anonymous id",
      monterosa: "monterosa's API takes no anonymous id",
    })
    // And its page shows it, one line per tool for the user.
    const inspector = await open(demo.sandboxUrl)
    await inspector.waitForFunction((user) => document.querySelectorAll(`#stitches tr[data-user="${user}"]`).length === 10, ALICE)
    expect(await inspector.locator(`#stitches tr[data-user="${ALICE}"][data-stitched="true"]`).count()).toBe(7)
    expect(cookie(await context.cookies(), 'idstitch_external_contact_id')).toMatchObject({ value: ALICE, domain: '.example.test', httpOnly: false })
    await ready(app)
    expect(await app.evaluate(() => window.idstitch.getContactId())).toBe(ALICE)

    // 4. The front end calls identify() with traits: relayed through the app's endpoint, authenticated by the session.
    await app.locator('#front-identify').click()
    await app.waitForFunction(() => document.getElementById('outcome')?.textContent !== '')
    expect(await app.locator('#outcome').textContent()).toBe('relayed ✓')
    const relayed = demo.sandbox.inspected.filter((entry) => entry.userId === ALICE && entry.traits.seenFeature === 'front-end identify')
    expect(providersOf(relayed)).toEqual([...PROVIDERS].sort())
    for (const entry of relayed.filter((e) => WITH_VISITOR.includes(e.provider))) expect(entry.anonymousId).toBe(visitor)
    // The app's authenticate() adds the session's email, which the page never sent, as a trait it vouches for
    // (Mixpanel keeps it as its reserved $email). GA4 excepted: Google's policies forbid personal data, so idstitch never sends it an email.
    for (const entry of relayed.filter((e) => e.provider !== 'ga4')) expect(entry.traits).toMatchObject(entry.provider === 'mixpanel' ? { $email: 'alice@example.com' } : { email: 'alice@example.com' })

    // 5. A forged relay from another origin never reaches a provider.
    const before = demo.sandbox.inspected.length
    const forged = await site.evaluate(
      (url) => fetch(url, { method: 'POST', credentials: 'include', headers: { 'content-type': 'application/json' }, body: '{"traits":{"forged":true}}' }).then((r) => r.status, () => 'blocked'),
      `${demo.appUrl}api/identify`,
    )
    expect(forged).toBe('blocked')
    expect(demo.sandbox.inspected.length).toBe(before)

    // 6. They log out: the contact cookie is gone, the visitor id stays.
    await Promise.all([app.waitForURL(demo.appUrl), app.locator('#logout').click()])
    expect(cookie(await context.cookies(), 'idstitch_external_contact_id')).toBeUndefined()
    expect(cookie(await context.cookies(), 'idstitch_visitor_id')?.value).toBe(visitor)

    // 7. Someone else logs in on the same browser: a new visitor, so the two histories never merge.
    await app.locator('select[name=user]').selectOption('bob')
    await Promise.all([app.waitForURL(demo.appUrl), app.locator('#login button').click()])
    const second = cookie(await context.cookies(), 'idstitch_visitor_id')?.value
    expect(second).toMatch(UUID)
    expect(second).not.toBe(visitor)
    expect(cookie(await context.cookies(), 'idstitch_external_contact_id')?.value).toBe(BOB)
    const bob = demo.sandbox.inspected.filter((entry) => entry.userId === BOB)
    // DataFast and GA4 skip: the new visitor has no history to stitch yet, and alice's GA client id is not bob's.
    expect(providersOf(bob)).toEqual(PROVIDERS.filter((name) => name !== 'datafast' && name !== 'ga4').sort())
    expect(bob.every((entry) => entry.anonymousId !== visitor)).toBe(true)
    await ready(app)
    expect(await app.evaluate(() => window.idstitch.getVisitorId())).toBe(second)

    const unexpected = errors.filter((error) => !/CORS|Failed to fetch|net::ERR_FAILED/.test(error))
    expect(unexpected, unexpected.join(" / ")).toEqual([])
    await context.close()
  })

  it('works the same from a single-page app that imports the tracker: identify() after login, reset() after logout', async () => {
    const { context, errors, open } = await newContext(browser)
    const site = await open(demo.marketingUrl)
    await ready(site)
    const seen: string = await site.evaluate(() => window.idstitch.getVisitorId())
    await until(() => demo.sandbox.visitors.has(seen), 'the pageview')
    const spa = await open(`${demo.appUrl}spa`)
    await spa.waitForFunction(() => document.getElementById('visitor')?.textContent !== '…')
    const visitor = await spa.locator('#visitor').textContent()
    expect(visitor).toBe(seen)
    const before = demo.sandbox.inspected.length

    await spa.locator('#login').click()
    await spa.waitForFunction(() => document.getElementById('status')?.textContent?.includes('relayed'))
    expect(cookie(await context.cookies(), 'idstitch_external_contact_id')).toMatchObject({ value: ALICE, domain: '.example.test' })
    const relayed = demo.sandbox.inspected.slice(before)
    expect(providersOf(relayed)).toEqual([...PROVIDERS].sort())
    expect(relayed.filter((entry) => WITH_VISITOR.includes(entry.provider)).every((entry) => entry.anonymousId === visitor)).toBe(true)

    // The SPA identifies on every route change: each is the identify the providers already accepted, so none is sent again.
    const accepted = demo.sandbox.inspected.length
    for (const route of ['#/pricing', '#/docs', '#/account']) {
      await spa.locator(`a[href="${route}"]`).click()
      await spa.waitForFunction((hash) => document.getElementById('route')?.textContent === `${hash}: duplicate`, route)
    }
    expect(demo.sandbox.inspected.length).toBe(accepted)

    await spa.locator('#logout').click()
    await spa.waitForFunction(() => document.getElementById('status')?.textContent === 'logged out')
    expect(cookie(await context.cookies(), 'idstitch_external_contact_id')).toBeUndefined()
    expect(cookie(await context.cookies(), 'idstitch_visitor_id')?.value).toBe(visitor)
    expect(errors).toEqual([])
    await context.close()
  })
})
