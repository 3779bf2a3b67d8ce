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
import { appendKept } from './history.js'
import { startProviderServer, type ProviderServer } from './server.js'
import type { AcceptedIdentify, ProviderRule, SandboxRequest } from './types.js'
import { inspectorPage } from './inspector.js'
import { createSeen, sdkIdsIn, type Tool } from './seen.js'
import { SANDBOX_CREDENTIALS } from './options.js'
import { stitchesOf, waitForStitchIn, type Stitches, type WaitForStitchOptions } from './stitches.js'

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
  /** Everything the inspector has shown: the newest `keep` ({@link SandboxOptions.keep}). */
  inspected: InspectedIdentify[]
  /** Whether a tool's own browser SDK (or, for `idstitch`, the marketing site) reported `id`. */
  seen(tool: Tool, id: string): boolean
  /**
   * What the providers stitched to `userId` so far: for each provider that accepted an identify of this user with an
   * anonymous id, those ids. `{}` when none did.
   *
   * @example
   * expect(sandbox.stitched('usr_ada')).toEqual({ pathbound: [visitorId] })
   */
  stitched(userId: string): Stitches
  /**
   * Waits for a stitch of `userId` (by `provider`, or by any): for a login that delivers after its response, as
   * `after()` and a queue do. Rejects after `timeoutMs` (default 10 s) with what did arrive.
   */
  waitForStitch(userId: string, options?: WaitForStitchOptions): Promise<Stitches>
  /** Forgets every request, identify, visitor and scripted fault: a clean sandbox for the next test. */
  reset(): void
}

/** Options of {@link startSandbox}. */
export interface SandboxOptions {
  /** 0 (default) picks a free port. */
  port?: number
  /** Default `127.0.0.1`; `0.0.0.0` to be reached from another container. */
  host?: string
  /**
   * How many of the newest requests, accepted identifies and inspector rows the sandbox keeps: past it, the oldest
   * are forgotten (an eighth of it at a time), and with them their stitches ({@link Sandbox.stitched}, `GET
   * /stitched/<userId>`). What the stand-ins know (reported visitors, a provider's contacts) stays. Default
   * `Infinity`: everything; the `idstitch-sandbox` command keeps 10,000 (`--keep`).
   */
  keep?: number
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

/** A path segment, percent-decoded; undefined when it is not valid percent-encoding. */
const decoded = (segment: string): string | undefined => {
  try {
    return decodeURIComponent(segment)
  } catch {
    return undefined
  }
}

const CORS = { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'content-type', 'access-control-allow-methods': 'POST' }

/** The sandbox's own routes: the inspector page and its event stream, the browser SDKs' endpoints, and `/pageview`. */
const sandboxRoutes =
  (visitors: Set<string>, inspected: readonly InspectedIdentify[], streams: Set<ServerResponse>, seen: ReturnType<typeof createSeen>, stitched: (userId: string) => Stitches) =>
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
    const stitchedUser = /^\/stitched\/(.+)$/.exec(request.path)?.[1]
    if (stitchedUser !== undefined && request.method === 'GET') {
      const userId = decoded(stitchedUser)
      response.writeHead(userId === undefined ? 400 : 200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      response.end(JSON.stringify(userId === undefined ? { error: 'The user id is not valid percent-encoding' } : { userId, stitched: stitched(userId) }))
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
 * `GET /stitched/<userId>` answers `{ userId, stitched }` ({@link Sandbox.stitched}) for a test in another process.
 * Rejects when it cannot listen (the port is in use: the error's `code` is Node's, `EADDRINUSE`).
 *
 * @example
 * const sandbox = await startSandbox()
 * const client = createClient({ providers: [pathbound(sandboxOptions(sandbox.url).pathbound)] })
 * await client.identify({ userId: 'usr_ada', anonymousId: visitorId })
 * expect(sandbox.stitched('usr_ada')).toEqual({ pathbound: [visitorId] })
 */
export const startSandbox = async ({ port = 0, host, keep = Number.POSITIVE_INFINITY }: SandboxOptions = {}): Promise<Sandbox> => {
  const visitors = new Set<string>()
  const inspected: InspectedIdentify[] = []
  const streams = new Set<ServerResponse>()
  const seen = createSeen()
  const arrivals = new Set<() => void>()
  // The sandbox's own listener is `observe`, not `onAccepted`: an app setting that (the demo prints each identify) would replace it.
  const observe = (identify: AcceptedIdentify) => {
    const entry: InspectedIdentify = { ...identify, knownVisitor: identify.anonymousId !== undefined && visitors.has(identify.anonymousId), ...seen.stitchOf(identify) }
    appendKept(inspected, entry, keep)
    for (const stream of streams) stream.write(`data: ${JSON.stringify(entry)}\n\n`)
    for (const arrival of arrivals) arrival()
  }
  const server = await startProviderServer(sandboxRules(visitors), { port, host, observe, keep, routes: sandboxRoutes(visitors, inspected, streams, seen, (userId) => stitchesOf(server.accepted, userId)) })
  const close = server.close
  return Object.assign(server, {
    visitors,
    inspected,
    seen: seen.has,
    stitched: (userId: string) => stitchesOf(server.accepted, userId),
    waitForStitch: (userId: string, options?: WaitForStitchOptions) => waitForStitchIn(server.accepted, arrivals, userId, options),
    reset: () => {
      for (const list of [server.accepted, server.requests, server.faults, inspected]) list.length = 0
      visitors.clear()
    },
    close: async () => {
      for (const stream of streams) stream.end()
      await close()
    },
  })
}
