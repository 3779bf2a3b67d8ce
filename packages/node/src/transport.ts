import type { ProviderRequest, ProviderResponse } from '@idstitch/core'

/** How one attempt is bounded. */
export interface AttemptLimits {
  /**
   * Without a whole response (headers and body) within this many ms, the
   * transport rejects with an error named `'TimeoutError'` (ky's
   * `TimeoutError` is one).
   */
  timeoutMs: number
  /**
   * The identify's deadline is this many ms away (`Infinity`: none). A
   * transport that is `bounded` rejects when it comes first, with an error
   * named `'AbortError'`.
   */
  deadlineMs: number
  /** Given to a transport that is not `bounded`: aborted at the deadline or when a response stalls; reject. */
  signal?: AbortSignal
  /**
   * The most bytes of the answer's body to read, counted after any
   * decompression (default {@link DEFAULT_MAX_RESPONSE_BYTES}). Past them the
   * transport drops the connection and rejects with an error named
   * `'ResponseTooLargeError'`: a broken or hostile endpoint must not exhaust
   * the host's memory (a body over V8's string limit would crash the process).
   */
  maxResponseBytes?: number
}

/** What a transport reads of an answer's body at most unless told otherwise: 1 MiB, far above any provider's documented answer. */
export const DEFAULT_MAX_RESPONSE_BYTES = 1_048_576

/** The error a transport rejects with when an answer's body passed `maxResponseBytes`. */
export const responseTooLarge = (maxResponseBytes: number): Error =>
  Object.assign(new Error(`the answer's body passed ${maxResponseBytes} bytes; the connection was dropped`), { name: 'ResponseTooLargeError' })

/** The cap on an attempt's answer. */
export const capOf = (limits: AttemptLimits): number => limits.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES

/**
 * Sends one described request and returns the response with its body read
 * and parsed, whatever its status: the provider's adapter decides what a
 * status means. Follows no redirect: a 3xx is returned as it is (the lane
 * fails it as `redirect_refused`). Rejects only when no whole HTTP response
 * arrived (network error, `timeoutMs`, the deadline, `signal` aborted, or a
 * body over `maxResponseBytes`). This is the seam to swap in another HTTP stack.
 */
export interface Transport {
  send(request: ProviderRequest, limits: AttemptLimits): Promise<ProviderResponse>
  /**
   * True when `send` ends every attempt by `timeoutMs` and `deadlineMs`
   * itself, with one timer (both built-in transports do). Otherwise the
   * delivery lane bounds each attempt with an `AbortController` and passes
   * its `signal`: in Node, a signal on each request costs about a third of
   * the CPU of a keep-alive request (see bench/README.md).
   */
  readonly bounded?: boolean
  /** Releases connections; `shutdown()` calls it. */
  close?(): Promise<void>
}

/** Node's response headers (lower-case names; repeated ones as arrays) as one string per name. */
export const flattenHeaders = (raw: Record<string, string | string[] | undefined>): Record<string, string> => {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value
  }
  return headers
}

/** Parses a response body as JSON when it looks like JSON; otherwise keeps the text. */
export const parseBody = (text: string, contentType: string | null): unknown => {
  if (text === '') return undefined
  if (contentType?.includes('json') || /^\s*[[{]/.test(text)) {
    try {
      return JSON.parse(text) as unknown
    } catch {
      return text
    }
  }
  return text
}

/** The error a transport rejects with when an attempt's `timeoutMs` ran out (named as ky's is). */
export const attemptTimedOut = (timeoutMs: number): Error =>
  Object.assign(new Error(`no response within ${timeoutMs} ms`), { name: 'TimeoutError' })

/** The error a bounded transport rejects with when the identify's deadline came first (named as an aborted `fetch`'s is). */
export const deadlineReached = (deadlineMs: number): Error =>
  Object.assign(new Error(`the identify's deadline came ${Math.round(deadlineMs)} ms into the attempt`), { name: 'AbortError' })

/** The one timer that bounds an attempt of a bounded transport: `end` is called with the error to reject with. */
export const boundAttempt = ({ timeoutMs, deadlineMs }: AttemptLimits, end: (error: Error) => void): ReturnType<typeof setTimeout> =>
  deadlineMs < timeoutMs ? setTimeout(() => end(deadlineReached(deadlineMs)), deadlineMs) : setTimeout(() => end(attemptTimedOut(timeoutMs)), timeoutMs)

/** Where a request goes, parsed from its URL. */
export interface Target {
  protocol: string
  /** `https://api.example.com:8443` */
  origin: string
  /** Without an IPv6 literal's brackets: node:http wants the bare address. */
  hostname: string
  port: string
  /** The path and the query string. */
  path: string
}

/**
 * A URL parser that remembers: a built-in provider sends every request to the
 * same URL, parsed once. Bounded, for custom adapters that put an id in the path.
 */
export const createTargets = (): ((href: string) => Target) => {
  const targets = new Map<string, Target>()
  return (href) => {
    let target = targets.get(href)
    if (!target) {
      if (targets.size >= 64) targets.clear()
      const url = new URL(href)
      target = { protocol: url.protocol, origin: url.origin, hostname: url.hostname.replace(/^\[|\]$/g, ''), port: url.port, path: url.pathname + url.search }
      targets.set(href, target)
    }
    return target
  }
}
