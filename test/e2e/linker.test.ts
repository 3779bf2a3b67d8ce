// The visitor id across registrable domains (#24, item 1): www.example.test links to www.example-app.test,
// both mapped to 127.0.0.1, in Chromium. The source page loads the opt-in linker (idstitch.linker.js); the
// destination's tracker adopts the link only in the browser that made it, within two minutes.
import { readFileSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createClient, createIdentifyHandler, loginCookies } from '@idstitch/node'
import { toNodeHandler } from '@idstitch/node/node-http'
import { pathbound } from '@idstitch/node/providers'
import { pathboundRule, startProviderServer, type ProviderServer } from '@idstitch/sandbox'
import express from 'express'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launch, newContext, ready, type Chromium } from './browser.js'
import { scriptTagPage } from './site.js'

const KEY = 'pb_linker_0123456789'
let browser: Chromium
let server: Server
let sandbox: ProviderServer
let port: number
const url = (host: string, path = '/') => `http://${host}:${port}${path}`

beforeAll(async () => {
  sandbox = await startProviderServer([pathboundRule({ keys: [{ key: KEY, scopes: ['contacts:write'] }] })])
  const client = createClient({ logger: false, providers: [pathbound({ apiKey: KEY, baseUrl: sandbox.url })] })
  const dist = (file: string) => readFileSync(new URL(`../../packages/tracker/dist/${file}`, import.meta.url), 'utf8')
  const app = express()
  app.get('/idstitch.js', (_req, res) => void res.type('text/javascript').send(dist('idstitch.js')))
  app.get('/idstitch.linker.js', (_req, res) => void res.type('text/javascript').send(dist('idstitch.linker.js')))
  // Each domain's pages load the linker (listing the other domain) before the tracker, as docs/tracker.md shows.
  const withLinker = (other: string, body = '') =>
    scriptTagPage()
      .replace('<script defer src="/idstitch.js"', `<script defer src="/idstitch.linker.js" data-link-domains="${other}"></script>\n<script defer src="/idstitch.js"`)
      .replace('</body>', `${body}</body>`)
  // The marketing site, with a link to the app's domain.
  app.get('/', (_req, res) => void res.type('html').send(withLinker('example-app.test', `<a id="signup" href="${url('www.example-app.test', '/signup?plan=pro')}">Sign up</a><a id="broken" href="http://[">a broken link</a>`)))
  app.get('/signup', (_req, res) => void res.type('html').send(withLinker('example.test')))
  // A page of the app whose tracker relays its identify() (front-end login), and the relay, told the tracker's domain.
  app.get('/account', (_req, res) => void res.type('html').send(withLinker('example.test').replace('<script defer src="/idstitch.js"', '<script defer src="/idstitch.js" data-endpoint="/api/identify"')))
  app.post('/api/identify', toNodeHandler(createIdentifyHandler({ client, authenticate: () => 'usr_relayed', cookieDomain: 'example-app.test' })))
  // A page of the app's domain without the linker: a link is not adopted there.
  app.get('/plain', (_req, res) => void res.type('html').send(scriptTagPage()))
  // The app's login route: one identify for the browser's own visitor, one for each visitor linked to it.
  app.post('/login', async (req, res) => {
    const login = loginCookies(req, 'usr_linked', { secure: false })
    await client.identify({ userId: 'usr_linked', anonymousId: login.anonymousId })
    for (const anonymousId of login.linkedIds) await client.identify({ userId: 'usr_linked', anonymousId })
    res.setHeader('set-cookie', login.setCookie).json({ linkedIds: login.linkedIds })
  })
  ;[browser, server] = await Promise.all([launch(), new Promise<Server>((resolve) => { const listening = app.listen(0, '127.0.0.1', () => resolve(listening)) })])
  port = (server.address() as AddressInfo).port
})

afterAll(async () => {
  await browser?.close()
  await new Promise((resolve) => server?.close(resolve))
  await sandbox?.close()
})

const visitorOf = (page: Page) => page.evaluate(() => window.idstitch.getVisitorId())
/** The app domain's linked-ids cookies in `context`. */
const linkedCookie = async (context: BrowserContext) => (await context.cookies(url('www.example-app.test'))).filter((cookie) => cookie.name === 'idstitch_linked_ids')

