import type { KyInstance } from 'ky'
import { serializeBody, type ProviderRequest, type ProviderResponse } from '@idstitch/core'

/**
 * Sends one described request and returns the response with its body read
 * and parsed. Rejects only when no HTTP response arrived (network error, or
 * `signal` aborted). This is the seam to swap in another HTTP stack.
 */
export interface Transport {
  send(request: ProviderRequest, signal: AbortSignal): Promise<ProviderResponse>
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

/**
 * The transport for runtimes that only have `fetch` (Workers, Vercel Edge,
 * Deno, Bun) and whenever a `fetch` is passed to `createClient`: ky over that
 * `fetch`. Retries and timeouts are the client's: ky makes exactly one attempt
 * per call.
 */
export const createKyTransport = (fetchImpl?: typeof fetch): Transport => {
  // Loaded on the first request: ky probes the runtime's Request/stream support
  // when it is imported, which in Node loads the whole fetch implementation.
  let client: Promise<KyInstance> | undefined
  const http = () =>
    (client ??= import('ky').then(({ default: ky }) =>
      ky.create({
        retry: 0,
        timeout: false,
        throwHttpErrors: false,
        ...(fetchImpl ? { fetch: fetchImpl } : {}),
      }),
    ))
  return {
    async send(request, signal) {
      const response = await (await http())(request.url, {
        method: request.method,
        headers: request.headers,
        body: serializeBody(request.body),
        signal,
      })
      const text = await response.text()
      const headers: Record<string, string> = {}
      response.headers.forEach((value, name) => {
        headers[name] = value
      })
      return { status: response.status, headers, body: parseBody(text, response.headers.get('content-type')) }
    },
  }
}
