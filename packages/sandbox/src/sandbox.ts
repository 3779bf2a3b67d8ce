import type { ServerResponse } from 'node:http'
import type { ProviderKind } from '@idstitch/core/providers'
import { datafastRule } from './rules/datafast.js'
import { dfendRule } from './rules/dfend.js'
import { monterosaRule } from './rules/monterosa.js'
import { pathboundRule } from './rules/pathbound.js'
import { posthogRule } from './rules/posthog.js'
import { ga4Rule } from './rules/ga4.js'
import { amplitudeRule } from './rules/amplitude.js'
import { mixpanelRules } from './rules/mixpanel.js'
import { segmentRule } from './rules/segment.js'
import { thrivestackRule } from './rules/thrivestack.js'
import { startProviderServer, type ProviderServer } from './server.js'
import type { AcceptedIdentify, ProviderRule, SandboxRequest } from './types.js'
import { inspectorPage } from './inspector.js'
import { createSeen, sdkIdsIn, type Tool } from './seen.js'

/** The credentials the sandbox accepts, one per provider. */
export const SANDBOX_CREDENTIALS = {
  datafast: 'df_sandbox_key',
  dfend: 'sk_sandbox_key',
  thrivestack: 'ts_sandbox_key',
  pathbound: 'pb_sandbox_key',
  segment: 'wk_sandbox_key',
  posthog: 'phc_sandbox_key',
  ga4MeasurementId: 'G-SANDBOX1',
  ga4: 'ga_sandbox_secret',
  amplitude: '5a1db0c3e1f2a4b6c8d0e2f4a6b8c0d2', // 32 hex digits, as Amplitude's keys are
  mixpanel: '7e3f0c9a1b2d4e6f8a0b1c2d3e4f5a6b', // 32 hex digits, as Mixpanel's project tokens are
  monterosaProjectId: '5d5b0676-ce0f-4058-b2bf-49af49f61cb5',
} as const

/**
 * Where the marketing page's own copies of posthog-js, mixpanel-browser and Amplitude's SDK send (their `api_host`, `serverUrl`):
 * remote config, flags, events. Apart from the server-side endpoints the stand-ins check.
 */
export const BROWSER_SDK_PREFIX = '/browser'
const BROWSER_SDK_PATHS = new RegExp(`^${BROWSER_SDK_PREFIX}/(posthog|mixpanel|amplitude)(/|$)`)
/** What each browser SDK takes for "accepted": mixpanel-browser reads `{ status: 1 }`, Amplitude's SDK a 200 with `code`. */
const BROWSER_SDK_ANSWER: Record<string, string> = { posthog: '{}', mixpanel: '{"status":1,"error":null}', amplitude: '{"code":200,"events_ingested":1}' }

/** One identify as the inspector shows it. */
export interface InspectedIdentify extends AcceptedIdentify {
  /** Whether the anonymous id is a visitor the marketing site reported a pageview for. */
  knownVisitor: boolean
  /** Whether the identify joins an id its tool's own browser SDK reported (or, for the visitor cookie, the site): the stitch. */
  stitched: boolean
  /** Why it is not stitched, when it is not. */
  why?: string
}

export interface Sandbox extends ProviderServer {
  /** Visitor ids the marketing site reported pageviews for. */
  visitors: Set<string>
  /** Everything the inspector has shown. */
  inspected: InspectedIdentify[]
  /** Whether a tool's own browser SDK (or, for `idstitch`, the marketing site) reported `id`. */
  seen(tool: Tool, id: string): boolean
}

/** One rule per built-in provider: a provider added to idstitch without a stand-in here fails to type-check. */
const sandboxRules = (visitors: ReadonlySet<string>): ProviderRule[] => {
  const rules: Record<ProviderKind, ProviderRule | ProviderRule[]> = {
    datafast: datafastRule({ websiteKeys: [SANDBOX_CREDENTIALS.datafast], visitorsWithPageviews: () => visitors }),
    dfend: dfendRule({ secretKeys: [SANDBOX_CREDENTIALS.dfend] }),
    thrivestack: thrivestackRule({ apiKey: SANDBOX_CREDENTIALS.thrivestack }),
    pathbound: pathboundRule({ keys: [{ key: SANDBOX_CREDENTIALS.pathbound, scopes: ['contacts:write'] }] }),
    monterosa: monterosaRule({ projectId: SANDBOX_CREDENTIALS.monterosaProjectId }),
    segment: segmentRule({ writeKeys: [SANDBOX_CREDENTIALS.segment] }),
    posthog: posthogRule({ apiKeys: [SANDBOX_CREDENTIALS.posthog] }),
    ga4: ga4Rule({ measurementId: SANDBOX_CREDENTIALS.ga4MeasurementId, apiSecret: SANDBOX_CREDENTIALS.ga4 }),
    amplitude: amplitudeRule({ apiKeys: [SANDBOX_CREDENTIALS.amplitude] }),
    mixpanel: mixpanelRules({ tokens: [SANDBOX_CREDENTIALS.mixpanel] }),
  }
  return Object.values(rules).flat()
}

