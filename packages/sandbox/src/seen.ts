import type { AcceptedIdentify, SandboxRequest } from './types.js'

// Which ids each tool's own browser SDK reported, read from the SDKs' own requests to the sandbox, so the
// inspector can say whether an identify joined an id that tool has seen: that is the stitch.
//
// - posthog-js (with `disable_compression`): JSON bodies, each event or flags request carrying `distinct_id`.
// - mixpanel-browser (with `api_payload_format: 'json'`): a form body whose `data` is the JSON (or base64 of it)
//   of its events, each with `properties.distinct_id` (`$device:<id>` while anonymous) and `$device_id`.
// - Amplitude's Browser SDK: its own events (HTTP V2 format, to the sandbox's browser path), each with `device_id`.
// - gtag.js is not on npm: the demo page writes `_ga` as gtag does and reports the client id with its pageview.
// - idstitch's own visitor: the marketing page's pageview.

/** The tools whose browser SDK the demo page runs, and `idstitch` for its own visitor cookie. */
export type Tool = 'idstitch' | 'posthog' | 'mixpanel' | 'amplitude' | 'ga4'

/** Which tool's id an identify to each provider joins (providers whose API takes no anonymous id are absent). */
const TOOL_OF: Readonly<Record<string, Tool>> = { posthog: 'posthog', mixpanel: 'mixpanel', amplitude: 'amplitude', ga4: 'ga4', datafast: 'idstitch', pathbound: 'idstitch', segment: 'idstitch' }

const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined || value === null ? [] : [value])
const field = (value: unknown, ...path: string[]): unknown => path.reduce<unknown>((at, key) => (typeof at === 'object' && at !== null ? (at as Record<string, unknown>)[key] : undefined), value)
const strings = (...values: unknown[]): string[] => values.filter((value): value is string => typeof value === 'string' && value !== '')

/** mixpanel-browser's `data`: JSON, or base64 of JSON. */
const mixpanelData = (raw: string): unknown => {
  const data = new URLSearchParams(raw).get('data')
  if (data === null) return undefined
  for (const text of [data, Buffer.from(data, 'base64').toString('utf8')]) {
    try {
      return JSON.parse(text)
    } catch {}
  }
  return undefined
}

/** The ids a browser SDK's request to the sandbox reports for its tool. */
export const sdkIdsIn = (tool: 'posthog' | 'mixpanel' | 'amplitude', request: SandboxRequest): string[] => {
  if (tool === 'posthog') return asArray(field(request.body, 'batch') ?? request.body).flatMap((entry) => strings(field(entry, 'distinct_id'), field(entry, 'properties', 'distinct_id'), field(entry, 'properties', '$device_id')))
  if (tool === 'mixpanel') return asArray(mixpanelData(request.raw)).flatMap((entry) => strings(field(entry, 'properties', '$device_id'), String(field(entry, 'properties', 'distinct_id') ?? '').replace(/^\$device:/, '')))
  return asArray(field(request.body, 'events'))
    .filter((event) => field(event, 'event_type') !== '$identify')
    .flatMap((event) => strings(field(event, 'device_id')))
}

/** Every id each tool reported, and the verdict for an identify: stitched, or why not. */
export const createSeen = () => {
  const seen = new Map<Tool, Set<string>>()
  const has = (tool: Tool, id: string): boolean => seen.get(tool)?.has(id) === true
  return {
    add(tool: Tool, ids: readonly string[]): void {
      const known = seen.get(tool) ?? new Set<string>()
      for (const id of ids) known.add(id)
      seen.set(tool, known)
    },
    has,
    /** Whether `identify` joins an id its tool has seen, and why not when it does not. */
    stitchOf(identify: AcceptedIdentify): { stitched: boolean; why?: string } {
      const tool = TOOL_OF[identify.provider]
      if (!tool) return { stitched: false, why: `${identify.provider}'s API takes no anonymous id` }
      if (identify.anonymousId === undefined) return { stitched: false, why: identify.provider === 'mixpanel' ? 'a profile update: the merge is its own row' : 'no anonymous id was sent' }
      if (has(tool, identify.anonymousId)) return { stitched: true }
      return { stitched: false, why: tool === 'idstitch' ? 'the marketing site never reported this visitor' : `${tool}'s browser SDK never reported this id` }
    },
  }
}
