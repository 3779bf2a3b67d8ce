import type { IncomingHttpHeaders } from 'node:http'

/** A request as a provider rule sees it: body parsed as JSON when it was JSON. */
export interface SandboxRequest {
  method: string
  path: string
  query: URLSearchParams
  headers: IncomingHttpHeaders
  /** The parsed JSON body, or `undefined` when the body was not JSON. */
  body: unknown
  /** The body as received. */
  raw: string
  /** When it arrived (`Date.now()`). */
  at: number
}

export interface SandboxResponse {
  status: number
  body?: unknown
  /** The body as it is, in place of `body`'s JSON: an answer that is no JSON (a web page), whose type `headers` give. */
  text?: string
  headers?: Record<string, string>
}

/** One identify a provider accepted, for the inspector and the tests. */
export interface AcceptedIdentify {
  provider: string
  userId: string
  anonymousId?: string
  traits: Record<string, unknown>
  /** Traits set only where the profile has none yet (PostHog `$set_once`, Mixpanel `$set_once`, Amplitude `$setOnce`). */
  traitsOnce?: Record<string, unknown>
  /** The tool's own session the identify was tied to (GA4's `session_id`), when it was. */
  session?: string
  /** The consent signals the provider got (GA4's `consent`, Segment's `context.consent`), as it names them. */
  consent?: Record<string, unknown>
  /** Where the provider would place the user, for the providers that say so: an address, `'none'`, or `'sender'` (the server that sent it). */
  location?: string
  at: string
}

/** A provider's documented identify endpoint: which requests it takes, and what it answers. */
export interface ProviderRule {
  name: string
  method: string
  path: string
  handle(request: SandboxRequest): { response: SandboxResponse; accepted?: AcceptedIdentify[] }
}
