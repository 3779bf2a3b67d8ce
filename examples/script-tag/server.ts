// The marketing site: a static page with the script tag, and the tracker file itself.
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const page = readFileSync(new URL('./index.html', import.meta.url), 'utf8')
/** The built script-tag file, `dist/idstitch.js` of @idstitch/tracker. */
export const trackerScript = (): string => readFileSync(require.resolve('@idstitch/tracker/script'), 'utf8')

/** posthog-js's self-contained browser bundle (it loads no other script). */
const posthogScript = (): string => readFileSync(require.resolve('posthog-js/dist/array.full.no-external.js'), 'utf8')

/** Amplitude's browser SDK, its script-tag build. */
const amplitudeScript = (): string => readFileSync(require.resolve('@amplitude/analytics-browser/lib/scripts/amplitude-min.js'), 'utf8')

/** mixpanel-browser's UMD build (it sets `window.mixpanel`, and loads no other script unless asked to). */
const mixpanelScript = (): string => readFileSync(require.resolve('mixpanel-browser/dist/mixpanel.umd.js'), 'utf8')

/** What the page runs beside idstitch, as many marketing sites do: posthog-js with this project key and host. */
export interface PosthogOnPage {
  apiKey: string
  host: string
}

/** …and Amplitude's browser SDK with this API key and server URL. */
export interface AmplitudeOnPage {
  apiKey: string
  serverUrl: string
}

/** …and mixpanel-browser with this project token and API host. */
export interface MixpanelOnPage {
  token: string
  apiHost: string
}

/**
 * Serves the marketing page; `appUrl` is where its link goes, `sandboxUrl` (optional) receives its pageviews,
 * `posthog`, `amplitude` and `mixpanel` (optional) make the page load those tools' browser SDKs too, `ga4` write gtag.js's `_ga`
 * cookie. All are read per request.
 */
export const createMarketingSite = (links: { appUrl: string; sandboxUrl?: string; posthog?: PosthogOnPage; amplitude?: AmplitudeOnPage; mixpanel?: MixpanelOnPage; ga4?: boolean }): Server =>
  createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname
    if (path === '/idstitch.js') {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' })
      return void response.end(trackerScript())
    }
    if (path === '/amplitude.js' && links.amplitude) {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' })
      return void response.end(amplitudeScript())
    }
    if (path === '/mixpanel.js' && links.mixpanel) {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' })
      return void response.end(mixpanelScript())
    }
    if (path === '/posthog.js' && links.posthog) {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' })
      return void response.end(posthogScript())
    }
    if (path === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      const json = (value: unknown) => (value ? JSON.stringify(value).replaceAll('<', '\\u003c') : 'null')
      return void response.end(
        page
          .replaceAll('%APP_URL%', links.appUrl)
          .replaceAll('%SANDBOX_URL%', links.sandboxUrl ?? '')
          .replaceAll('%POSTHOG%', json(links.posthog))
          .replaceAll('%AMPLITUDE%', json(links.amplitude))
          .replaceAll('%MIXPANEL%', json(links.mixpanel))
          .replaceAll('%GA4%', String(links.ga4 === true)),
      )
    }
    response.writeHead(path === '/favicon.ico' ? 204 : 404).end()
  })

if (import.meta.url === `file://${process.argv[1]}`) {
  const port = Number(process.env.PORT ?? 3000)
  createMarketingSite({ appUrl: process.env.APP_URL ?? 'http://localhost:3001/' }).listen(port, () => console.log(`marketing site on http://localhost:${port}/`))
}
