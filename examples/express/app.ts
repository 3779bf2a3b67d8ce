// An Express app wired the way idstitch expects a login route to be:
//   POST /login        identify() with the visitor cookie, Set-Cookie the contact cookie
//   POST /logout       clear the contact cookie
//   POST /api/identify the relay for the tracker's front-end identify()
import { clearContactCookie, createIdentifyHandler, loginCookies, type IdentifyTarget } from '@idstitch/node'
import { toNodeHandler } from '@idstitch/node/node-http'
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import express, { type Request as ExpressRequest } from 'express'

const require = createRequire(import.meta.url)

/** Demo users. A real app's external id is stable and opaque (a UUID), never an email or a row number. */
export const USERS: Record<string, { externalId: string; email: string; plan: string }> = {
  alice: { externalId: 'usr_3f9c2a71-8d4e-4b0a-9c55-1e2f3a4b5c6d', email: 'alice@example.com', plan: 'pro' },
  bob: { externalId: 'usr_7a1d0e3b-2c4f-4e8a-b6d9-9f8e7d6c5b4a', email: 'bob@example.com', plan: 'free' },
}

/** The cookie domain to share with the marketing site: `example.com` for `app.example.com`; host-only on localhost and IPs. */
export const sharedDomain = (host: string | undefined): string | undefined => {
  const hostname = (host ?? '').replace(/:\d+$/, '')
  const labels = hostname.split('.')
  return labels.length >= 3 && !/^[\d.]+$/.test(hostname) ? labels.slice(1).join('.') : undefined
}

const SESSION = 'demo_session'

export interface AppOptions {
  /** An idstitch client, or (`pnpm demo --queue`) an @idstitch/queue queue. */
  client: IdentifyTarget
  /** Where the marketing site is, for the page's links. */
  marketingUrl?: string
  /** Where the provider sandbox's inspector is, for the page's links. */
  sandboxUrl?: string
}

