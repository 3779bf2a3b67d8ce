// The script tag on the marketing site (www.) relaying identify() to the app's relay (app.), which lists the
// marketing site in allowedOrigins, in Chromium: the session cookie the app set on the registrable domain must
// reach the relay, or it can only answer 401. The real relay, behind toNodeHandler, delivering to the sandbox.
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createClient, createIdentifyHandler, type IdstitchClient } from '@idstitch/node'
import { toNodeHandler } from '@idstitch/node/node-http'
import { pathbound } from '@idstitch/node/providers'
import { SANDBOX_CREDENTIALS, startSandbox, type Sandbox } from '@idstitch/sandbox'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launch, newContext, ready, type Chromium } from './browser.js'
import { scriptTagPage } from './site.js'

let browser: Chromium
let sandbox: Sandbox
let client: IdstitchClient
let server: Server
let port: number
const www = () => `http://www.example.test:${port}`
const app = () => `http://app.example.test:${port}`

/** The app's session: a cookie on the registrable domain, as an app shared with its marketing site sets it. */
const sessionOf = (request: Request) => /(?:^|;\s*)session=(usr_\w+)/.exec(request.headers.get('cookie') ?? '')?.[1]

beforeAll(async () => {
  ;[browser, sandbox] = await Promise.all([launch(), startSandbox()])
  client = createClient({ logger: false, providers: [pathbound({ apiKey: SANDBOX_CREDENTIALS.pathbound, baseUrl: sandbox.url })] })
  const tracker = readFileSync(new URL('../../packages/tracker/dist/idstitch.js', import.meta.url), 'utf8')
  let relay: ReturnType<typeof toNodeHandler> | undefined
  // One server for both hosts, told apart by Host: the marketing site's pages, and the app's relay.
  server = createServer((req, res) => {
    if (req.url === '/idstitch.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(tracker)
    if (req.url === '/api/identify' && req.headers.host?.startsWith('app.') && relay) return void relay(req, res)
    res.writeHead(200, { 'content-type': 'text/html', 'set-cookie': 'session=usr_across; Domain=example.test; Path=/; SameSite=Lax' })
    res.end(scriptTagPage(`data-endpoint="${app()}/api/identify"`))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
  // The app's relay allows the marketing site, whose origin is known once the port is.
  relay = toNodeHandler(createIdentifyHandler({ client, authenticate: sessionOf, allowedOrigins: [www()] }))
})

afterAll(async () => {
  await browser?.close()
  await client?.shutdown()
  await new Promise((resolve) => server?.close(resolve))
  await sandbox?.close()
})

describe("identify() to the app's relay from the marketing site, in Chromium", () => {
  it('carries the session cookie, and the relay stitches the session user to the visitor', async () => {
    const { context, errors, open } = await newContext(browser)
    const page = await open(`${www()}/`)
    await ready(page)
    const outcome = await page.evaluate(() => window.idstitch.identify('usr_across', { plan: 'pro' }))
    const visitor: string = await page.evaluate(() => window.idstitch.getVisitorId())
    expect(outcome).toEqual({ ok: true, status: 200, data: { ok: true, results: [{ provider: 'pathbound', status: 'delivered' }] } })
    expect(await sandbox.waitForStitch('usr_across')).toEqual({ pathbound: [visitor] })
    expect(errors).toEqual([])
    await context.close()
  })
})
