// The visitor cookie set by the site's own server (#24): an Express marketing site with visitorMiddleware
// and the script tag, in Chromium. Safari's 7-day cap on script-written cookies cannot be shown in
// Chromium; what is shown is what avoids it: the server sets the cookie, and the tracker leaves it alone.
import { readFileSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { visitorMiddleware } from '@idstitch/node'
import express from 'express'
import type { Page, Response } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launch, newContext, ready, type Chromium } from './browser.js'
import { scriptTagPage } from './site.js'

const REFRESH_MS = 1_000
let browser: Chromium
let server: Server
let origin: string

beforeAll(async () => {
  const app = express()
  // As a marketing site mounts it; a short refresh window stands for a day, so the browser's own expiry can be waited for.
  app.use(visitorMiddleware({ secure: false, refreshAfterMs: REFRESH_MS }))
  const tracker = readFileSync(new URL('../../packages/tracker/dist/idstitch.js', import.meta.url), 'utf8')
  app.get('/idstitch.js', (_req, res) => void res.type('text/javascript').send(tracker))
  app.get('/', (_req, res) => void res.type('html').send(scriptTagPage()))
  ;[browser, server] = await Promise.all([launch(), new Promise<Server>((resolve) => { const listening = app.listen(0, '127.0.0.1', () => resolve(listening)) })])
  origin = `http://www.example.test:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await browser?.close()
  await new Promise((resolve) => server?.close(resolve))
})

/** Records every cookie the page's scripts write, by name. */
const recordScriptWrites = (page: Page) =>
  page.addInitScript(() => {
    const descriptor = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie') as PropertyDescriptor
    const written: string[] = ((window as unknown as { written: string[] }).written = [])
    Object.defineProperty(Document.prototype, 'cookie', {
      get() {
        return descriptor.get?.call(this)
      },
      set(value: string) {
        written.push(value.split('=')[0] as string)
        descriptor.set?.call(this, value)
      },
    })
  })

/** The response's `Set-Cookie` headers (Playwright's `headers()` leaves them out), or null. */
const setCookieOf = async (response: Response | null) => (response ? response.headerValue('set-cookie') : null)

const visitorSetBy = (setCookie: string | null) => /idstitch_visitor_id=([0-9a-f-]{36})/.exec(setCookie ?? '')?.[1]

describe('the visitor cookie from the site’s own server, in Chromium', () => {
  it('is set by the first page response, read by the tracker as it is, never rewritten by script, and refreshed only once the day is over', async () => {
    const { context, errors } = await newContext(browser)
    const page = await context.newPage()
    await recordScriptWrites(page)
    const first = await page.goto(`${origin}/`)
    const minted = visitorSetBy(await setCookieOf(first))
    expect(minted).toMatch(/^[0-9a-f-]{36}$/)
    await ready(page)
    expect(await page.evaluate(() => window.idstitch.getVisitorId())).toBe(minted)
    expect(await page.evaluate(() => (window as unknown as { written: string[] }).written)).not.toContain('idstitch_visitor_id')

    // Within the refresh window: the page stays cacheable, no Set-Cookie.
    const again = await page.reload()
    expect(await setCookieOf(again)).toBeNull()

    // Once the browser has let the refresh mark expire: the same id, set again with a fresh expiry.
    await new Promise((resolve) => setTimeout(resolve, REFRESH_MS + 500))
    const later = await page.reload()
    expect(visitorSetBy(await setCookieOf(later))).toBe(minted)
    expect((await context.cookies()).find((cookie) => cookie.name === 'idstitch_visitor_id')?.value).toBe(minted)
    expect(errors).toEqual([])
    await context.close()
  })

  it('sets no cookie for a crawler', async () => {
    const { context } = await newContext(browser, { userAgent: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' })
    const page = await context.newPage()
    const response = await page.goto(`${origin}/`)
    expect(await setCookieOf(response)).toBeNull()
    await context.close()
  })
})
