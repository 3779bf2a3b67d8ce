import type { ProviderRequest, ProviderResponse } from '@idstitch/core'

/** How one attempt is bounded. */
export interface AttemptLimits {
  /**
   * Past this many ms without a response, the transport rejects with an
   * error named `'TimeoutError'` (ky's `TimeoutError` is one).
   */
  timeoutMs: number
  /** Aborts the attempt (the deadline, or a response body that stalls): reject. */
  signal: AbortSignal
}

/**
 * Sends one described request and returns the response with its body read
 * and parsed, whatever its status: the provider's adapter decides what a
 * status means. Rejects only when no whole HTTP response arrived (network
 * error, `timeoutMs`, or `signal` aborted). This is the seam to swap in
 * another HTTP stack.
 */
export interface Transport {
  send(request: ProviderRequest, limits: AttemptLimits): Promise<ProviderResponse>
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
