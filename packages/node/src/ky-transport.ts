import type { HTTPError, KyInstance } from 'ky'
import { serializeBody } from '@idstitch/core/internal'
import { boundAttempt, capOf, parseBody, responseTooLarge, type Transport } from './transport.js'

/**
 * A body's text, read chunk by chunk, at most `cap` bytes as `fetch` hands
 * them over, that is decompressed (a small gzip bomb must not inflate into the
 * isolate's memory: Workers allow 128 MB): past them the stream is cancelled,
 * which drops the connection, and the read rejects.
 */
const readText = async (response: Response, cap: number): Promise<string> => {
  if (!response.body) return ''
  const reader = response.body.getReader()
  const decoder = new TextDecoder()
  let text = ''
  for (let size = 0; ; ) {
    const { done, value } = await reader.read()
    if (done) return text + decoder.decode()
    size += value.byteLength
    if (size > cap) {
      await reader.cancel().catch(() => {})
      throw responseTooLarge(cap)
    }
    text += decoder.decode(value, { stream: true })
  }
}

/** A fetch `Response` as the adapters see it: status, headers, parsed body. */
const toProviderResponse = async (response: Response, cap: number) => {
  const headers: Record<string, string> = {}
  response.headers.forEach((value, name) => {
    headers[name] = value
  })
  return { status: response.status, headers, body: parseBody(await readText(response, cap), response.headers.get('content-type')) }
}

/**
 * The transport for runtimes that only have `fetch` (Workers, Vercel Edge,
 * Deno, Bun) and whenever a `fetch` is passed to `createClient`: ky over that
 * `fetch`.
 *
 * ky does what it is for: it builds the request, times the wait for the
 * response out (`timeout`, a `TimeoutError`), and throws an `HTTPError` for
 * a non-2xx answer, whose response is read here so
 * that the provider's adapter can turn its error envelope into idstitch's
 * `HttpError`. ky does not retry (`retry: 0`): idstitch's delivery lane does,
 * because its retries are bounded by each identify's deadline, wait for the
 * provider's client-side rate limit, honour `Retry-After` up to
 * `maxRetryAfterMs`, and are the same over every transport, which ky's
 * per-request retry cannot be. It follows no redirect (`redirect: 'manual'`):
 * `fetch` would re-send a custom header (`x-api-key`) and the body (PostHog's
 * `api_key`) to whatever host a 3xx names, stripping only `Authorization`;
 * the 3xx is the provider's answer, which the lane fails. No ky hook is used: each adapter builds its
 * request whole (URL, headers, body), and what would go in beforeRetry or
 * beforeError hooks (the retry policy, redaction, logging) is the lane's, so
 * that the node:http transport behaves the same.
 */
export const createKyTransport = (fetchImpl?: typeof fetch): Transport => {
  // Loaded on the first request: ky probes the runtime's Request/stream support
  // when it is imported, which in Node loads the whole fetch implementation.
  let loaded: Promise<{ client: KyInstance; isHTTPError: (error: unknown) => error is HTTPError }> | undefined
  const load = () =>
    (loaded ??= import('ky').then(({ default: ky, isHTTPError }) => ({
      client: ky.create({ retry: 0, ...(fetchImpl ? { fetch: fetchImpl } : {}) }),
      isHTTPError,
    })))
  return {
    bounded: true,
    async send(request, limits) {
      const { client, isHTTPError } = await load()
      // ky's `timeout` ends the wait for the headers; one timer of ours also ends a body that stalls
      // after them, and the attempt at the identify's deadline. Its error is what the lane reads.
      const controller = new AbortController()
      let ended: Error | undefined
      const timer = boundAttempt(limits, (error) => controller.abort((ended = error)))
      const aborted = limits.signal ? AbortSignal.any([controller.signal, limits.signal]) : controller.signal
      try {
        const response = await client(request.url, { method: request.method, headers: request.headers, body: serializeBody(request.body), timeout: limits.timeoutMs, signal: aborted, redirect: 'manual' })
        return await toProviderResponse(response, capOf(limits))
      } catch (error) {
        if (isHTTPError(error)) return await toProviderResponse(error.response, capOf(limits)).catch((failure: unknown) => Promise.reject(ended ?? failure))
        throw ended ?? error
      } finally {
        clearTimeout(timer)
      }
    },
  }
}