const CORS = { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'content-type', 'access-control-allow-methods': 'POST' }

/** The sandbox's own routes: the inspector page and its event stream, the browser SDKs' endpoints, and `/pageview`. */
const sandboxRoutes =
  (visitors: Set<string>, inspected: readonly InspectedIdentify[], streams: Set<ServerResponse>, seen: ReturnType<typeof createSeen>) =>
  (request: SandboxRequest, response: ServerResponse): boolean => {
    if (request.path === '/' && request.method === 'GET') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      response.end(inspectorPage)
      return true
    }
    // The inspector page has no icon: say so without an error in the browser's console.
    if (request.path === '/favicon.ico') {
      response.writeHead(204)
      response.end()
      return true
    }
    if (request.path === '/events' && request.method === 'GET') {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' })
      for (const entry of inspected) response.write(`data: ${JSON.stringify(entry)}\n\n`)
      streams.add(response)
      response.on('close', () => streams.delete(response))
      return true
    }
    // posthog-js, mixpanel-browser and Amplitude's SDK on the marketing page, pointed at the sandbox: their browser
    // endpoints (remote config, flags, events) answer an empty success, so each SDK runs and mints its own id.
    const sdk = BROWSER_SDK_PATHS.exec(request.path)?.[1] as 'posthog' | 'mixpanel' | 'amplitude' | undefined
    if (sdk !== undefined) {
      seen.add(sdk, sdkIdsIn(sdk, request))
      const origin = String(request.headers.origin ?? '*')
      response.writeHead(request.method === 'OPTIONS' ? 204 : 200, { 'content-type': 'application/json', 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true', 'access-control-allow-headers': 'content-type', 'access-control-allow-methods': 'GET, POST' })
      response.end(request.method === 'OPTIONS' ? undefined : BROWSER_SDK_ANSWER[sdk])
      return true
    }
    if (request.path !== '/pageview') return false
    const { visitorId: visitor, ga4ClientId } = (request.body ?? {}) as { visitorId?: unknown; ga4ClientId?: unknown }
    if (request.method === 'POST' && typeof visitor === 'string') {
      visitors.add(visitor)
      seen.add('idstitch', [visitor])
    }
    // gtag.js is not on npm: the demo page writes _ga as gtag does, and reports the client id here, as gtag's own page_view would.
    if (request.method === 'POST' && typeof ga4ClientId === 'string') seen.add('ga4', [ga4ClientId])
    response.writeHead(request.method === 'OPTIONS' ? 204 : 202, CORS)
    response.end()
    return true
  }

/**
 * Every provider idstitch supports, on one local server, enforcing each one's
 * documented identify rules with {@link SANDBOX_CREDENTIALS}; plus a live
 * inspector page at `/`, and `POST /pageview` (CORS) where a marketing page
 * reports its visitor, standing in for the provider's own pageview tracking
 * (DataFast answers 404 for visitors it has no pageview of, as documented).
 */
export const startSandbox = async ({ port = 0 } = {}): Promise<Sandbox> => {
  const visitors = new Set<string>()
  const inspected: InspectedIdentify[] = []
  const streams = new Set<ServerResponse>()
  const seen = createSeen()
  const server = await startProviderServer(sandboxRules(visitors), { port, routes: sandboxRoutes(visitors, inspected, streams, seen) })
  server.onAccepted = (identify) => {
    const entry: InspectedIdentify = { ...identify, knownVisitor: identify.anonymousId !== undefined && visitors.has(identify.anonymousId), ...seen.stitchOf(identify) }
    inspected.push(entry)
    for (const stream of streams) stream.write(`data: ${JSON.stringify(entry)}\n\n`)
  }
  const close = server.close
  return Object.assign(server, {
    visitors,
    inspected,
    seen: seen.has,
    close: async () => {
      for (const stream of streams) stream.end()
      await close()
    },
  })
}