/** Follows the marketing site's sign-up link; resolves with the decorated URL the browser asked for, and the page. */
const followLink = async (context: BrowserContext) => {
  const page = await context.newPage()
  await page.goto(url('www.example.test'))
  await ready(page)
  const source = await visitorOf(page)
  const asked = page.waitForRequest((request) => request.url().includes('/signup'))
  await page.click('#signup')
  const decorated = (await asked).url()
  await page.waitForURL((address) => address.pathname === '/signup')
  await ready(page)
  return { page, source, decorated }
}

/**
 * A browser that has its own visitor on the app's domain (a page at `path` there), then follows the marketing
 * site's link to it: the linked id is remembered beside its own. `app` is the first page, `page` the link's.
 */
const linkedDestination = async (path: string) => {
  const { context } = await newContext(browser)
  const app = await context.newPage()
  await app.goto(url('www.example-app.test', path))
  await ready(app)
  const own = await visitorOf(app)
  const { page, source } = await followLink(context)
  return { context, app, own, page, source }
}

describe('the cross-domain linker, in Chromium', () => {
  it('keeps the visitor id from one registrable domain to the other, and leaves a clean address bar', async () => {
    const { context } = await newContext(browser)
    const { page, source, decorated } = await followLink(context)
    expect(decorated).toContain('_isl=')
    expect(await visitorOf(page)).toBe(source)
    expect(page.url()).toBe(url('www.example-app.test', '/signup?plan=pro'))
    await context.close()
  })

  it("leaves a link the browser cannot parse as it is, without an error in the page's console", async () => {
    const { context } = await newContext(browser)
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    await page.goto(url('www.example.test'))
    await ready(page)
    await page.dispatchEvent('#broken', 'mousedown')
    expect(await page.getAttribute('#broken', 'href')).toBe('http://[')
    expect(errors).toEqual([])
    await context.close()
  })

  it('mints a new id for the same decorated URL in another browser, or after two minutes', async () => {
    const { context } = await newContext(browser)
    const { source, decorated } = await followLink(context)
    await context.close()
    const other = await newContext(browser, { userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15' })
    const shared = await other.context.newPage()
    await shared.goto(decorated)
    await ready(shared)
    expect(await visitorOf(shared)).not.toBe(source)
    await other.context.close()
    // The same browser, three minutes later by a clock the test controls.
    const later = await newContext(browser)
    const page = await later.context.newPage()
    await page.clock.install({ time: Date.now() + 3 * 60_000 })
    await page.goto(decorated)
    await ready(page)
    expect(await visitorOf(page)).not.toBe(source)
    await later.context.close()
  })

  it('joins the linked id through the relay, then deletes the linked-ids cookie the tracker wrote on its domain', async () => {
    const { context, app, own, source } = await linkedDestination('/account')
    expect((await linkedCookie(context)).map((cookie) => [cookie.value, cookie.domain])).toEqual([[source, '.example-app.test']])
    await app.reload()
    await ready(app)
    const outcome = await app.evaluate(() => window.idstitch.identify('usr_relayed'))
    expect(outcome).toMatchObject({ ok: true, status: 200 })
    const stitched = sandbox.accepted.filter((identify) => identify.userId === 'usr_relayed').map((identify) => identify.anonymousId)
    expect(stitched.sort()).toEqual([own, source].sort())
    expect(await linkedCookie(context)).toEqual([])
    await context.close()
  })

  it('forgets the linked ids when the destination starts a new visitor (a logout on a shared computer)', async () => {
    const { context, page } = await linkedDestination('/signup')
    expect(await linkedCookie(context)).toHaveLength(1)
    await page.evaluate(() => window.idstitch.reset({ rotateVisitor: true }))
    expect(await linkedCookie(context)).toEqual([])
    await context.close()
  })

  it('lets a destination with its own visitor id keep it, and joins both ids to the user at login', async () => {
    const { context, own, page, source } = await linkedDestination('/signup')
    expect(source).not.toBe(own)
    expect(await visitorOf(page)).toBe(own)
    const answer = await page.evaluate(async () => (await fetch('/login', { method: 'POST' })).json())
    expect(answer).toEqual({ linkedIds: [source] })
    const stitched = sandbox.accepted.filter((identify) => identify.userId === 'usr_linked').map((identify) => identify.anonymousId)
    expect(stitched.sort()).toEqual([own, source].sort())
    await context.close()
  })
})