/** The app. `marketingUrl` and `sandboxUrl` are read per request, so they may be filled in after the servers start. */
export const createApp = (options: AppOptions) => {
  const { client } = options
  const sessions = new Map<string, string>() // session token → user name
  const tokenOf = (cookieHeader: string | null | undefined) => /(?:^|;\s*)demo_session=([\w-]+)/.exec(cookieHeader ?? '')?.[1]
  const sessionUser = (cookieHeader: string | null | undefined) => {
    const token = tokenOf(cookieHeader)
    const name = token ? sessions.get(token) : undefined
    return name ? { name, ...USERS[name]! } : undefined
  }
  const cookieOptions = (req: ExpressRequest) => ({ domain: sharedDomain(req.headers.host), secure: req.secure })

  const relay = createIdentifyHandler({
    client,
    // The trusted user id comes from the session, never from the request body alone; the
    // session's email and plan go along as traits the server vouches for.
    authenticate: (request) => {
      const user = sessionUser(request.headers.get('cookie'))
      return user && { userId: user.externalId, traits: { email: user.email, plan: user.plan } }
    },
  })

  const app = express()
  app.use(express.urlencoded({ extended: false }))

  app.get('/idstitch.js', (_req, res) => {
    res.type('text/javascript').send(readFileSync(require.resolve('@idstitch/tracker/script'), 'utf8'))
  })

  app.post('/login', async (req, res) => {
    const name = String(req.body?.user ?? '')
    const user = USERS[name]
    if (!user) return void res.status(401).send('unknown user')
    // (A real app checks the password here.)
    const login = loginCookies(req, user.externalId, cookieOptions(req))
    const result = await client.identify({ userId: user.externalId, anonymousId: login.anonymousId, anonymousIds: login.anonymousIds, traits: { email: user.email, plan: user.plan } })
    // Visitor ids a cross-domain link brought beside this browser's own (another of the company's domains): their histories join the user too.
    for (const anonymousId of login.linkedIds) await client.identify({ userId: user.externalId, anonymousId })
    for (const entry of result.results) if (entry.status !== 'delivered' && entry.status !== 'queued') console.log(`[demo] ${entry.provider}: ${entry.status} ${entry.reason ?? entry.error?.message ?? ''}`)
    const token = randomUUID()
    sessions.set(token, name)
    res.setHeader('Set-Cookie', [...login.setCookie, `${SESSION}=${token}; Path=/; HttpOnly; SameSite=Lax`])
    res.redirect(303, '/')
  })

  app.post('/logout', (req, res) => {
    const token = tokenOf(req.headers.cookie)
    if (token) sessions.delete(token)
    res.setHeader('Set-Cookie', [clearContactCookie(cookieOptions(req)), `${SESSION}=; Path=/; Max-Age=0`])
    res.redirect(303, '/')
  })

  app.post('/api/identify', toNodeHandler(relay))

  // The single-page app (examples/spa) logs in with fetch, then calls the tracker's identify() itself.
  app.post('/api/session', express.json(), (req, res) => {
    const name = String(req.body?.user ?? '')
    if (!USERS[name]) return void res.status(401).json({ error: 'unknown user' })
    const token = randomUUID()
    sessions.set(token, name)
    res.setHeader('Set-Cookie', `${SESSION}=${token}; Path=/; HttpOnly; SameSite=Lax`).status(204).end()
  })
  app.delete('/api/session', (req, res) => {
    const token = tokenOf(req.headers.cookie)
    if (token) sessions.delete(token)
    res.setHeader('Set-Cookie', `${SESSION}=; Path=/; Max-Age=0`).status(204).end()
  })
  app.get('/api/me', (req, res) => {
    const user = sessionUser(req.headers.cookie)
    if (!user) return void res.status(401).json({ error: 'not logged in' })
    res.json({ externalId: user.externalId, plan: user.plan })
  })
  app.get('/spa', (_req, res) => void res.type('html').send(readFileSync(new URL('../spa/index.html', import.meta.url), 'utf8')))
  // The tracker's ESM build (require.resolve would give its CommonJS one), as its package.json exports it.
  const trackerPackage = require.resolve('@idstitch/tracker/package.json')
  const trackerModule = join(dirname(trackerPackage), (JSON.parse(readFileSync(trackerPackage, 'utf8')) as { exports: { '.': { import: { default: string } } } }).exports['.'].import.default)
  app.get('/tracker.mjs', (_req, res) => void res.type('text/javascript').send(readFileSync(trackerModule, 'utf8')))
  // The tracker's one dependency, which a bundler would resolve for a real single-page app: js-cookie (one file).
  const trackerRequire = createRequire(trackerModule)
  app.get('/js-cookie.mjs', (_req, res) => void res.type('text/javascript').send(readFileSync(trackerRequire.resolve('js-cookie').replace(/js\.cookie\.js$/, 'js.cookie.mjs'), 'utf8')))
  app.get('/favicon.ico', (_req, res) => void res.status(204).end())

  app.get('/', (req, res) => {
    const user = sessionUser(req.headers.cookie)
    res.type('html').send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Acme app</title>
<script>window.idstitch=window.idstitch||function(){(idstitch.q=idstitch.q||[]).push(arguments)}</script>
<script defer src="/idstitch.js" data-cookie-domain="auto" data-endpoint="/api/identify"></script>
<style>body { font: 16px/1.5 system-ui, sans-serif; margin: 3rem auto; max-width: 40rem } code { background: #f6f8fa; padding: .1rem .3rem } button { font: inherit }</style>
</head><body>
<h1>Acme app</h1>
<p>Visitor: <code id="visitor">…</code> · contact: <code id="contact">…</code></p>
${
  user
    ? `<p id="who">Logged in as <b>${user.name}</b> (<code>${user.externalId}</code>).</p>
<p><button id="front-identify" data-user="${user.externalId}">identify() from the front end</button> <span id="outcome"></span></p>
<form method="post" action="/logout"><button id="logout">Log out</button></form>`
    : `<form method="post" action="/login" id="login">
<label>User <select name="user"><option>alice</option><option>bob</option></select></label> <button>Log in</button>
</form>`
}
<p>${options.marketingUrl ? `<a href="${options.marketingUrl}">Marketing site</a> · ` : ''}${options.sandboxUrl ? `<a href="${options.sandboxUrl}" target="_blank">Provider sandbox</a>` : ''}</p>
<script>
window.addEventListener('load', function () {
  var show = function () {
    document.getElementById('visitor').textContent = idstitch.getVisitorId()
    document.getElementById('contact').textContent = idstitch.getContactId() || '(none)'
  }
  show()
  var button = document.getElementById('front-identify')
  if (button) button.onclick = function () {
    idstitch.identify(button.dataset.user, { plan: 'pro', seenFeature: 'front-end identify' }).then(function (outcome) {
      document.getElementById('outcome').textContent = outcome.ok ? 'relayed ✓' : 'relay failed: ' + outcome.status
      show()
    })
  }
})
</script>
</body></html>`)
  })

  return app
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { createClient } = await import('@idstitch/node')
  const { pathbound } = await import('@idstitch/node/providers')
  const client = createClient({ providers: [pathbound({ apiKey: process.env.PATHBOUND_API_KEY ?? '' })] })
  const port = Number(process.env.PORT ?? 3001)
  createApp({ client }).listen(port, () => console.log(`app on http://localhost:${port}/`))
}
